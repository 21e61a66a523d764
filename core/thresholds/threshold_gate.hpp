// ThresholdGate: the thresholds of one test, and what became of them — the
// once-a-second abort check of those with abort-on-fail, and the verdict
// over the final stats.
//
// Why the host calls it and not the runner: the thresholds need only the
// merged stats table a runner's on_tick hands over, the same for a local
// runner and a distributed master, so the gate works for both, and for
// every protocol, without either knowing of it.
//
// Thread safety: none; the control thread owns it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/stats/stats_table.hpp"
#include "core/thresholds/threshold.hpp"
#include "core/thresholds/threshold_evaluator.hpp"

namespace loadhost::thresholds {

struct ThresholdResult {
  Threshold threshold;
  Outcome outcome;       // over the final stats
  bool aborted = false;  // this threshold stopped the test (then it failed, whatever the final value)
  std::string abort_reason;  // "threshold p(95)<300ms failed: 412 ms" when aborted, at the time
  bool ok() const { return outcome.ok && !aborted; }
};

class ThresholdGate {
 public:
  ThresholdGate() = default;
  explicit ThresholdGate(std::vector<Threshold> thresholds) : thresholds_(std::move(thresholds)) {}

  bool empty() const { return thresholds_.empty(); }
  const std::vector<Threshold> &thresholds() const { return thresholds_; }

  // Once a second while the test runs, `elapsed_s` after it started: the
  // first abort-on-fail threshold past its delay whose entry has requests
  // and fails, as the reason to stop with; nullopt when none. An entry
  // without requests yet does not abort (it may still come).
  std::optional<std::string> check_abort(const stats::StatsTable &table, double elapsed_s);

  // At the end: every threshold over the final stats, in order.
  std::vector<ThresholdResult> verdict(const stats::StatsTable &table) const;

 private:
  std::vector<Threshold> thresholds_;
  std::optional<size_t> aborted_;  // index of the threshold that stopped the test
  std::string abort_reason_;
};

// True when every result is ok (also when there are none).
bool all_ok(const std::vector<ThresholdResult> &results);

}  // namespace loadhost::thresholds
