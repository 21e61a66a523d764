// What the console says about exceptions that escaped user code (a task,
// on_start, on_stop): one line the first time each is seen, and a table in
// the final report, as Locust logs each and lists them in its exceptions
// tab. Kept apart from console_table (the stats tables) on purpose: it is
// about user code, not requests.
//
// Thread safety: pure functions of the table, plus the caller's memory of
// what it already said.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/stats/stats_table.hpp"

namespace loadhost::report {

// One line per exception not in `said` ("exception in user class Shopper,
// task checkout: cart is empty"), adding each to `said`: the first
// occurrence is logged, the next ones are only counted.
std::vector<std::string> new_exception_lines(const stats::StatsTable& table, std::set<std::string>& said);

// "Exceptions": count, message and where, one row each, closed by an
// empty line; empty when there were none.
std::string exceptions_table_text(const stats::StatsTable& table);

}  // namespace loadhost::report
