// The thresholds' verdict as the end summary prints it and as the JSON
// report carries it (docs/thresholds.md).
//
//   Thresholds
//     ✓ p(95)<300ms                          212.5 ms
//     ✗ GET /cart: fail_ratio<0.01           0.034 (3.4%)
//     ✗ p(99)<1s abort-on-fail               1412 ms  (stopped the test: ...)
//   thresholds: 2 of 3 failed
//
// The marks are UTF-8 always (k6's); the last line and the "loadhost:
// threshold ... failed" lines on stderr say the same in plain words, for
// logs that mangle the marks and for grep.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/thresholds/threshold_gate.hpp"

namespace loadhost::thresholds {

// The summary block; "" when there are no thresholds.
std::string summary_text(const std::vector<ThresholdResult> &results);

// [{expression, name, metric, comparison, limit, value, unit, ok, aborted,
//   shown}]: `name` null for the Aggregated row; `limit` and `value` in
// `unit` ("ms", "ratio", "count", "per_second"); `value` null when the
// entry had no requests.
nlohmann::json results_json(const std::vector<ThresholdResult> &results);

}  // namespace loadhost::thresholds
