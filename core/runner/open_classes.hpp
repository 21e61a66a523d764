// OpenClasses: which user classes of a run are open (driven by arrival
// rate, docs/workload-models.md) and each one's schedule and pool, and the
// share of each that one loop thread runs.
//
//   - With --arrival-rate or --arrival-stages, every class without a
//     fixed_count is open; they share the rate (and the pool flags) by
//     weight. A class's own arrival_rate is then ignored.
//   - Without them, a class with its own arrival_rate > 0 is open at that
//     rate, with its own pre_allocated_users / max_users (else defaults).
//   - Every other class is closed: -u / -r / a shape's user count size it.
// Defaults: pre-allocated = the peak rate x 1 s (at least 1); max-users =
// pre-allocated (k6's maxVUs default): a server slower than a second shows
// up as dropped iterations, not as an ever-growing pool.
#pragma once

#include <loadhost/scenario.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/arrival_driver.hpp"
#include "core/engine/arrival_plan.hpp"

namespace loadhost::core {

// What the command line says about the open model.
struct ArrivalOptions {
  ArrivalPlan plan;                  // empty = no --arrival-rate / --arrival-stages
  uint32_t pre_allocated_users = 0;  // 0 = default
  uint32_t max_users = 0;            // 0 = default
  // A distributed run: this process is node `node` of `nodes` (a worker of
  // its master) and runs that share of every open class's slots and pools.
  // nodes 0: none here (a worker that joined after the test started).
  uint32_t node = 0;
  uint32_t nodes = 1;
};

struct OpenClass {
  uint32_t index;  // in the scenario
  ArrivalPlan plan;
  uint32_t pre_allocated_users;
  uint32_t max_users;
};

struct OpenClasses {
  std::vector<OpenClass> open;
  std::vector<const lh_user_class *> closed;  // for the users dispatcher
  std::string error;                          // a class that cannot run open, or a bad pool
};

OpenClasses split_open_classes(const lh_scenario &scenario, const ArrivalOptions &options);

// Loop `loop` of `loops` on node `node` of `nodes`: its slots of each open
// class (every (loops x nodes)-th, offset by the loop's place among all the
// nodes' loops) and its share of each pool (at least one user, so every
// loop can run its slots).
std::vector<ArrivalLaneConfig> lanes_for_loop(const lh_scenario &scenario, const std::vector<OpenClass> &open,
                                              uint32_t loop, uint32_t loops, uint32_t node = 0, uint32_t nodes = 1);

// The class's open-model fields, when its size covers them (ABI 1.3).
bool class_can_run_open(const lh_user_class &cls);
double class_arrival_rate(const lh_user_class &cls);

}  // namespace loadhost::core
