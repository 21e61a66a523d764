// Two weighted user classes, a TaskSet, a tag and a reset_stats hook: what
// the command line's -l, --show-task-ratio, class selection and
// --reset-stats tests look at. Tasks are named after their functions (read
// from the library's symbols), or by .name(). classes.py beside it is the same scenario
// for Locust, so the task ratios can be compared with Locust's own output.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Browse : TaskSet<struct Shopper> {
  Browse() {
    task(4, &Browse::item);
    task(1, &Browse::leave).name("leave");
  }
  Task<> item();
  Task<> leave() {
    interrupt();
    co_return;
  }
};

struct Shopper : HttpUser {
  static constexpr uint32_t weight = 3;
  Shopper() {
    wait_time = constant(0.1s);
    task(2, &Shopper::home);  // named "home" after its function
    task_set<Browse>(2);
    task(1, &Shopper::checkout).tag("buy");
  }
  Task<> on_start() override { co_await client.get("/first"); }
  Task<> home() { co_await client.get("/"); }
  Task<> checkout() { co_await client.get("/checkout"); }
};

Task<> Browse::item() { co_await user().client.get("/item"); }

struct Admin : HttpUser {
  static constexpr uint32_t weight = 1;
  Admin() {
    wait_time = constant(0.1s);
    task(1, &Admin::report);
  }
  Task<> report() { co_await client.get("/admin"); }
};

LOADHOST_SCENARIO(Shopper, Admin);

LOADHOST_ON(LH_HOOK_RESET_STATS, [](const lh_hook_args &) { log("reset_stats hook fired"); });
