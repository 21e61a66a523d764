#include "core/runner/open_classes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace loadhost::core {

namespace {

bool covers_open_fields(const lh_user_class &cls) {
  return cls.size >= offsetof(lh_user_class, max_users) + sizeof(cls.max_users);
}

// The most iterations a second the plan ever asks for.
double peak_rate(const ArrivalPlan &plan) {
  double peak = 0;
  for (const ArrivalPlan::Segment &s : plan.segments()) peak = std::max({peak, s.from_rate, s.to_rate});
  return peak;
}

uint32_t default_pre_allocated(const ArrivalPlan &plan) {
  return uint32_t(std::clamp(std::ceil(peak_rate(plan) * 1.0), 1.0, double(UINT32_MAX)));
}

// `total` split by `share`, at least 1.
uint32_t share_of(uint32_t total, double share) {
  return std::max<uint32_t>(1, uint32_t(std::lround(double(total) * share)));
}

}  // namespace

bool class_can_run_open(const lh_user_class &cls) { return covers_open_fields(cls) && cls.run_iteration; }

double class_arrival_rate(const lh_user_class &cls) {
  return covers_open_fields(cls) && std::isfinite(cls.arrival_rate) ? cls.arrival_rate : 0;
}

OpenClasses split_open_classes(const lh_scenario &scenario, const ArrivalOptions &options) {
  OpenClasses out;
  const bool from_flags = !options.plan.empty();
  uint64_t open_weight = 0;
  if (from_flags)
    for (uint32_t i = 0; i < scenario.class_count; ++i)
      if (scenario.classes[i]->fixed_count == 0) open_weight += scenario.classes[i]->weight;

  for (uint32_t i = 0; i < scenario.class_count; ++i) {
    const lh_user_class &cls = *scenario.classes[i];
    bool open = from_flags ? cls.fixed_count == 0 && open_weight > 0 : class_arrival_rate(cls) > 0;
    if (!open) {
      out.closed.push_back(&cls);
      continue;
    }
    if (!class_can_run_open(cls)) {
      out.error = fmt::format("user class {} cannot run by arrival rate: its scenario was built against an "
                              "ABI older than 1.3 (rebuild it with this loadhost's SDK)", cls.name);
      return out;
    }
    OpenClass oc{i, {}, 0, 0};
    if (from_flags) {
      double share = double(cls.weight) / double(open_weight);
      oc.plan = options.plan.scaled(share);
      oc.pre_allocated_users = options.pre_allocated_users ? share_of(options.pre_allocated_users, share)
                                                           : default_pre_allocated(oc.plan);
      oc.max_users = options.max_users ? share_of(options.max_users, share) : 0;
    } else {
      oc.plan = ArrivalPlan::constant(cls.arrival_rate);
      oc.pre_allocated_users = cls.pre_allocated_users ? cls.pre_allocated_users : default_pre_allocated(oc.plan);
      oc.max_users = cls.max_users;
    }
    if (oc.max_users == 0) oc.max_users = oc.pre_allocated_users;
    if (oc.max_users < oc.pre_allocated_users) {
      out.error = fmt::format("user class {}: --max-users ({}) is below --pre-allocated-users ({})", cls.name,
                              oc.max_users, oc.pre_allocated_users);
      return out;
    }
    out.open.push_back(std::move(oc));
  }
  return out;
}

std::vector<ArrivalLaneConfig> lanes_for_loop(const lh_scenario &scenario, const std::vector<OpenClass> &open,
                                              uint32_t loop, uint32_t loops, uint32_t node, uint32_t nodes) {
  std::vector<ArrivalLaneConfig> lanes;
  if (nodes == 0) return lanes;  // no share here
  // This loop's place among every node's loops.
  const uint32_t lanes_in_all = loops * nodes;
  const uint32_t place = loop * nodes + node;
  for (const OpenClass &oc : open) {
    ArrivalLaneConfig lane;
    lane.cls = scenario.classes[oc.index];
    lane.plan = oc.plan;
    lane.slot_offset = place;
    lane.slot_stride = lanes_in_all;
    lane.pre_allocated =
        oc.pre_allocated_users / lanes_in_all + (place < oc.pre_allocated_users % lanes_in_all ? 1 : 0);
    lane.max_users = std::max<uint32_t>(
        {1, lane.pre_allocated, oc.max_users / lanes_in_all + (place < oc.max_users % lanes_in_all ? 1 : 0)});
    lanes.push_back(std::move(lane));
  }
  return lanes;
}

}  // namespace loadhost::core
