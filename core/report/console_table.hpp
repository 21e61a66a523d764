// The tables Locust prints on the console, laid out column for column like
// locust/stats.py (get_stats_summary, get_percentile_stats_summary,
// get_error_report_summary), so users moving from Locust read them at a
// glance. Each returns lines ending in '\n', closed by an empty line as
// Locust logs them; the caller prints.
//
// Numbers are milliseconds, printed as Locust's "%d" does (truncated), except
// median and percentiles, which are rounded like in the CSV report.
//
// Thread safety: pure functions of the table.
#pragma once

#include <cstddef>

#include <string>

#include "core/stats/stats_table.hpp"

namespace loadhost::report {

struct ConsoleOptions {
  // Locust's STATS_NAME_WIDTH: 80, or terminal columns - 80 clamped to
  // [0, 80] on a terminal (see name_width_for_terminal).
  int name_width = 80;
  // Rows per table: past it, the busiest entries (by requests) are shown,
  // in the usual name order, and one line says how many are not. The CSV,
  // JSON and HTML reports keep every row.
  std::size_t max_rows = 100;
};

int name_width_for_terminal(int terminal_columns);

// Type, Name, # reqs, # fails(%), Avg, Min, Max, Med, req/s, failures/s,
// one row per entry, then Aggregated. `current`: rates of the last ~10 s
// (the periodic print); otherwise over the whole run (the final summary).
std::string stats_table_text(const stats::StatsTable& table, bool current,
                             ConsoleOptions options = {});

// "Response time percentiles (approximated)": entries with requests, then
// Aggregated.
std::string percentile_table_text(const stats::StatsTable& table, ConsoleOptions options = {});

// The same of the response times from the intended start (the corrected
// histograms, docs/workload-models.md); empty string when no request of the
// run had an intended start.
std::string corrected_percentile_table_text(const stats::StatsTable& table, ConsoleOptions options = {});

// "Open model: N iterations started, M dropped ..."; empty string when no
// open-model iteration was scheduled. With `since` (the counts of the
// previous print), also how many of each came since: the periodic table's
// dropped iterations per interval.
std::string iterations_text(const stats::StatsTable& table, const stats::StatsTable::Iterations* since = nullptr);

// "Error report": occurrences and "METHOD name: error"; empty string when
// there were no failures (Locust prints nothing then).
std::string failures_table_text(const stats::StatsTable& table, ConsoleOptions options = {});

}  // namespace loadhost::report
