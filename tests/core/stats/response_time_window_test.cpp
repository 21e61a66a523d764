// ResponseTimeWindow: "current" percentiles from per-second snapshots.
#include "core/stats/response_time_window.hpp"

#include <gtest/gtest.h>

namespace loadhost::stats {
namespace {

// Second t (1000..1030) adds 100 samples of (t - 999) ms, then is observed.
struct SimulatedRun {
  LatencyHistogram cumulative;
  ResponseTimeWindow window;

  void second(int t, bool observe = true) {
    for (int i = 0; i < 100; ++i) cumulative.record(static_cast<std::uint64_t>(t - 999) * 1'000);
    if (observe) window.observe(cumulative, t + 0.3);
  }
};

TEST(ResponseTimeWindow, IsTheLastTenSeconds) {
  SimulatedRun run;
  for (int t = 1000; t <= 1030; ++t) run.second(t);
  // Snapshot of 1020 (t - 10) is subtracted: seconds 1021..1030 remain,
  // values 22..31 ms.
  const auto recent = run.window.window(run.cumulative, 1030.6);
  ASSERT_TRUE(recent.has_value());
  EXPECT_EQ(recent->count(), 1'000u);
  EXPECT_NEAR(recent->percentile(0.0), 22'000.0, 22'000.0 / 256);
  EXPECT_NEAR(recent->percentile(0.5), 27'000.0, 27'000.0 / 256);
  EXPECT_NEAR(recent->percentile(1.0), 31'000.0, 31'000.0 / 256);
  EXPECT_EQ(recent->sum(), 100u * 1'000u * (22 + 31) * 10 / 2);
}

TEST(ResponseTimeWindow, FallsBackInLocustsOrder) {
  SimulatedRun run;
  for (int t = 1000; t <= 1030; ++t) run.second(t, t == 1019 || t == 1021);
  // t-10 = 1020 missing; Locust tries t-11 (1019) before t-9 (1021).
  const auto recent = run.window.window(run.cumulative, 1030.0);
  ASSERT_TRUE(recent.has_value());
  EXPECT_EQ(recent->count(), 1'100u);
}

TEST(ResponseTimeWindow, NothingBeforeTheFirstUsableSnapshot) {
  SimulatedRun run;
  EXPECT_FALSE(run.window.window(run.cumulative, 1000.0).has_value());
  run.second(1000);
  // Only a snapshot 1 s old: outside t-18 .. t-2.
  EXPECT_FALSE(run.window.window(run.cumulative, 1001.0).has_value());
  // 2 s old is the last acceptable fallback.
  EXPECT_TRUE(run.window.window(run.cumulative, 1002.0).has_value());
  // Older than t-18 is gone.
  EXPECT_FALSE(run.window.window(run.cumulative, 1019.0).has_value());
}

}  // namespace
}  // namespace loadhost::stats
