#include "core/stats/percentiles.hpp"

#include <cmath>

#include <fmt/format.h>

namespace loadhost::stats {

std::string percentile_label(double q) {
  const double percent = q * 100.0;
  if (percent == std::floor(percent)) return fmt::format("{}%", static_cast<long long>(percent));
  // Python's round(x, 6) then str(): shortest text of the rounded value.
  return fmt::format("{}%", std::round(percent * 1e6) / 1e6);
}

}  // namespace loadhost::stats
