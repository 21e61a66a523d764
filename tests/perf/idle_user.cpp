// Memory per user: a no-op task and a 1 s constant wait, so almost every
// user is idle at any moment, as in a large think-time test.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Idle : User {
  Idle() {
    wait_time = constant(1s);
    task(1, &Idle::nothing);
  }
  Task<> nothing() { co_return; }
};

LOADHOST_SCENARIO(Idle);
