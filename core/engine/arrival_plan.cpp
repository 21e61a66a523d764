#include "core/engine/arrival_plan.hpp"

#include <algorithm>
#include <cmath>

namespace loadhost::core {

namespace {

constexpr double kForever = std::numeric_limits<double>::infinity();

// Iterations a segment holds over its first `t` seconds.
double count_within(const ArrivalPlan::Segment &s, double t) {
  if (t <= 0) return 0;
  if (std::isinf(s.duration_s)) return s.from_rate * t;  // open-ended: constant
  double slope = (s.to_rate - s.from_rate) / s.duration_s;
  return s.from_rate * t + slope * t * t / 2;
}

// The time within the segment at which it has held `m` iterations: the
// root of from*t + slope*t^2/2 = m, in the form that stays exact when the
// slope is 0 or the start rate is 0.
double time_within(const ArrivalPlan::Segment &s, double m) {
  if (m <= 0) return 0;
  double slope = std::isinf(s.duration_s) ? 0 : (s.to_rate - s.from_rate) / s.duration_s;
  double root = std::sqrt(std::max(0.0, s.from_rate * s.from_rate + 2 * slope * m));
  double denominator = s.from_rate + root;
  return denominator > 0 ? 2 * m / denominator : 0;
}

}  // namespace

ArrivalPlan ArrivalPlan::constant(double rate) {
  ArrivalPlan plan;
  plan.segments_.push_back(Segment{kForever, rate, rate});
  return plan;
}

ArrivalPlan ArrivalPlan::stages(double start_rate, const std::vector<Stage> &stages) {
  ArrivalPlan plan;
  double from = start_rate;
  for (const Stage &s : stages) {
    plan.segments_.push_back(Segment{s.duration_s, from, s.rate});
    from = s.rate;
  }
  return plan;
}

std::optional<double> ArrivalPlan::time_of(double n) const {
  double start = 0;
  double before = 0;  // iterations due before this segment
  for (const Segment &s : segments_) {
    double held = std::isinf(s.duration_s) ? (s.from_rate > 0 ? kForever : 0) : count_within(s, s.duration_s);
    if (n < before + held) return start + std::min(time_within(s, n - before), s.duration_s);
    before += held;
    start += s.duration_s;
  }
  return std::nullopt;
}

double ArrivalPlan::count_at(double t_s) const {
  double start = 0;
  double count = 0;
  for (const Segment &s : segments_) {
    if (t_s <= start) break;
    count += count_within(s, std::min(t_s - start, s.duration_s));
    start += s.duration_s;
  }
  return count;
}

double ArrivalPlan::rate_at(double t_s) const {
  double start = 0;
  for (const Segment &s : segments_) {
    if (t_s < start + s.duration_s) {
      if (std::isinf(s.duration_s)) return s.from_rate;
      return s.from_rate + (s.to_rate - s.from_rate) * (t_s - start) / s.duration_s;
    }
    start += s.duration_s;
  }
  return 0;
}

double ArrivalPlan::duration_s() const {
  double total = 0;
  for (const Segment &s : segments_) total += s.duration_s;
  return total;
}

ArrivalPlan ArrivalPlan::scaled(double factor) const {
  ArrivalPlan plan = *this;
  for (Segment &s : plan.segments_) {
    s.from_rate *= factor;
    s.to_rate *= factor;
  }
  return plan;
}

ArrivalPlan ArrivalPlan::with_rate_from(double t_s, double rate) const {
  ArrivalPlan plan;
  double start = 0;
  for (const Segment &s : segments_) {
    if (t_s <= start) break;
    if (t_s < start + s.duration_s) {
      double cut = t_s - start;
      plan.segments_.push_back(Segment{cut, s.from_rate, rate_at(t_s)});
      start = t_s;
      break;
    }
    plan.segments_.push_back(s);
    start += s.duration_s;
  }
  if (start < t_s) plan.segments_.push_back(Segment{t_s - start, 0, 0});  // the plan had ended: nothing due
  plan.segments_.push_back(Segment{kForever, rate, rate});
  return plan;
}

}  // namespace loadhost::core
