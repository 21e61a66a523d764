// Threshold: one pass/fail criterion over the run's stats, k6's thresholds
// for loadhost (docs/thresholds.md):
//
//   [NAME:] METRIC OP VALUE [abort-on-fail [delay DURATION]]
//   p(95)<300ms     GET /cart: fail_ratio<0.01     rps>1000 abort-on-fail delay 10s
//
// A plain value, parsed once before the run (threshold_parser.hpp) and then
// evaluated against stats tables (threshold_evaluator.hpp): at the end, and
// once a second for those with abort-on-fail.
#pragma once

#include <string>

namespace loadhost::thresholds {

// What a threshold measures on its stats entry.
enum class Metric {
  percentile,  // p(N): the histogram's percentile, as the reports' columns
  avg,
  min,
  max,
  med,
  fail_ratio,  // failures per request, 0..1
  failures,    // count
  requests,    // count
  rps,         // requests per second over the run (the reports' total_rps)
  fail_rps,    // failures per second over the run
};

// The unit a metric's value is in, which decides what a VALUE may be.
enum class MetricKind {
  duration,  // microseconds inside; written with a unit (300ms), shown in ms
  ratio,     // 0..1; written as 0.01 or 1%
  count,
  rate,      // per second
};

enum class Comparison { less, less_equal, greater, greater_equal, equal, not_equal };

struct Threshold {
  std::string expression;   // as the user wrote it, for the summary and the JSON report
  std::string criterion;    // the expression without its options ("p(95)<300ms"), for failure lines
  std::string entry_name;   // "" = the Aggregated row; see threshold_evaluator.hpp
  Metric metric = Metric::avg;
  double percentile = 0;    // p(N)'s N/100, 0..1 (Metric::percentile only)
  Comparison comparison = Comparison::less;
  double limit = 0;         // microseconds for durations, else as the metric
  bool abort_on_fail = false;
  double abort_delay_s = 0; // abort only from this long after the test started
};

MetricKind kind_of(Metric metric);
// "p(95)", "avg", "fail_ratio"... as written in an expression.
std::string metric_text(const Threshold &threshold);
const char *comparison_text(Comparison comparison);
// Whether `value` (in the metric's unit, microseconds for durations) meets
// the threshold.
bool passes(const Threshold &threshold, double value);

}  // namespace loadhost::thresholds
