// The shop scenario: what a Locust user would write for the bundled demo
// target (examples/target). Run it with
//
//   loadhost -f examples/scenarios/shop.cpp -H http://127.0.0.1:8080 -u 50 -r 10 -t 30s --headless
//
// It shows weighted tasks, stats names for URLs with ids, a TaskSet,
// catch_response, on_start, tags and two user classes with weights.
#include <loadhost/loadhost.hpp>

#include <string>

using namespace loadhost;

// Browsing items, as one task of the shopper, until it leaves.
struct Browse : TaskSet<struct Shopper> {
  Browse() {
    task(4, &Browse::item);
    task(1, &Browse::leave);
  }
  Task<> item();
  Task<> leave() {
    interrupt();  // back to the shopper's own tasks
    co_return;
  }
};

struct Shopper : HttpUser {
  static constexpr uint32_t weight = 3;

  Shopper() {
    wait_time = between(0.05s, 0.2s);
    task(2, &Shopper::home);
    task_set<Browse>(4);
    task(2, &Shopper::add_to_cart).tag("checkout");
    task(1, &Shopper::view_cart).tag("checkout");
    task(1, &Shopper::slow_report);
    task(1, &Shopper::flaky);
  }

  // Every shopper logs in first: the session cookie is kept by the client.
  Task<> on_start() override {
    co_await client.post("/login", "username=shopper")
        .header("Content-Type", "application/x-www-form-urlencoded");
  }

  Task<> home() { co_await client.get("/"); }

  Task<> add_to_cart() {
    int id = int(random()() % 1000) + 1;
    auto r = co_await client.post_json("/cart", "{\"item\":" + std::to_string(id) + "}",
                                       {.name = "/cart [add]", .catch_response = true});
    // The demo answers 200 with the cart; anything else is our failure text.
    if (r.status() == 200 && r.body().find("items") == std::string::npos) r.failure("cart answer has no items");
  }

  Task<> view_cart() { co_await client.get("/cart"); }

  Task<> slow_report() { co_await client.get("/slow"); }

  Task<> flaky() { co_await client.get("/flaky"); }
};

Task<> Browse::item() {
  int id = int(user().random()() % 1000) + 1;
  // One stats entry for every id: the name groups them.
  co_await user().client.get("/items/" + std::to_string(id), {.name = "/items/[id]"});
}

// A visitor who only looks at the home page and an item, less often.
struct Visitor : HttpUser {
  static constexpr uint32_t weight = 1;
  Visitor() {
    wait_time = constant(0.1s);
    task(1, &Visitor::look);
  }
  Task<> look() {
    co_await client.get("/");
    co_await client.get("/items/7", {.name = "/items/[id]"});
  }
};

LOADHOST_SCENARIO(Shopper, Visitor);
