// The percentiles every report shows, and their column labels.
//
// Why one list: the CSV headers, the console percentile table and the JSON
// report must name the same columns as Locust does (PERCENTILES_TO_REPORT).
#pragma once

#include <array>
#include <string>

namespace loadhost::stats {

inline constexpr std::array<double, 11> kPercentilesToReport = {
    0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0};

// Locust's get_readable_percentiles for one value: 0.5 -> "50%",
// 0.999 -> "99.9%", 0.9999 -> "99.99%".
std::string percentile_label(double q);

}  // namespace loadhost::stats
