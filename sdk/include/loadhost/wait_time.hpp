// loadhost C++ SDK — wait times between tasks, as Locust's wait_time.
#pragma once

#include <algorithm>
#include <functional>
#include <random>

#include "loadhost/random.hpp"
#include "loadhost/runtime.hpp"

namespace loadhost {

// What a wait-time function sees: the time since the last task started (for
// pacing) and the user's random generator.
struct WaitContext {
  Duration since_task_start;
  Random &random;
};

using WaitTime = std::function<Duration(WaitContext &)>;

// A random wait, uniform in [min, max].
inline WaitTime between(Duration min, Duration max) {
  return [min, max](WaitContext &c) {
    std::uniform_real_distribution<double> d(min.count(), max.count());
    return Duration(d(c.random));
  };
}

// Always the same wait.
inline WaitTime constant(Duration wait) {
  return [wait](WaitContext &) { return wait; };
}

// A paced wait (constant_pacing, constant_throughput): a named type, so the
// user loop can tell it apart and give each task an intended start — the
// previous one plus the period, never reset (wrk2) — for the latency
// corrected for coordinated omission (docs/workload-models.md). A user
// whose task ran past its slot then starts the next ones without waiting
// until it is back on schedule.
struct PacedWait {
  Duration period;
  Duration operator()(WaitContext &c) const { return std::max(Duration(0), period - c.since_task_start); }
};

// Tasks start every `period` (the wait absorbs the task's own time).
inline WaitTime constant_pacing(Duration period) { return PacedWait{period}; }

// At most `tasks_per_second` task runs per second per user.
inline WaitTime constant_throughput(double tasks_per_second) {
  return constant_pacing(Duration(1.0 / tasks_per_second));
}

}  // namespace loadhost
