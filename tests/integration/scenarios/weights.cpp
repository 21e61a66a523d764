// Two tasks weighted 3:1, no wait: the observed split must match.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Weighted : HttpUser {
  Weighted() {
    task(3, &Weighted::a);
    task(1, &Weighted::b);
  }
  Task<> a() { co_await client.get("/a"); }
  Task<> b() { co_await client.get("/b"); }
};

LOADHOST_SCENARIO(Weighted);
