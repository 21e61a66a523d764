// A scenario that declares its own thresholds (LOADHOST_THRESHOLD, ABI 1.3):
// GET /declared and GET /other, no wait. The first threshold passes against
// nginx, the second cannot (no request takes under 1 us).
#include <loadhost/loadhost.hpp>

using namespace loadhost;

LOADHOST_THRESHOLD("GET /declared: requests>0");
LOADHOST_THRESHOLD("GET /other: max<1us");

struct Declared : HttpUser {
  Declared() {
    task(1, &Declared::declared);
    task(1, &Declared::other);
  }
  Task<> declared() { co_await client.get("/declared"); }
  Task<> other() { co_await client.get("/other"); }
};

LOADHOST_SCENARIO(Declared);
