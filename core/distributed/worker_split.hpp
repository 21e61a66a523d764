// WorkerSplit: which users of a distributed test run on which worker.
//
// Users are numbered in the order the UsersDispatcher hands them out
// (fixed_count classes first, then smooth weighted round robin), and user i
// runs on worker i mod n. So the split is deterministic, every worker's
// total differs from another's by at most one, each worker's class mix
// follows the weights, and raising the total only adds users: a ramp never
// moves a running user. When the workers change, the split is computed
// again for the new list (a rebalance).
//
// Thread: control thread.
#pragma once

#include <loadhost/scenario.h>

#include <cstdint>
#include <vector>

#include "core/runner/users_dispatcher.hpp"

namespace loadhost::distributed {

class WorkerSplit {
 public:
  explicit WorkerSplit(const lh_scenario &scenario);
  // Only these classes of the scenario get users (the closed ones of an
  // open-model run: the others run by arrival rate); counts stay indexed
  // as in the scenario.
  WorkerSplit(const lh_scenario &scenario, std::vector<const lh_user_class *> classes);

  // Users per class (index as in the scenario) for each of `workers`
  // workers, for `total` users in all (fewer when only fixed-count classes
  // exist and they are full).
  std::vector<std::vector<uint32_t>> split(uint64_t total, size_t workers);
  // How many users of `total` can run (fixed-count classes cap it).
  uint64_t feasible(uint64_t total);

 private:
  void extend(uint64_t total);

  size_t class_count_;
  std::vector<const lh_user_class *> scenario_classes_;  // for the scenario's indexes
  core::UsersDispatcher dispatcher_;
  std::vector<uint32_t> sequence_;  // class index of user i
  bool exhausted_ = false;
};

}  // namespace loadhost::distributed
