#include "core/thresholds/threshold.hpp"

#include <fmt/format.h>

namespace loadhost::thresholds {

MetricKind kind_of(Metric metric) {
  switch (metric) {
    case Metric::percentile:
    case Metric::avg:
    case Metric::min:
    case Metric::max:
    case Metric::med:
      return MetricKind::duration;
    case Metric::fail_ratio:
      return MetricKind::ratio;
    case Metric::failures:
    case Metric::requests:
      return MetricKind::count;
    case Metric::rps:
    case Metric::fail_rps:
      return MetricKind::rate;
  }
  return MetricKind::count;
}

std::string metric_text(const Threshold &t) {
  switch (t.metric) {
    case Metric::percentile: return fmt::format("p({:g})", t.percentile * 100.0);
    case Metric::avg: return "avg";
    case Metric::min: return "min";
    case Metric::max: return "max";
    case Metric::med: return "med";
    case Metric::fail_ratio: return "fail_ratio";
    case Metric::failures: return "failures";
    case Metric::requests: return "requests";
    case Metric::rps: return "rps";
    case Metric::fail_rps: return "fail_rps";
  }
  return "";
}

const char *comparison_text(Comparison c) {
  switch (c) {
    case Comparison::less: return "<";
    case Comparison::less_equal: return "<=";
    case Comparison::greater: return ">";
    case Comparison::greater_equal: return ">=";
    case Comparison::equal: return "==";
    case Comparison::not_equal: return "!=";
  }
  return "";
}

bool passes(const Threshold &t, double value) {
  switch (t.comparison) {
    case Comparison::less: return value < t.limit;
    case Comparison::less_equal: return value <= t.limit;
    case Comparison::greater: return value > t.limit;
    case Comparison::greater_equal: return value >= t.limit;
    case Comparison::equal: return value == t.limit;
    case Comparison::not_equal: return value != t.limit;
  }
  return false;
}

}  // namespace loadhost::thresholds
