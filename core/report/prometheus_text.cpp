#include "core/report/prometheus_text.hpp"

#include <fmt/format.h>

#include <array>

#include "core/stats/percentiles.hpp"

namespace loadhost::report {

namespace {

constexpr std::array<std::string_view, 5> kStates = {"ready", "spawning", "running", "stopping",
                                                      "stopped"};

// Prometheus' float syntax: Go's strconv, where fmt's shortest form is valid.
std::string number(double v) { return fmt::format("{}", v); }

struct Series {
  std::string labels;  // {type="GET",name="/x"}
  const stats::StatsEntry* entry;
};

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prometheus_text(const stats::StatsTable& table, const RunGauges& run) {
  std::vector<Series> series;
  for (const stats::StatsEntry* e : table.sorted_entries())
    series.push_back({fmt::format("type=\"{}\",name=\"{}\"", prometheus_label_value(e->type()),
                                  prometheus_label_value(e->name())),
                      e});
  series.push_back({"type=\"\",name=\"Aggregated\"", &table.total()});

  const double now = table.last_request_time();
  const double start = table.start_time();
  std::string out;
  auto each = [&](std::string_view name, auto value) {
    for (const Series& s : series)
      fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, s.labels, value(*s.entry));
  };

  family(out, "loadhost_requests_total", "counter", "Requests completed, failed ones included.");
  each("loadhost_requests_total", [](const stats::StatsEntry& e) { return number(double(e.num_requests())); });
  family(out, "loadhost_failures_total", "counter", "Requests that failed.");
  each("loadhost_failures_total", [](const stats::StatsEntry& e) { return number(double(e.num_failures())); });
  family(out, "loadhost_content_bytes_total", "counter", "Response bytes received.");
  each("loadhost_content_bytes_total",
       [](const stats::StatsEntry& e) { return number(double(e.total_content_length())); });
  family(out, "loadhost_current_rps", "gauge", "Requests per second over the last ~10 s.");
  each("loadhost_current_rps", [&](const stats::StatsEntry& e) { return number(e.current_rps(now, start)); });
  family(out, "loadhost_current_fail_per_sec", "gauge", "Failures per second over the last ~10 s.");
  each("loadhost_current_fail_per_sec",
       [&](const stats::StatsEntry& e) { return number(e.current_fail_per_sec(now, start)); });

  family(out, "loadhost_response_time_seconds", "summary",
         "Response times since the test started (or the stats were reset).");
  for (const Series& s : series) {
    const stats::StatsEntry& e = *s.entry;
    if (e.num_requests() > 0) {
      for (double q : stats::kPercentilesToReport)
        fmt::format_to(std::back_inserter(out), "loadhost_response_time_seconds{{{},quantile=\"{}\"}} {}\n",
                       s.labels, q, number(e.percentile(q) / 1e6));
    }
    fmt::format_to(std::back_inserter(out), "loadhost_response_time_seconds_sum{{{}}} {}\n", s.labels,
                   number(double(e.total_response_time_us()) / 1e6));
    fmt::format_to(std::back_inserter(out), "loadhost_response_time_seconds_count{{{}}} {}\n", s.labels,
                   number(double(e.num_requests())));
  }

  family(out, "loadhost_fail_ratio", "gauge", "Failed requests per request, all entries.");
  fmt::format_to(std::back_inserter(out), "loadhost_fail_ratio {}\n", number(table.total().fail_ratio()));
  family(out, "loadhost_users", "gauge", "Users running.");
  fmt::format_to(std::back_inserter(out), "loadhost_users {}\n", run.users);
  family(out, "loadhost_state", "gauge", "The runner's state: 1 for the current one.");
  for (std::string_view state : kStates)
    fmt::format_to(std::back_inserter(out), "loadhost_state{{state=\"{}\"}} {}\n", state,
                   state == run.state ? 1 : 0);
  return out;
}

}  // namespace loadhost::report
