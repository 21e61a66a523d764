// Connect back-off: a user whose connects fail one after another (the plugin
// completes the call with LH_RESPONSE_NOT_CONNECTED) waits before it may try
// again, 10 ms after the second failure in a row, doubling up to 1 s. Every
// failure is still counted; the user only gets its result later. Without
// it, a quick mode against a refusing port spun at ~90,000 connects a second
// (gRPC: ~100,000 UNAVAILABLE a second for 3 users), burning a core and
// filling memory with failure records. --no-connect-backoff turns it off.
#pragma once

#include <algorithm>
#include <cstdint>

namespace loadhost::core {

constexpr uint64_t kFirstConnectPauseNs = 10'000'000;     // after the 2nd failure in a row
constexpr uint64_t kLongestConnectPauseNs = 1'000'000'000;

// The pause before a user's next attempt after `in_a_row` failed connects.
constexpr uint64_t connect_pause_ns(uint32_t in_a_row) {
  if (in_a_row < 2) return 0;  // one refusal is news, not a pattern
  uint32_t doublings = std::min<uint32_t>(in_a_row - 2, 7);
  return std::min(kFirstConnectPauseNs << doublings, kLongestConnectPauseNs);
}

}  // namespace loadhost::core
