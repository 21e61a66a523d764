// Issue 13 part A, the SDK and the runner with no network: how users stop
// without a stop timeout (interrupted, on_stop still runs, bounded), hooks
// that change the run from a loop thread, the CPU warning, and where a user
// error escaped.
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
std::vector<std::string> g_steps;
void step(std::string what) {
  std::lock_guard lock(g_mutex);
  g_steps.push_back(std::move(what));
}
std::vector<std::string> steps() {
  std::lock_guard lock(g_mutex);
  return g_steps;
}

// Stopped in the middle of a TaskSet's long task: the task never goes on,
// the set's on_stop and then the user's run.
struct Deep : TaskSet<struct Interrupted> {
  Deep() { task(1, &Deep::slow).name("slow"); }
  Task<> slow() {
    step("slow begins");
    co_await base_user().sleep(10s);  // a stop without -s does not end this wait: it abandons it
    step("slow goes on");
  }
  Task<> on_stop() override {
    step("set on_stop");
    co_return;
  }
};
struct Interrupted : User {
  Interrupted() { task_set<Deep>(1); }
  Task<> on_stop() override {
    step("user on_stop");
    co_return;
  }
};

// on_stop that never ends.
struct Hung : User {
  Hung() { task(1, &Hung::work); }
  Task<> work() { co_await sleep(10s); }
  Task<> on_stop() override {
    step("hung on_stop");
    co_await sleep(3600s);
    step("hung on_stop ended");
  }
};

// The first task asks the runner for four users, from its loop thread.
struct Grower : User {
  Grower() {
    wait_time = constant(0.02s);
    task(1, &Grower::work);
  }
  Task<> work() {
    static std::atomic<bool> asked{false};
    if (!asked.exchange(true)) set_user_count(4, 0);
    co_return;
  }
};

// Spins its loop thread: a task of pure CPU, no wait.
struct Spinner : User {
  Spinner() { task(1, &Spinner::spin); }
  Task<> spin() {
    uint64_t until = now_ns() + 20'000'000;
    while (now_ns() < until) {
    }
    co_return;
  }
};
std::atomic<int> g_cpu_warnings{0};
std::atomic<double> g_cpu_percent{0};
LOADHOST_ON(LH_HOOK_CPU_WARNING, [](const lh_hook_args &a) {
  ++g_cpu_warnings;
  g_cpu_percent = a.cpu_percent;
});

// A named task that throws: the user_error hook says where.
struct Payer : User {
  Payer() {
    wait_time = constant(0.05s);
    task(1, &Payer::pay).name("pay");
  }
  Task<> pay() {
    throw std::runtime_error("card declined");
    co_return;
  }
};
std::mutex g_error_mutex;
std::string g_error_task;
LOADHOST_ON(LH_HOOK_USER_ERROR, [](const lh_hook_args &a) {
  if (std::string_view(a.message.data, a.message.size) != "card declined") return;
  std::lock_guard lock(g_error_mutex);
  g_error_task.assign(a.task.data ? a.task.data : "", a.task.size);
});

}  // namespace

LOADHOST_SCENARIO_ENTRY(interrupted_entry, Interrupted);
LOADHOST_SCENARIO_ENTRY(hung_entry, Hung);
LOADHOST_SCENARIO_ENTRY(grower_entry, Grower);
LOADHOST_SCENARIO_ENTRY(spinner_entry, Spinner);
LOADHOST_SCENARIO_ENTRY(payer_entry, Payer);

namespace {

core::RunOptions quick_run(double seconds, uint32_t users = 1) {
  core::RunOptions o;
  o.users = users;
  o.spawn_rate = 0;
  o.run_time_s = seconds;
  return o;
}

TEST(StopWithoutTimeout, InterruptsTheTaskAndRunsTheSetsAndTheUsersOnStop) {
  {
    std::lock_guard lock(g_mutex);
    g_steps.clear();
  }
  core::Engine engine(core::EngineConfig{.loop_threads = 1});
  ASSERT_EQ(engine.plugins().add_builtin(&interrupted_entry, "test"), "");
  core::Runner runner(engine, *engine.plugins().scenario(), quick_run(0.2));
  auto started = std::chrono::steady_clock::now();
  runner.run();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2)) << "the 10 s wait did not hold it";
  EXPECT_EQ(steps(), (std::vector<std::string>{"slow begins", "set on_stop", "user on_stop"}));
}

TEST(StopWithoutTimeout, AHungOnStopIsCutAtTheBound) {
  {
    std::lock_guard lock(g_mutex);
    g_steps.clear();
  }
  core::Engine engine(core::EngineConfig{.loop_threads = 1});
  ASSERT_EQ(engine.plugins().add_builtin(&hung_entry, "test"), "");
  core::RunOptions o = quick_run(0.2, 2);
  o.on_stop_timeout_ns = 300'000'000;
  core::Runner runner(engine, *engine.plugins().scenario(), o);
  auto started = std::chrono::steady_clock::now();
  runner.run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_GT(seconds, 0.45);
  EXPECT_LT(seconds, 2.0) << "killed at the bound, not after an hour";
  EXPECT_EQ(steps(), (std::vector<std::string>{"hung on_stop", "hung on_stop"}));
  EXPECT_EQ(runner.user_count(), 0u);
}

TEST(RunControl, ATaskChangesTheUserCountThroughTheRunner) {
  core::Engine engine(core::EngineConfig{.loop_threads = 2});
  ASSERT_EQ(engine.plugins().add_builtin(&grower_entry, "test"), "");
  core::Runner runner(engine, *engine.plugins().scenario(), quick_run(1.5));
  uint64_t most = 0;
  runner.on_tick = [&](const stats::StatsTable &, uint64_t users) { most = std::max(most, users); };
  runner.run();
  EXPECT_EQ(most, 4u);
  EXPECT_EQ(runner.target_users(), 4u);
  engine.request_user_count(9, 0);  // no test runs: a warning, nothing else
  EXPECT_EQ(runner.target_users(), 4u);
}

TEST(RunControl, TheExitCodeIsKeptModulo256) {
  core::Engine engine(core::EngineConfig{});
  EXPECT_FALSE(engine.exit_code());
  const auto *rc = static_cast<const lh_host_run_control *>(
      engine.host()->get_extension(engine.host(), LH_HOST_RUN_CONTROL_ID));
  ASSERT_TRUE(rc);
  rc->set_exit_code(engine.host(), 3);
  EXPECT_EQ(engine.exit_code(), 3);
  rc->set_exit_code(engine.host(), 258);
  EXPECT_EQ(engine.exit_code(), 2);
}

TEST(CpuWarning, ABusyLoopThreadFiresTheHook) {
  core::Engine engine(core::EngineConfig{.loop_threads = 1});
  ASSERT_EQ(engine.plugins().add_builtin(&spinner_entry, "test"), "");
  core::RunOptions o = quick_run(3.2);
  o.cpu_warning_percent = 30;  // low: the machine running the tests may be busy with others
  o.cpu_warning_window_s = 1;
  core::Runner runner(engine, *engine.plugins().scenario(), o);
  g_cpu_warnings = 0;
  runner.run();
  EXPECT_GE(g_cpu_warnings.load(), 1);
  EXPECT_GE(g_cpu_percent.load(), 30.0);
  EXPECT_LE(g_cpu_percent.load(), 100.0);
}

TEST(UserError, TheHookAndTheExceptionsTableSayWhichTask) {
  core::Engine engine(core::EngineConfig{.loop_threads = 1});
  ASSERT_EQ(engine.plugins().add_builtin(&payer_entry, "test"), "");
  core::Runner runner(engine, *engine.plugins().scenario(), quick_run(0.3));
  runner.run();
  {
    std::lock_guard lock(g_error_mutex);
    EXPECT_EQ(g_error_task, "pay");
  }
  auto exceptions = runner.stats().sorted_exceptions();
  ASSERT_EQ(exceptions.size(), 1u);
  EXPECT_EQ(exceptions[0]->message_, "card declined");
  EXPECT_EQ(exceptions[0]->detail_, "user class Payer, task pay");
}

}  // namespace
