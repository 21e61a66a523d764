// Compiled by `loadhost -f` in the integration tests (not prebuilt).
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Compiled : HttpUser {
  Compiled() {
    wait_time = constant(0.01s);
    task(1, &Compiled::hit);
  }
  Task<> hit() { co_await client.get("/compiled", {.name = "compiled"}); }
};

LOADHOST_SCENARIO(Compiled);
