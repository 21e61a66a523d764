// A scenario whose declared threshold is malformed: loadhost must refuse to
// run it (exit 2) and name the scenario and the part at fault.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

LOADHOST_THRESHOLD("p(95)<300");

struct Malformed : HttpUser {
  Malformed() { task(1, &Malformed::get); }
  Task<> get() { co_await client.get("/"); }
};

LOADHOST_SCENARIO(Malformed);
