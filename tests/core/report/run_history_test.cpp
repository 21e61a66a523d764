// RunHistory: a point per observation, "current" percentiles of the last
// ~10 s once a window exists, and nothing absurd after a stats reset.
#include "core/report/run_history.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace loadhost::report {
namespace {

constexpr double kStart = 1'700'000'000.0;  // unix seconds of the first second

// A run fed second by second: `per_second` requests of `ms` each in
// second t (at t + 0.5), then one observation at t + 0.9, as the runner's
// once-a-second tick.
struct SimulatedRun {
  stats::StatsTable table{kStart};
  RunHistory history;

  const HistoryPoint& second(int t, int per_second, auto ms_of_request, std::uint64_t users = 5) {
    for (int i = 0; i < per_second; ++i)
      table.record("GET", "/", std::uint64_t(ms_of_request(i) * 1000.0), 10, i % 10 == 0 ? "boom" : "",
                   kStart + t + 0.5);
    return history.observe(table, users, kStart + t + 0.9);
  }
};

// Locust's percentile of 10 s of i = 0..99 taking (i + 1) ms each second:
// every value 1..100 ten times; rank floor(1000 q).
double uniform_percentile(double q) { return std::floor(1000 * q) / 10 + 1; }

TEST(RunHistory, AppendsAPointPerObservation) {
  SimulatedRun run;
  EXPECT_EQ(run.history.last(), nullptr);
  for (int t = 0; t < 3; ++t) {
    const HistoryPoint& p = run.second(t, 20, [](int) { return 5.0; }, 7 + t);
    EXPECT_EQ(run.history.points().size(), size_t(t + 1));
    EXPECT_EQ(&p, run.history.last());
    EXPECT_DOUBLE_EQ(p.time, kStart + t + 0.9);
    EXPECT_EQ(p.users, std::uint64_t(7 + t));
  }
  // Observing twice in one second still adds a point (the chart's x is time).
  run.history.observe(run.table, 9, kStart + 2.95);
  EXPECT_EQ(run.history.points().size(), 4u);
  run.history.clear();
  EXPECT_TRUE(run.history.points().empty());
  EXPECT_EQ(run.history.last(), nullptr);
}

TEST(RunHistory, NoPercentilesBeforeAWindowExists) {
  SimulatedRun run;
  auto five_ms = [](int) { return 5.0; };
  EXPECT_FALSE(run.second(0, 50, five_ms).p50_ms.has_value());
  const HistoryPoint& second = run.second(1, 50, five_ms);
  EXPECT_FALSE(second.p50_ms.has_value());
  EXPECT_FALSE(second.p95_ms.has_value());
  // The first snapshot is 2 s old: Locust's last acceptable one.
  const HistoryPoint& third = run.second(2, 50, five_ms);
  ASSERT_TRUE(third.p50_ms.has_value());
  ASSERT_TRUE(third.p95_ms.has_value());
  EXPECT_NEAR(*third.p50_ms, 5.0, 5.0 / 256);
}

TEST(RunHistory, PercentilesAreThoseOfTheLastTenSeconds) {
  SimulatedRun run;
  // Ten slow seconds first (900 ms), which the window must forget...
  for (int t = 0; t < 10; ++t) run.second(t, 100, [](int) { return 900.0; });
  // ...then 1..100 ms, every second.
  const HistoryPoint* p = nullptr;
  for (int t = 10; t < 25; ++t) p = &run.second(t, 100, [](int i) { return i + 1.0; });
  ASSERT_TRUE(p->p50_ms && p->p95_ms);
  EXPECT_NEAR(*p->p50_ms, uniform_percentile(0.5), uniform_percentile(0.5) / 256);   // 51 ms
  EXPECT_NEAR(*p->p95_ms, uniform_percentile(0.95), uniform_percentile(0.95) / 256);  // 96 ms
  // Rates: 100 requests and 10 failures every second.
  EXPECT_NEAR(p->rps, 100.0, 0.5);
  EXPECT_NEAR(p->fail_per_s, 10.0, 0.5);
  // The cumulative median is still dragged up by the slow start, so the
  // window is what made the difference.
  EXPECT_GT(run.table.total().percentile(0.95) / 1000.0, 800.0);
}

TEST(RunHistory, AResetLeavesNoGarbage) {
  SimulatedRun run;
  for (int t = 0; t < 15; ++t) run.second(t, 200, [](int) { return 700.0; });
  ASSERT_NEAR(*run.history.last()->p50_ms, 700.0, 700.0 / 256);

  // The runner resets the table; the driver tells the history.
  run.table.reset(kStart + 15.0);
  run.history.stats_were_reset();
  const size_t before = run.history.points().size();
  // 10, 20, 30, 40 and 50 ms, twice each a second: p50 30 ms, p95 50 ms.
  auto spread = [](int i) { return (i % 5 + 1) * 10.0; };
  for (int t = 15; t < 30; ++t) {
    const HistoryPoint& p = run.second(t, 10, spread);
    SCOPED_TRACE(t);
    // A smaller cumulative table than the old snapshots: a window must not
    // subtract them (the counts would wrap to huge ones, and every
    // percentile would become the window's maximum).
    if (p.p50_ms) EXPECT_NEAR(*p.p50_ms, 30.0, 30.0 / 256);
    if (p.p95_ms) EXPECT_NEAR(*p.p95_ms, 50.0, 50.0 / 256);
    EXPECT_GE(p.rps, 0.0);
    EXPECT_LE(p.rps, 10.5);
  }
  EXPECT_EQ(run.history.points().size(), before + 15) << "the points before the reset stay";
  // The new window exists again after 2 s and holds only the new samples.
  EXPECT_FALSE(run.history.points()[before].p50_ms.has_value());
  ASSERT_TRUE(run.history.last()->p50_ms && run.history.last()->p95_ms);
  EXPECT_NEAR(*run.history.last()->p50_ms, 30.0, 30.0 / 256);
  EXPECT_NEAR(run.history.last()->rps, 10.0, 0.5);
}

}  // namespace
}  // namespace loadhost::report
