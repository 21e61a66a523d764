#include "core/stats/response_time_window.hpp"

#include <cmath>

namespace loadhost::stats {

namespace {

std::int64_t unix_second(double unix_now) {
  return static_cast<std::int64_t>(std::floor(unix_now));
}

std::size_t slot_of(std::int64_t second, std::size_t size) {
  return static_cast<std::size_t>(second % static_cast<std::int64_t>(size));
}

}  // namespace

void ResponseTimeWindow::observe(const LatencyHistogram& cumulative, double unix_now) {
  const std::int64_t second = unix_second(unix_now);
  Snapshot& slot = ring_[slot_of(second, ring_.size())];
  if (second < slot.second_) return;  // clock went back: keep the newer copy
  slot.second_ = second;
  slot.histogram_ = cumulative;  // copy-assign reuses the slot's bucket array
}

const ResponseTimeWindow::Snapshot* ResponseTimeWindow::find(std::int64_t second) const {
  if (second < 0) return nullptr;
  const Snapshot& slot = ring_[slot_of(second, ring_.size())];
  return slot.second_ == second ? &slot : nullptr;
}

std::optional<LatencyHistogram> ResponseTimeWindow::window(const LatencyHistogram& cumulative,
                                                           double unix_now) const {
  const std::int64_t start = unix_second(unix_now) - kWindowSeconds;
  const Snapshot* found = find(start);
  for (int i = 1; i < 9 && found == nullptr; ++i) {
    found = find(start - i);
    if (found == nullptr) found = find(start + i);
  }
  if (found == nullptr) return std::nullopt;
  LatencyHistogram recent = cumulative;
  recent.subtract(found->histogram_);
  return recent;
}

}  // namespace loadhost::stats
