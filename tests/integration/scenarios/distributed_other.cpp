// A worker's scenario for distributed_test.cpp that names another user class
// (`Other`) than the master's (distributed_shopper.cpp: `Shopper`).
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Other : HttpUser {
  Other() {
    wait_time = constant(0.1s);
    task(1, &Other::other);
  }
  Task<> other() { co_await client.get("/other"); }
};

LOADHOST_SCENARIO(Other);
