// The C++ SDK's user model driven by the real engine and runner, with no
// network: tasks report their own events, so the stats show what ran.
#include <gtest/gtest.h>

#include <loadhost/loadhost.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/loader/plugin_registry.hpp"
#include "core/runner/runner.hpp"

using namespace loadhost;

namespace {

std::mutex g_mutex;
std::vector<std::string> g_trace;  // ordered events of the single-user tests
void trace(std::string what) {
  std::lock_guard lock(g_mutex);
  g_trace.push_back(std::move(what));
}

// Weighted tasks, 3:1, no wait.
struct Weighted : User {
  Weighted() {
    task(3, &Weighted::a);
    task(1, &Weighted::b);
  }
  Task<> a() {
    report_request("task", "a", 0.001s);
    co_return;
  }
  Task<> b() {
    report_request("task", "b", 0.001s);
    co_return;
  }
};

// Lifecycle: on_start, a TaskSet interrupted after two tasks, sequential
// order, an exception counted, StopUser, on_stop.
struct Steps : SequentialTaskSet<struct Lifecycle> {
  Steps() {
    task(1, &Steps::one);
    task(1, &Steps::two);
    task(1, &Steps::done);
  }
  Task<> one() { trace("one"); co_return; }
  Task<> two() { trace("two"); co_return; }
  Task<> done() {
    trace("interrupt");
    interrupt();
    co_return;
  }
};

struct Lifecycle : User {
  Lifecycle() {
    task_set<Steps>(1);
  }
  int rounds = 0;
  Task<> on_start() override {
    trace("on_start");
    co_return;
  }
  Task<> on_stop() override {
    trace("on_stop");
    co_return;
  }
};

struct Failing : User {
  Failing() { task(1, &Failing::boom); }
  int runs = 0;
  Task<> boom() {
    if (++runs == 3) throw StopUser{};
    throw std::runtime_error("cart is empty");
    co_return;
  }
};

struct Tagged : User {
  Tagged() {
    task(1, &Tagged::checkout).tag("checkout");
    task(1, &Tagged::browse).tag("browse");
  }
  Task<> checkout() {
    report_request("task", "checkout", 0.001s);
    co_return;
  }
  Task<> browse() {
    report_request("task", "browse", 0.001s);
    co_return;
  }
};

struct Sleeper : User {
  Sleeper() {
    wait_time = constant(10s);
    task(1, &Sleeper::nap);
  }
  Task<> nap() {
    report_request("task", "nap", 0.001s);
    co_return;
  }
  Task<> on_stop() override {
    report_request("task", "on_stop", 0.001s);
    co_return;
  }
};

}  // namespace

struct Alpha : User {
  static constexpr uint32_t weight = 3;
  Alpha() {
    wait_time = constant(0.01s);
    task(1, &Alpha::work);
  }
  Task<> work() { co_return; }
};
struct Beta : User {
  Beta() {
    wait_time = constant(0.01s);
    task(1, &Beta::work);
  }
  Task<> work() { co_return; }
};

// Event hooks subscribed from scenario code (the C ABI's hook_subscribe,
// through LOADHOST_ON): counted per kind.
std::atomic<int> g_hook_counts[16];
struct Hooked : User {
  Hooked() { task(1, &Hooked::work); }
  int runs = 0;
  Task<> work() {
    report_request("task", "work", 0.001s);
    if (++runs == 2) throw std::runtime_error("second run fails");
    co_await sleep(0.05s);
  }
};
LOADHOST_ON(LH_HOOK_INIT, [](const lh_hook_args &a) { ++g_hook_counts[a.kind]; });
LOADHOST_ON(LH_HOOK_TEST_START, [](const lh_hook_args &a) { ++g_hook_counts[a.kind]; });
LOADHOST_ON(LH_HOOK_SPAWNING_COMPLETE, [](const lh_hook_args &a) {
  if (a.user_count == 2) ++g_hook_counts[a.kind];
});
LOADHOST_ON(LH_HOOK_REQUEST, [](const lh_hook_args &a) {
  if (a.request && std::string_view(a.request->name.data, a.request->name.size) == "work") ++g_hook_counts[a.kind];
});
LOADHOST_ON(LH_HOOK_USER_ERROR, [](const lh_hook_args &a) {
  if (std::string_view(a.message.data, a.message.size) == "second run fails") ++g_hook_counts[a.kind];
});
LOADHOST_ON(LH_HOOK_TEST_STOPPING, [](const lh_hook_args &a) { ++g_hook_counts[a.kind]; });
LOADHOST_ON(LH_HOOK_TEST_STOP, [](const lh_hook_args &a) { ++g_hook_counts[a.kind]; });

// A class's static host, seen by every kind of protocol user through
// target_host(); -H/--host (the run option "host") wins over it.
struct Hosted : User {
  static constexpr const char *host = "mqtt://127.0.0.1:1883";
  Hosted() : target_(target_host()) { task(1, &Hosted::work); }
  Task<> work() {
    report_request("host", target_, 0.001s);
    co_await sleep(0.05s);
  }
  std::string target_;
};

LOADHOST_SCENARIO_ENTRY(weighted_entry, Weighted);
LOADHOST_SCENARIO_ENTRY(hosted_entry, Hosted);
LOADHOST_SCENARIO_ENTRY(hooked_entry, Hooked);
LOADHOST_SCENARIO_ENTRY(two_classes_entry, Alpha, Beta);
LOADHOST_SCENARIO_ENTRY(lifecycle_entry, Lifecycle);
LOADHOST_SCENARIO_ENTRY(failing_entry, Failing);
LOADHOST_SCENARIO_ENTRY(tagged_entry, Tagged);
LOADHOST_SCENARIO_ENTRY(sleeper_entry, Sleeper);

namespace {

struct RunResult {
  stats::StatsTable stats;
  std::vector<core::RunnerState> states;
  std::string stop_reason;
};

RunResult run(const lh_entry &entry, core::RunOptions options,
              std::map<std::string, std::string> run_options = {}) {
  core::EngineConfig config;
  config.loop_threads = 2;
  config.options = std::move(run_options);
  core::Engine engine(config);
  std::string error = engine.plugins().add_builtin(&entry, "test scenario");
  EXPECT_EQ(error, "");
  core::Runner runner(engine, *engine.plugins().scenario(), options);
  RunResult result;
  runner.on_state = [&](core::RunnerState s) { result.states.push_back(s); };
  runner.run();
  result.stats.merge(runner.stats());
  result.stop_reason = runner.stop_reason();
  return result;
}

TEST(UserBehaviour, TaskWeightsThreeToOne) {
  core::RunOptions o;
  o.users = 4;
  o.spawn_rate = 0;
  o.run_time_s = 1.0;
  RunResult r = run(weighted_entry, o);
  const auto *a = r.stats.find("task", "a");
  const auto *b = r.stats.find("task", "b");
  ASSERT_TRUE(a && b);
  double total = double(a->num_requests() + b->num_requests());
  ASSERT_GT(total, 20000) << "enough task runs for a ±3% check";
  EXPECT_NEAR(double(a->num_requests()) / total, 0.75, 0.03);
  EXPECT_EQ(r.stop_reason, "run time of 1 s reached");
}

TEST(UserBehaviour, ClassHostUnlessTheRunGivesOne) {
  core::RunOptions o;
  o.users = 1;
  o.spawn_rate = 0;
  o.run_time_s = 0.2;
  RunResult by_class = run(hosted_entry, o);
  EXPECT_TRUE(by_class.stats.find("host", "mqtt://127.0.0.1:1883")) << "the class's static host";
  RunResult by_run = run(hosted_entry, o, {{"host", "mqtt://10.0.0.1:1884"}});
  EXPECT_TRUE(by_run.stats.find("host", "mqtt://10.0.0.1:1884")) << "-H wins over the class";
  EXPECT_FALSE(by_run.stats.find("host", "mqtt://127.0.0.1:1883"));
}

TEST(UserBehaviour, RunnerGoesThroughLocustStates) {
  core::RunOptions o;
  o.users = 2;
  o.spawn_rate = 0;
  o.run_time_s = 0.3;
  RunResult r = run(weighted_entry, o);
  std::vector<core::RunnerState> expected{core::RunnerState::spawning, core::RunnerState::running,
                                          core::RunnerState::stopping, core::RunnerState::stopped};
  EXPECT_EQ(r.states, expected);
}

TEST(UserBehaviour, LifecycleTaskSetAndSequentialOrder) {
  {
    std::lock_guard lock(g_mutex);
    g_trace.clear();
  }
  core::RunOptions o;
  o.users = 1;
  o.spawn_rate = 0;
  o.run_time_s = 0.2;
  o.stop_timeout_ns = 1'000'000'000;  // graceful: on_stop runs
  run(lifecycle_entry, o);
  std::lock_guard lock(g_mutex);
  ASSERT_GE(g_trace.size(), 5u);
  EXPECT_EQ(g_trace[0], "on_start");
  EXPECT_EQ(g_trace[1], "one");
  EXPECT_EQ(g_trace[2], "two");
  EXPECT_EQ(g_trace[3], "interrupt");
  EXPECT_EQ(g_trace[4], "one") << "after the interrupt the user picks the set again";
  EXPECT_EQ(g_trace.back(), "on_stop");
}

TEST(UserBehaviour, ExceptionsAreCountedAndStopUserEndsTheUser) {
  core::RunOptions o;
  o.users = 1;
  o.spawn_rate = 0;
  o.run_time_s = 0.5;
  RunResult r = run(failing_entry, o);
  auto exceptions = r.stats.sorted_exceptions();
  ASSERT_EQ(exceptions.size(), 1u);
  EXPECT_EQ(exceptions[0]->message_, "cart is empty");
  EXPECT_EQ(exceptions[0]->count_, 2u);
  // The only user stopped itself, long before the run time.
  EXPECT_EQ(r.stop_reason, "run time of 0.5 s reached");
}

TEST(UserBehaviour, TagsSelectTasks) {
  core::RunOptions o;
  o.users = 1;
  o.spawn_rate = 0;
  o.run_time_s = 0.2;
  RunResult only = run(tagged_entry, o, {{"tags", "checkout"}});
  EXPECT_NE(only.stats.find("task", "checkout"), nullptr);
  EXPECT_EQ(only.stats.find("task", "browse"), nullptr);
  RunResult excluded = run(tagged_entry, o, {{"exclude-tags", "checkout"}});
  EXPECT_EQ(excluded.stats.find("task", "checkout"), nullptr);
  EXPECT_NE(excluded.stats.find("task", "browse"), nullptr);
}

TEST(UserBehaviour, StopInterruptsTheWaitAndRunsOnStop) {
  core::RunOptions o;
  o.users = 3;
  o.spawn_rate = 0;
  o.run_time_s = 0.2;
  o.stop_timeout_ns = 5'000'000'000;
  RunResult r = run(sleeper_entry, o);
  const auto *nap = r.stats.find("task", "nap");
  const auto *stopped = r.stats.find("task", "on_stop");
  ASSERT_TRUE(nap && stopped);
  EXPECT_EQ(nap->num_requests(), 3u) << "one task each, then a 10 s wait cut short by the stop";
  EXPECT_EQ(stopped->num_requests(), 3u);
}

TEST(UserBehaviour, UserCountChangesWhileRunningMostRecentFirst) {
  core::EngineConfig config;
  config.loop_threads = 2;
  core::Engine engine(config);
  ASSERT_EQ(engine.plugins().add_builtin(&two_classes_entry, "test scenario"), "");
  core::RunOptions o;
  o.users = 6;
  o.spawn_rate = 0;
  o.run_time_s = 3.5;
  core::Runner runner(engine, *engine.plugins().scenario(), o);
  std::vector<std::pair<uint64_t, std::vector<uint32_t>>> seen;  // alive users, runner's class counts
  int ticks = 0;
  runner.on_tick = [&](const stats::StatsTable &, uint64_t alive) {
    seen.emplace_back(alive, runner.class_counts());
    if (++ticks == 1) runner.set_target(3, 0);   // down: the newest three stop
    if (ticks == 2) runner.set_target(8, 0);     // up again: the sequence continues
  };
  runner.run();
  ASSERT_GE(seen.size(), 3u);
  // 3:1 interleaves A A B A A A B A: six users are five A and one B.
  EXPECT_EQ(seen[0].first, 6u);
  EXPECT_EQ(seen[0].second, (std::vector<uint32_t>{5, 1}));
  // Going down to three stops the three most recent (all A): A A B remain.
  EXPECT_EQ(seen[1].first, 3u);
  EXPECT_EQ(seen[1].second, (std::vector<uint32_t>{2, 1}));
  // Up to eight: the same sequence as a fresh run of eight.
  EXPECT_EQ(seen[2].first, 8u);
  EXPECT_EQ(seen[2].second, (std::vector<uint32_t>{6, 2}));
}

TEST(UserBehaviour, EventHooksFireWhereLocustFiresThem) {
  core::RunOptions o;
  o.users = 2;
  o.spawn_rate = 0;
  o.run_time_s = 0.5;
  RunResult r = run(hooked_entry, o);
  // Every scenario entry of this test binary subscribes the same LOADHOST_ON
  // hooks, so count only what this run adds: test start/stop once each.
  const auto *work = r.stats.find("task", "work");
  ASSERT_TRUE(work);
  EXPECT_EQ(g_hook_counts[LH_HOOK_TEST_START].load(), g_hook_counts[LH_HOOK_TEST_STOP].load());
  EXPECT_GE(g_hook_counts[LH_HOOK_TEST_START].load(), 1);
  EXPECT_EQ(g_hook_counts[LH_HOOK_TEST_STOPPING].load(), g_hook_counts[LH_HOOK_TEST_STOP].load());
  EXPECT_GE(g_hook_counts[LH_HOOK_SPAWNING_COMPLETE].load(), 1);
  EXPECT_EQ(uint64_t(g_hook_counts[LH_HOOK_REQUEST].load()), work->num_requests())
      << "the request hook sees every request event";
  EXPECT_EQ(g_hook_counts[LH_HOOK_USER_ERROR].load(), 2) << "one error per user";
}

TEST(WaitTime, Functions) {
  Random rng(1);
  WaitContext ctx{Duration(0.25), rng};
  EXPECT_DOUBLE_EQ(constant(2s)(ctx).count(), 2.0);
  EXPECT_DOUBLE_EQ(constant_pacing(1s)(ctx).count(), 0.75);
  EXPECT_DOUBLE_EQ(constant_throughput(2)(ctx).count(), 0.25);
  WaitContext late{Duration(3), rng};
  EXPECT_DOUBLE_EQ(constant_pacing(1s)(late).count(), 0.0);
  for (int i = 0; i < 1000; ++i) {
    double w = between(1s, 3s)(ctx).count();
    EXPECT_GE(w, 1.0);
    EXPECT_LE(w, 3.0);
  }
}

}  // namespace
