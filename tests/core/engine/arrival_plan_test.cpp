// ArrivalPlan: the open model's schedule, checked by arithmetic alone (no
// clock, no sleep): how many iterations a plan starts, and how evenly, for a
// constant rate, a ramp, stages, a split over loops and a rate change.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/engine/arrival_plan.hpp"

namespace loadhost::core {
namespace {

// The start times (s) of the iterations due before `until_s`, of the slots
// a loop `offset` of `stride` runs — as ArrivalDriver walks them.
std::vector<double> slot_times(const ArrivalPlan &plan, double until_s, uint32_t offset = 0, uint32_t stride = 1) {
  std::vector<double> times;
  for (uint64_t k = 0;; ++k) {
    std::optional<double> t = plan.time_of(double(offset) + double(k) * double(stride));
    if (!t || *t >= until_s) break;
    times.push_back(*t);
  }
  return times;
}

TEST(ArrivalPlan, ConstantRateStartsExactlyRateTimesDurationEvenlySpaced) {
  ArrivalPlan plan = ArrivalPlan::constant(1000);
  std::vector<double> times = slot_times(plan, 60.0);
  // The bar is 60,000 +- 0.1 %; the arithmetic gives it exactly.
  EXPECT_EQ(times.size(), 60000u);
  for (size_t i = 1; i < times.size(); ++i)
    ASSERT_NEAR(times[i] - times[i - 1], 0.001, 1e-9) << "slot " << i << ": no bursts, no gaps";
  EXPECT_DOUBLE_EQ(times.front(), 0.0);
}

TEST(ArrivalPlan, EachSecondHoldsItsShareNoBurstAtTheSecond) {
  ArrivalPlan plan = ArrivalPlan::constant(500);
  std::vector<double> times = slot_times(plan, 3.0);
  std::vector<int> per_tenth(30, 0);
  for (double t : times) ++per_tenth[size_t(t * 10 + 1e-9)];
  for (int n : per_tenth) EXPECT_EQ(n, 50) << "every 100 ms holds 50 starts at 500/s";
}

TEST(ArrivalPlan, RampFollowsTheIntegralOfTheRate) {
  // 0 -> 1000/s over 10 s: 5,000 iterations, the gaps narrowing as 1/rate.
  ArrivalPlan plan = ArrivalPlan::stages(0, {{10.0, 1000.0}});
  std::vector<double> times = slot_times(plan, 10.0);
  EXPECT_NEAR(double(times.size()), 5000.0, 1.0);
  EXPECT_NEAR(plan.count_at(5.0), 1250.0, 1e-6);  // (0 + 500) / 2 * 5
  // Around t = 8 s the rate is 800/s: gaps of 1.25 ms.
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] < 7.99 || times[i] > 8.01) continue;
    EXPECT_NEAR(times[i] - times[i - 1], 1.0 / 800, 2e-6);
  }
  // Iteration n is due exactly when the integral reaches n.
  for (double n : {1.0, 100.0, 2500.0, 4999.0}) {
    std::optional<double> t = plan.time_of(n);
    ASSERT_TRUE(t);
    EXPECT_NEAR(plan.count_at(*t), n, 1e-6);
  }
  EXPECT_FALSE(plan.time_of(5000.5)) << "the plan ends with its last stage";
}

TEST(ArrivalPlan, StagesRampUpHoldAndDown) {
  // k6's example: 30s:100/s, 60s hold, 30s down to 0, from a start of 100/s.
  ArrivalPlan plan = ArrivalPlan::stages(100, {{30.0, 100.0}, {60.0, 1000.0}, {30.0, 0.0}});
  double expected = 30 * 100 + 60 * (100 + 1000) / 2.0 + 30 * 1000 / 2.0;
  EXPECT_NEAR(double(slot_times(plan, 1e9).size()), expected, 1.0);
  EXPECT_DOUBLE_EQ(plan.duration_s(), 120.0);
  EXPECT_NEAR(plan.rate_at(60.0), 550.0, 1e-9);
  EXPECT_NEAR(plan.rate_at(105.0), 500.0, 1e-9);
}

TEST(ArrivalPlan, LoopsSplitTheSlotsIntoOneEvenSequence) {
  ArrivalPlan plan = ArrivalPlan::constant(300);
  std::vector<double> all;
  const uint32_t loops = 4;
  for (uint32_t l = 0; l < loops; ++l) {
    std::vector<double> mine = slot_times(plan, 2.0, l, loops);
    EXPECT_NEAR(double(mine.size()), 600.0 / loops, 1.0) << "loop " << l << " runs rate / loops";
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 600u);
  for (size_t i = 1; i < all.size(); ++i) ASSERT_NEAR(all[i] - all[i - 1], 1.0 / 300, 1e-9);
}

TEST(ArrivalPlan, ScaledAndRateChangeKeepTheSequenceBeforeTheChange) {
  ArrivalPlan plan = ArrivalPlan::constant(100).scaled(0.5);  // a class with half the weight
  EXPECT_NEAR(plan.count_at(10.0), 500.0, 1e-9);
  ArrivalPlan changed = plan.with_rate_from(4.0, 200);
  for (double n : {0.0, 10.0, 199.0}) EXPECT_DOUBLE_EQ(*changed.time_of(n), *plan.time_of(n));
  EXPECT_NEAR(changed.count_at(6.0), 200.0 + 400.0, 1e-9);
  EXPECT_NEAR(*changed.time_of(600.0), 6.0, 1e-9);
}

TEST(ArrivalPlan, ZeroRateStartsNothing) {
  EXPECT_FALSE(ArrivalPlan::constant(0).time_of(0));
  EXPECT_FALSE(ArrivalPlan().time_of(0));
  ArrivalPlan pause = ArrivalPlan::stages(0, {{5.0, 0.0}, {1.0, 10.0}});
  std::optional<double> first = pause.time_of(0);
  ASSERT_TRUE(first);
  EXPECT_NEAR(*first, 5.0, 1e-9) << "nothing during the 0/s stage";
}

}  // namespace
}  // namespace loadhost::core
