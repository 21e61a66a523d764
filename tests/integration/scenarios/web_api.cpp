// The user of web_api_test.cpp, written twice: here for loadhost and as a
// locustfile for Locust (in the test), so both web APIs describe the same
// run: a page, a failure (404) and an exception, every 0.1 s.
#include <loadhost/loadhost.hpp>

#include <stdexcept>

using namespace loadhost;

struct Visitor : HttpUser {
  Visitor() {
    wait_time = constant(0.1s);
    task(3, &Visitor::index);
    task(1, &Visitor::missing);
    task(1, &Visitor::boom);
  }
  Task<> index() { co_await client.get("/", {.name = "/"}); }
  Task<> missing() { co_await client.get("/missing"); }
  Task<> boom() {
    throw std::runtime_error("boom");
    co_return;
  }
};

LOADHOST_SCENARIO(Visitor);
