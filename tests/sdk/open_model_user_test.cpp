// The C++ SDK's open-model user (docs/workload-models.md) driven by the real
// engine, runner and ArrivalDriver, with no network: tasks report their own
// events, so the stats show which iterations ran.
#include <gtest/gtest.h>

#include <loadhost/loadhost.hpp>

#include <atomic>

#include "core/engine/engine.hpp"
#include "core/loader/plugin_registry.hpp"
#include "core/runner/runner.hpp"

using namespace loadhost;

namespace {

std::atomic<int> g_starts{0};
std::atomic<int> g_stops{0};

// One quick task; every 10th run throws (counted, the user goes on).
struct Quick : User {
  Quick() { task(1, &Quick::work); }
  int runs = 0;
  Task<> on_start() override {
    ++g_starts;
    co_return;
  }
  Task<> on_stop() override {
    ++g_stops;
    co_return;
  }
  Task<> work() {
    report_request("task", "work", 0.001s);
    if (++runs % 10 == 0) throw std::runtime_error("every tenth fails");
    co_return;
  }
};

// A task of 100 ms: two of these users serve 20 iterations a second.
struct Slow : User {
  Slow() { task(1, &Slow::work); }
  Task<> work() {
    co_await sleep(0.1s);
    report_request("task", "slow", 0.1s);
  }
};

}  // namespace

LOADHOST_SCENARIO_ENTRY(open_quick_entry, Quick);
LOADHOST_SCENARIO_ENTRY(open_slow_entry, Slow);

namespace {

struct OpenRun {
  stats::StatsTable stats;
  std::string stop_reason;
};

OpenRun run_open(const lh_entry &entry, core::RunOptions options, std::map<std::string, std::string> run_options = {}) {
  core::EngineConfig config;
  config.loop_threads = 2;
  config.options = std::move(run_options);
  core::Engine engine(config);
  EXPECT_EQ(engine.plugins().add_builtin(&entry, "test scenario"), "");
  core::Runner runner(engine, *engine.plugins().scenario(), options);
  runner.run();
  OpenRun result;
  result.stats.merge(runner.stats());
  result.stop_reason = runner.stop_reason();
  return result;
}

core::RunOptions open_options(double rate, uint32_t pre, uint32_t max, double seconds) {
  core::RunOptions o;
  o.users = 5;  // -u sizes closed classes only: none here
  o.spawn_rate = 0;
  o.run_time_s = seconds;
  o.arrival.plan = core::ArrivalPlan::constant(rate);
  o.arrival.pre_allocated_users = pre;
  o.arrival.max_users = max;
  return o;
}

TEST(OpenModelUser, RunsOneTaskPerIterationWithOnStartAndOnStopOncePerUser) {
  g_starts = 0;
  g_stops = 0;
  OpenRun r = run_open(open_quick_entry, open_options(200, 2, 6, 1.0));
  const stats::StatsEntry *work = r.stats.find("task", "work");
  ASSERT_TRUE(work);
  EXPECT_NEAR(double(work->num_requests()), 200.0, 4.0) << "200/s for 1 s";
  EXPECT_EQ(r.stats.iterations().started, work->num_requests()) << "one task per iteration";
  EXPECT_EQ(r.stats.iterations().dropped, 0u);
  auto exceptions = r.stats.sorted_exceptions();
  ASSERT_EQ(exceptions.size(), 1u);
  EXPECT_EQ(exceptions[0]->message_, "every tenth fails");
  EXPECT_GE(g_starts.load(), 2) << "the pre-allocated users";
  EXPECT_LE(g_starts.load(), 6) << "never above --max-users";
  EXPECT_EQ(g_stops.load(), g_starts.load()) << "every user's on_stop at the end";
}

TEST(OpenModelUser, ABusyPoolAtItsCeilingQueuesASecondsWorthThenDrops) {
  // Two users of 100 ms (one per loop thread) serve 20/s of the 100/s
  // asked: the rest wait, up to a second's worth per loop (50), and past
  // that they are dropped.
  OpenRun r = run_open(open_slow_entry, open_options(100, 2, 2, 2.0));
  const stats::StatsEntry *slow = r.stats.find("task", "slow");
  ASSERT_TRUE(slow);
  EXPECT_LE(r.stats.iterations().started, 2u * 2u * 10u + 2u) << "two users, 10 iterations a second each";
  EXPECT_GT(r.stats.iterations().dropped, 20u);
  EXPECT_LE(r.stats.iterations().started + r.stats.iterations().dropped, 201u);
}

TEST(OpenModelUser, IterationsLimitStopsTheTest) {
  OpenRun r = run_open(open_quick_entry, open_options(500, 4, 4, 10.0), {{"iterations", "50"}});
  const stats::StatsEntry *work = r.stats.find("task", "work");
  ASSERT_TRUE(work);
  EXPECT_EQ(work->num_requests(), 50u);
  EXPECT_EQ(r.stop_reason, "-i 50: every task iteration has run");
}

}  // namespace
