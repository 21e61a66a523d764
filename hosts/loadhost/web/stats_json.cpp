#include "hosts/loadhost/web/stats_json.hpp"

#include <fmt/format.h>

#include <cmath>

#include "core/stats/percentiles.hpp"

namespace loadhost::web {

using nlohmann::json;

namespace {

// Locust truncates stats and errors to 500 rows for its page (Aggregated
// is kept), so a run with a name per URL stays responsive.
constexpr size_t kLocustRowLimit = 500;

double ms(double us) { return us / 1000.0; }
// Locust's proper_round: half away from zero, to an int.
std::int64_t rounded_ms(double us) { return std::int64_t(std::floor(ms(us) + 0.5)); }

json optional_ms(const std::optional<double>& value) {
  if (!value) return nullptr;
  return std::int64_t(std::floor(*value + 0.5));
}

// The figures every dialect shares, times in milliseconds as Locust's.
json row_figures(const stats::StatsEntry& e) {
  return json{
      {"num_requests", e.num_requests()},
      {"num_failures", e.num_failures()},
      {"avg_response_time", ms(e.average_response_time())},
      {"min_response_time", rounded_ms(double(e.min_response_time_us()))},
      {"max_response_time", rounded_ms(double(e.max_response_time_us()))},
      {"median_response_time", rounded_ms(e.median_response_time())},
      {"ninetieth_response_time", rounded_ms(e.percentile(0.9))},
      {"ninety_ninth_response_time", rounded_ms(e.percentile(0.99))},
      {"avg_content_length", e.average_content_size()},
  };
}

json live_row(const stats::StatsTable& table, const stats::StatsEntry& e) {
  json row = row_figures(e);
  row["method"] = e.type();
  row["name"] = e.name();
  const double now = table.last_request_time();
  row["current_rps"] = e.current_rps(now, table.start_time());
  row["current_fail_per_sec"] = e.current_fail_per_sec(now, table.start_time());
  return row;
}

template <typename Fn>
json each_entry_then_total(const stats::StatsTable& table, Fn row, size_t limit = SIZE_MAX) {
  json rows = json::array();
  for (const stats::StatsEntry* e : table.sorted_entries()) {
    if (rows.size() == limit) break;
    rows.push_back(row(*e));
  }
  rows.push_back(row(table.total()));
  return rows;
}

}  // namespace

std::string html_escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += quote ? "&quot;" : "\""; break;
      case '\'': out += quote ? "&#x27;" : "'"; break;
      default: out += c;
    }
  }
  return out;
}

json locust_stats_requests(const stats::StatsTable& table, const RunView& run) {
  json stats = each_entry_then_total(
      table,
      [&](const stats::StatsEntry& e) {
        json row = live_row(table, e);
        row["safe_name"] = html_escape(e.name(), false);
        return row;
      },
      kLocustRowLimit);
  json errors = json::array();
  for (const stats::Failure* f : table.sorted_failures())
    errors.push_back({{"method", f->method_},
                      {"name", html_escape(f->name_)},
                      {"error", html_escape(f->error_)},
                      {"occurrences", f->occurrences_}});
  if (errors.size() > kLocustRowLimit) errors = json(errors.begin(), errors.begin() + kLocustRowLimit);

  json report{{"stats", stats}, {"errors", errors}};
  report["total_rps"] = stats.back()["current_rps"];
  report["fail_ratio"] = table.total().fail_ratio();
  report["current_response_time_percentile_95"] =
      run.last_point ? optional_ms(run.last_point->p95_ms) : json(nullptr);
  report["current_response_time_percentile_50"] =
      run.last_point ? optional_ms(run.last_point->p50_ms) : json(nullptr);
  if (!run.workers.is_null()) report["workers"] = run.workers;
  report["state"] = run.state;
  report["user_count"] = run.user_count;
  return report;
}

json locust_exceptions(const stats::StatsTable& table, std::string_view nodes) {
  json rows = json::array();
  for (const stats::ExceptionRecord* x : table.sorted_exceptions())
    rows.push_back({{"count", x->count_},
                    {"msg", html_escape(x->message_)},
                    {"traceback", html_escape(x->detail_)},
                    {"nodes", nodes}});
  return json{{"exceptions", rows}};
}

json live_rows(const stats::StatsTable& table, size_t limit) {
  return each_entry_then_total(table, [&](const stats::StatsEntry& e) { return live_row(table, e); }, limit);
}

json live_failures(const stats::StatsTable& table, size_t limit) {
  json rows = json::array();
  for (const stats::Failure* f : table.sorted_failures()) {
    if (rows.size() == limit) break;
    rows.push_back({{"method", f->method_}, {"name", f->name_}, {"error", f->error_}, {"occurrences", f->occurrences_}});
  }
  return rows;
}

json live_exceptions(const stats::StatsTable& table, std::string_view nodes) {
  json rows = json::array();
  for (const stats::ExceptionRecord* x : table.sorted_exceptions())
    rows.push_back({{"count", x->count_}, {"msg", x->message_}, {"traceback", x->detail_}, {"nodes", nodes}});
  return rows;
}

json point_json(const report::HistoryPoint& p) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return json{{"t", p.time}, {"users", p.users}, {"rps", p.rps}, {"fail_per_s", p.fail_per_s},
              {"p50", opt(p.p50_ms)}, {"p95", opt(p.p95_ms)}};
}

json history_json(const report::RunHistory& history) {
  json points = json::array();
  for (const report::HistoryPoint& p : history.points()) points.push_back(point_json(p));
  return points;
}

json report_rows(const stats::StatsTable& table) {
  const double start = table.start_time();
  const double end = table.last_request_time();
  return each_entry_then_total(table, [&](const stats::StatsEntry& e) {
    json row = row_figures(e);
    row["method"] = e.type();
    row["name"] = e.name();
    row["total_rps"] = e.total_rps(start, end);
    row["total_fail_per_sec"] = e.total_fail_per_sec(start, end);
    json percentiles = json::object();
    for (double q : stats::kPercentilesToReport) {
      std::string label = stats::percentile_label(q);
      label.pop_back();  // "99.9%" -> "99.9"
      percentiles[label] = e.num_requests() ? json(ms(e.percentile(q))) : json(nullptr);
    }
    row["percentiles"] = std::move(percentiles);
    return row;
  });
}

std::string json_text(const json& value) {
  // Names come from scenarios and servers: bytes that are not UTF-8 are
  // replaced rather than failing the whole answer.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string json_for_script(const json& value) {
  std::string text = json_text(value);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

}  // namespace loadhost::web
