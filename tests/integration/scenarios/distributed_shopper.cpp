// A master's scenario for distributed_test.cpp: its one user class is
// `Shopper` (a worker running distributed_other.cpp lacks it).
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Shopper : HttpUser {
  Shopper() {
    wait_time = constant(0.1s);
    task(1, &Shopper::shop);
  }
  Task<> shop() { co_await client.get("/shop"); }
};

LOADHOST_SCENARIO(Shopper);
