#include "core/distributed/worker_split.hpp"

#include <algorithm>

namespace loadhost::distributed {

WorkerSplit::WorkerSplit(const lh_scenario &scenario)
    : WorkerSplit(scenario,
                  std::vector<const lh_user_class *>(scenario.classes, scenario.classes + scenario.class_count)) {}

WorkerSplit::WorkerSplit(const lh_scenario &scenario, std::vector<const lh_user_class *> classes)
    : class_count_(scenario.class_count),
      scenario_classes_(scenario.classes, scenario.classes + scenario.class_count),
      dispatcher_(std::move(classes)) {}

void WorkerSplit::extend(uint64_t total) {
  while (!exhausted_ && sequence_.size() < total) {
    const lh_user_class *cls = dispatcher_.next();
    if (!cls) {
      exhausted_ = true;
      break;
    }
    sequence_.push_back(uint32_t(std::find(scenario_classes_.begin(), scenario_classes_.end(), cls) -
                                 scenario_classes_.begin()));
  }
}

uint64_t WorkerSplit::feasible(uint64_t total) {
  extend(total);
  return std::min<uint64_t>(total, sequence_.size());
}

std::vector<std::vector<uint32_t>> WorkerSplit::split(uint64_t total, size_t workers) {
  std::vector<std::vector<uint32_t>> out(workers, std::vector<uint32_t>(class_count_, 0));
  if (workers == 0) return out;
  uint64_t n = feasible(total);
  for (uint64_t i = 0; i < n; ++i) ++out[i % workers][sequence_[i]];
  return out;
}

}  // namespace loadhost::distributed
