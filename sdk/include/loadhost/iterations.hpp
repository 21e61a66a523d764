// loadhost C++ SDK — -i/--iterations N (locust-plugins' flag): at most N
// task runs in this process. Once N have started, a user stops at the start
// of its next task (on_stop runs; it is not replaced), and when the N-th
// has finished the test stops. A TaskSet's tasks count as runs too, as in
// locust-plugins. Without -i it costs one relaxed load per task.
#pragma once

#include <atomic>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "loadhost/runtime.hpp"

namespace loadhost::detail {

struct IterationLimit {
  std::atomic<uint64_t> limit{0};  // 0: none
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> finished{0};
};
inline IterationLimit g_iterations;

// [control-thread] At init and at each test's start, before users spawn.
inline void read_iteration_limit() {
  std::string_view text = option("iterations");
  uint64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  g_iterations.started.store(0, std::memory_order_relaxed);
  g_iterations.finished.store(0, std::memory_order_relaxed);
  g_iterations.limit.store(n, std::memory_order_release);
}

// [loop-thread] Before a task runs: false when the limit is reached.
inline bool iteration_may_start() {
  uint64_t limit = g_iterations.limit.load(std::memory_order_relaxed);
  return limit == 0 || g_iterations.started.fetch_add(1, std::memory_order_relaxed) < limit;
}

// [loop-thread] After a task ended, however it ended.
inline void iteration_done() {
  uint64_t limit = g_iterations.limit.load(std::memory_order_relaxed);
  if (limit != 0 && g_iterations.finished.fetch_add(1, std::memory_order_acq_rel) + 1 == limit)
    stop_test("-i " + std::to_string(limit) + ": every task iteration has run");
}

}  // namespace loadhost::detail
