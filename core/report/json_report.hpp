// The final statistics as one JSON document, for CI gates and dashboards.
//
// Layout (times in milliseconds, with microsecond precision; timestamps in
// unix seconds):
//   { "metadata":   <caller's object: host, users, run time...>,
//     "start_time": s, "last_request_time": s,
//     "requests_sent": n,   calls handed to a protocol plugin; each ends as
//                           one request in "stats" (a success or a failure,
//                           "interrupted: ..." when the test stopped first).
//                           Events a plugin or scenario reports itself (an
//                           mqtt-delivery, report_request) are requests too,
//                           so aggregated.num_requests = requests_sent + those
//     "iterations": {started, dropped}     the open model's iterations (0, 0
//                                          for a closed run)
//     "stats":      [ entry... ]            sorted by name, then type
//     "aggregated": entry,
//     "failures":   [ {method, name, error, occurrences, first_seen, last_seen} ],
//     "exceptions": [ {message, detail, count} ] }
// entry: { type, name, num_requests, num_failures, fail_ratio,
//          min/max/avg/median_response_time_ms,
//          percentiles_ms: {"50%": .., "66%": .., ... "100%": ..},
//          total_rps, total_fail_per_sec, total_content_length,
//          avg_content_length, first_request_time, last_request_time,
//          corrected: null, or the response times from the intended start
//            (docs/workload-models.md): { num_requests,
//            min/max/avg/median_response_time_ms, percentiles_ms } }
// Rates use the table's span, as Locust's total_rps.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/report/write_file.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::report {

nlohmann::json stats_json(const stats::StatsTable& table, const nlohmann::json& metadata);

// Writes stats_json(), indented, atomically. Thread safety: none.
WriteResult write_json_report(const std::string& path, const stats::StatsTable& table,
                              const nlohmann::json& metadata);
// Writes a document built on stats_json() (the host adds its "thresholds"),
// the same way.
WriteResult write_json_document(const std::string& path, const nlohmann::json& document);

}  // namespace loadhost::report
