#include "core/thresholds/threshold_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace loadhost::thresholds {

namespace {

const char *unit_of(const Threshold &t) {
  switch (kind_of(t.metric)) {
    case MetricKind::duration: return "ms";
    case MetricKind::ratio: return "ratio";
    case MetricKind::count: return "count";
    case MetricKind::rate: return "per_second";
  }
  return "";
}

// Durations travel in milliseconds, as every other time in the JSON report.
double in_unit(const Threshold &t, double value) {
  return kind_of(t.metric) == MetricKind::duration ? value / 1000.0 : value;
}

}  // namespace

std::string summary_text(const std::vector<ThresholdResult> &results) {
  if (results.empty()) return "";
  size_t width = 0;
  for (const ThresholdResult &r : results) width = std::max(width, r.threshold.expression.size());
  std::string out = "Thresholds\n";
  size_t failed = 0;
  for (const ThresholdResult &r : results) {
    failed += r.ok() ? 0 : 1;
    out += fmt::format("  {} {:<{}}  ({})", r.ok() ? "✓" : "✗", r.threshold.expression, width, r.outcome.shown);
    if (r.aborted) out += fmt::format("  stopped the test: {}", r.abort_reason);
    out += "\n";
  }
  out += failed ? fmt::format("thresholds: {} of {} failed\n", failed, results.size())
                : fmt::format("thresholds: all {} passed\n", results.size());
  return out;
}

nlohmann::json results_json(const std::vector<ThresholdResult> &results) {
  nlohmann::json out = nlohmann::json::array();
  for (const ThresholdResult &r : results) {
    const Threshold &t = r.threshold;
    out.push_back({
        {"expression", t.expression},
        {"name", t.entry_name.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.entry_name)},
        {"metric", metric_text(t)},
        {"comparison", comparison_text(t.comparison)},
        {"limit", in_unit(t, t.limit)},
        {"value", r.outcome.has_data ? nlohmann::json(in_unit(t, r.outcome.value)) : nlohmann::json(nullptr)},
        {"unit", unit_of(t)},
        {"shown", r.outcome.shown},
        {"ok", r.ok()},
        {"aborted", r.aborted},
        {"abort_on_fail", t.abort_on_fail},
    });
  }
  return out;
}

}  // namespace loadhost::thresholds
