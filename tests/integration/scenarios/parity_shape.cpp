// Locust parity, issue 13 part A: a load shape whose stages pick their user
// classes (Locust's 3-tuple tick), reported by name and peak; the hooks log
// each spawn completion and how many users of each class came and went.
#include <loadhost/loadhost.hpp>

#include <string>

#include "user_tally.hpp"

using namespace loadhost;

LOADHOST_FLAG("shape-bad-class", "The second stage names a class the scenario lacks");

struct Early : User {
  Early() { task(1, &Early::work); }
  Task<> work() {
    report_request("task", "early", 0.001s);
    co_await sleep(0.05s);
  }
};

struct Late : User {
  Late() { task(1, &Late::work); }
  Task<> work() {
    report_request("task", "late", 0.001s);
    co_await sleep(0.05s);
  }
};

// Two Early users for 1.5 s, then four Late ones (the Early ones stop).
struct TwoStages : LoadShape {
  std::optional<ShapeTick> tick(double t, uint64_t) override {
    if (t < 1.5) return ShapeTick{2, 100, {"Early"}};
    if (t < 3.5) return ShapeTick{4, 100, {option("shape-bad-class").empty() ? "Late" : "Nobody"}};
    return std::nullopt;
  }
};
LOADHOST_SHAPE(TwoStages);

LOADHOST_ON(LH_HOOK_SPAWNING_COMPLETE, [](const lh_hook_args &a) {
  log("shape: spawning complete with " + std::to_string(a.user_count) + " users");
});
LOADHOST_ON(LH_HOOK_TEST_STOP, [](const lh_hook_args &) { log("shape: " + user_tally()); });

LOADHOST_SCENARIO(Early, Late);
