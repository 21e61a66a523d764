// The host's one monotonic clock: every event's start and duration come from
// here, so latencies from different plugins and loops are comparable.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace loadhost::core {

inline uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

// Wall clock in seconds, for the per-second rate windows and CSV timestamps.
// The coarse clock is a few ns per read: cheap enough for every request.
inline double unix_now_coarse() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// CPU time the calling thread has used: what a piece of control-thread work
// costs, whether or not the loop threads left it a core.
inline uint64_t calling_thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

inline double unix_now() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// A duration in seconds as the options carry it (-t 1.5s), for a timer.
inline std::chrono::nanoseconds seconds_as_duration(double seconds) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

}  // namespace loadhost::core
