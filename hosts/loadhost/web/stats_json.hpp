// The JSON the web UI serves and pushes, built from the merged stats.
//
// Two dialects of the same rows:
//   - Locust's (GET /stats/requests, GET /exceptions): the exact keys and
//     value types of Locust 2.12's web.py, HTML-escaping included (Locust
//     escapes names and error texts for its own page; scripts written for
//     Locust expect that), so dashboards and scripts work unchanged.
//   - loadhost's own push over /ws and the HTML report's data: the same
//     figures with raw text, which the page inserts as text nodes.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/report/run_history.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::web {

// What the runner is doing, next to the stats.
struct RunView {
  std::string_view state = "ready";   // Locust's state names
  std::uint64_t user_count = 0;
  const report::HistoryPoint* last_point = nullptr;  // current p50/p95, or none yet
  nlohmann::json workers;             // null: not a master (no "workers" key)
};

// GET /stats/requests, Locust's shape.
nlohmann::json locust_stats_requests(const stats::StatsTable& table, const RunView& run);
// GET /exceptions, Locust's shape.
nlohmann::json locust_exceptions(const stats::StatsTable& table, std::string_view nodes);

// The rows of the live push: entries sorted by name then type (the first
// `limit`), Aggregated last; raw text.
nlohmann::json live_rows(const stats::StatsTable& table, size_t limit = SIZE_MAX);
nlohmann::json live_failures(const stats::StatsTable& table, size_t limit = SIZE_MAX);
nlohmann::json live_exceptions(const stats::StatsTable& table, std::string_view nodes);
nlohmann::json point_json(const report::HistoryPoint& point);
nlohmann::json history_json(const report::RunHistory& history);

// Rows for the HTML report: totals over the run and every percentile.
nlohmann::json report_rows(const stats::StatsTable& table);

// Python's html.escape(text, quote): what Locust applies to names and errors.
std::string html_escape(std::string_view text, bool quote = true);

// Compact JSON text; invalid UTF-8 in names is replaced, never an error.
std::string json_text(const nlohmann::json& value);

// JSON text safe inside an HTML <script> element: '<' becomes \u003c, so a
// name like "</script>" cannot end the element.
std::string json_for_script(const nlohmann::json& value);

}  // namespace loadhost::web
