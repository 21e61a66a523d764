// TestRun: one test from start to stop as the hosts see it — what the
// console, the reports and the web UI read and control, whether the users
// run here (core::Runner) or on workers (the distributed master).
//
// Why an interface: a test started on a master must report exactly as a
// local one (same files, same summary, same UI), so the host drives both
// through one shape.
//
// Thread: every member on the control thread, except those marked
// [thread-safe].
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/stats/stats_table.hpp"

namespace loadhost::core {

enum class RunnerState { ready, spawning, running, stopping, stopped };
const char *to_string(RunnerState state);

class TestRun {
 public:
  virtual ~TestRun() = default;

  // Begins the test; on_state reports `stopped` at its end.
  virtual void start() = 0;
  // [thread-safe]
  virtual void stop(std::string reason) = 0;
  // [thread-safe] Changes the user count of the running test.
  virtual void set_target(uint32_t users, double spawn_rate) = 0;
  // [thread-safe] Stops the running test `seconds` from now.
  virtual void stop_after(double seconds) = 0;
  // [thread-safe] Zeroes the merged stats.
  virtual void reset_stats() = 0;

  virtual RunnerState state() const = 0;
  // The merged stats (complete once stopped).
  virtual const stats::StatsTable &stats() const = 0;
  virtual uint64_t user_count() const = 0;
  // Users running per class (index as in the scenario).
  virtual std::vector<uint32_t> class_counts() const = 0;
  virtual const std::string &stop_reason() const = 0;
  virtual double started_at() const = 0;  // unix seconds
  virtual double elapsed_s() const = 0;
  // Where the users run, for the start line: "on 4 threads", "on 3 workers".
  virtual std::string placement() const = 0;

  // Called once a second after the merge, and once at the end.
  std::function<void(const stats::StatsTable &, uint64_t user_count)> on_tick;
  std::function<void(RunnerState)> on_state;
};

}  // namespace loadhost::core
