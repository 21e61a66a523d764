// Locust parity, issue 13 part A: exceptions, on_start failing, on_stop at
// the end of a test without -s, and hooks that change the run — each
// switched on by an option of the scenario's own (LOADHOST_OPTION), which
// the tests also check. Against nginx: every path answers 200.
#include <loadhost/loadhost.hpp>

#include <atomic>
#include <stdexcept>
#include <string>

#include "user_tally.hpp"

using namespace loadhost;

LOADHOST_OPTION("parity-exit-code", "", "Exit code the test_stop hook sets (default: none)");
LOADHOST_OPTION("parity-grow-to", "", "When spawning first completes, ask for this many users");
LOADHOST_FLAG("parity-throw", "Worker's task throws after its request");
LOADHOST_FLAG("parity-bad-start", "Starter's on_start throws after logging in");
LOADHOST_FLAG("parity-hang-on-stop", "Worker's on_stop never ends");

// Busy: a request, a short wait. Its task is named for the exceptions table.
struct Worker : HttpUser {
  Worker() {
    wait_time = constant(0.02s);
    task(1, &Worker::checkout).name("checkout").tag("work");
  }
  Task<> checkout() {
    co_await client.get("/checkout");
    if (!option("parity-throw").empty()) throw std::runtime_error("cart is empty");
  }
  Task<> on_stop() override {
    co_await client.get("/logout");
    if (!option("parity-hang-on-stop").empty()) co_await sleep(3600s);  // no stop wakes it any more
  }
};

// Waits an hour between tasks: the stop finds it asleep.
struct Sleeper : HttpUser {
  static constexpr uint32_t fixed_count = 1;
  Sleeper() {
    wait_time = constant(3600s);
    task(1, &Sleeper::nap).tag("work");
  }
  Task<> nap() { co_await client.get("/nap"); }
  Task<> on_stop() override { co_await client.get("/logout"); }
};

// Logs in on start; with --parity-bad-start its on_start throws: the user
// dies there, is not replaced, and neither runs a task nor on_stop.
struct Starter : HttpUser {
  static constexpr uint32_t fixed_count = 1;
  Starter() {
    wait_time = constant(0.02s);
    task(1, &Starter::started).tag("work");
  }
  Task<> on_start() override {
    co_await client.get("/login");
    if (!option("parity-bad-start").empty()) throw std::runtime_error("login refused");
  }
  Task<> started() { co_await client.get("/started"); }
  Task<> on_stop() override { co_await client.get("/logout"); }
};

LOADHOST_ON(LH_HOOK_SPAWNING_COMPLETE, [](const lh_hook_args &a) {
  log("parity: spawning complete with " + std::to_string(a.user_count) + " users");
  static bool grown = false;
  std::string to(option("parity-grow-to"));
  if (!to.empty() && !grown) {
    grown = true;
    set_user_count(uint32_t(std::stoul(to)), 0);  // through the runner, on the control thread
  }
});
LOADHOST_ON(LH_HOOK_TEST_STOP, [](const lh_hook_args &) {
  log("parity: " + user_tally());
  std::string code(option("parity-exit-code"));
  if (!code.empty()) set_exit_code(std::stoi(code));  // Locust's environment.process_exit_code
});

LOADHOST_SCENARIO(Worker, Sleeper, Starter);
