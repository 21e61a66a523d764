#include "core/thresholds/threshold_gate.hpp"

#include <algorithm>

namespace loadhost::thresholds {

std::optional<std::string> ThresholdGate::check_abort(const stats::StatsTable &table, double elapsed_s) {
  if (aborted_) return std::nullopt;  // the test is stopping already
  for (size_t i = 0; i < thresholds_.size(); ++i) {
    const Threshold &t = thresholds_[i];
    if (!t.abort_on_fail || elapsed_s < t.abort_delay_s) continue;
    Outcome outcome = evaluate(t, table);
    if (!outcome.has_data || outcome.ok) continue;
    aborted_ = i;
    abort_reason_ = failure_line(t, outcome);
    return abort_reason_;
  }
  return std::nullopt;
}

std::vector<ThresholdResult> ThresholdGate::verdict(const stats::StatsTable &table) const {
  std::vector<ThresholdResult> results;
  for (size_t i = 0; i < thresholds_.size(); ++i) {
    ThresholdResult r{thresholds_[i], evaluate(thresholds_[i], table)};
    if (!r.outcome.has_data && !r.threshold.entry_name.empty())
      if (std::string near = closest_name(table, r.threshold.entry_name); !near.empty())
        r.outcome.shown += " (did you mean '" + near + "'?)";
    if (aborted_ == i) {
      r.aborted = true;
      r.abort_reason = abort_reason_;
    }
    results.push_back(std::move(r));
  }
  return results;
}

bool all_ok(const std::vector<ThresholdResult> &results) {
  return std::all_of(results.begin(), results.end(), [](const ThresholdResult &r) { return r.ok(); });
}

}  // namespace loadhost::thresholds
