// ArrivalPlan: when the open model's iterations are due — a piecewise-linear
// rate over time (k6's constant- and ramping-arrival-rate), and the exact
// inverse of its integral.
//
// The n-th iteration (0-based) is due when the integral of the rate since
// the start reaches n: at a constant 1000/s, iteration n is due at n ms; in
// a ramp the spacing follows the rate continuously (no per-second rounding,
// no burst at each second). Pure arithmetic, no clock: ArrivalDriver turns
// these times into timers, and tests check counts and spacing without
// sleeping.
//
// Splitting over loops: loop l of L runs iterations l, l + L, l + 2L, ... so
// each loop runs rate / L and the union is the plan's own even sequence.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace loadhost::core {

class ArrivalPlan {
 public:
  // A stretch of time over which the rate moves linearly (per second).
  struct Segment {
    double duration_s;  // infinity for an open-ended last segment
    double from_rate;
    double to_rate;
  };

  ArrivalPlan() = default;
  // `rate` iterations a second, until the test stops.
  static ArrivalPlan constant(double rate);
  // k6's ramping-arrival-rate: each stage ramps linearly from the previous
  // stage's rate (the first from `start_rate`) to its own; the plan ends
  // with the last stage.
  struct Stage {
    double duration_s;
    double rate;  // per second, at the end of the stage
  };
  static ArrivalPlan stages(double start_rate, const std::vector<Stage> &stages);

  // Seconds since the start at which iteration n (0-based; may be
  // fractional) is due; none when the plan ends (or its rate stays 0)
  // before that many iterations.
  std::optional<double> time_of(double n) const;
  // Iterations due in [0, t]: the integral of the rate.
  double count_at(double t_s) const;
  // The rate at t.
  double rate_at(double t_s) const;
  // How long the plan lasts; infinity when open-ended.
  double duration_s() const;
  // This plan with every rate multiplied (a class's share of the total).
  ArrivalPlan scaled(double factor) const;
  // This plan up to `t_s`, then `rate` from there on, open-ended (a load
  // shape's tick changing the rate). count_at and time_of agree with this
  // plan before t_s, so loops that switch at slightly different moments
  // keep one sequence of iterations.
  ArrivalPlan with_rate_from(double t_s, double rate) const;

  bool empty() const { return segments_.empty(); }
  const std::vector<Segment> &segments() const { return segments_; }

 private:
  std::vector<Segment> segments_;
};

}  // namespace loadhost::core
