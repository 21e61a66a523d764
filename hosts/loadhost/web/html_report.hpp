// The HTML report (--html FILE and GET /stats/report): one self-contained
// file — style, Chart.js, the rendering script and the run's data inlined —
// that opens offline, from disk or a mail attachment, for every protocol
// (it reads the same merged stats as the CSV).
//
// The page is the report.html asset with its {{tokens}} replaced; the data
// is a JSON blob in a <script type="application/json"> element that
// report.js renders with the same code as the live UI (render.js).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/report/run_history.hpp"
#include "core/report/write_file.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::web {

// `info`: the test's parameters (version, scenario, host, users,
// spawn_rate, run_time_s, start_time, end_time, stop_reason, shape,
// workers), shown in the report's header; with `thresholds` (the JSON
// report's array, core/thresholds/threshold_report.hpp) a table of them.
std::string html_report(const stats::StatsTable &table, const report::RunHistory &history,
                        const nlohmann::json &info, std::string_view nodes = "local");

report::WriteResult write_html_report(const std::string &path, const stats::StatsTable &table,
                                      const report::RunHistory &history, const nlohmann::json &info);

}  // namespace loadhost::web
