// The loadhost side of tests/perf/http2_vs_h2load.sh: each user keeps ten
// GETs in flight on its one HTTP/2 connection, as h2load -m10 does per
// client: ten started at once with when_all, the next ten once all ten are
// back (so between rounds a user briefly has fewer than ten in flight).
// Bodies are counted, not kept, as h2load does.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct TenInFlight : HttpUser {
  TenInFlight() {
    client.set_protocol("http2");
    task(1, &TenInFlight::ten);
  }
  Task<> ten() {
    // Built before the co_await: GCC 12 rejects braced options inside it.
    std::vector<CallAwaiter> calls;
    calls.reserve(10);
    for (int i = 0; i < 10; ++i) calls.push_back(client.get("/", {.discard_body = true}));
    co_await when_all(std::move(calls));
  }
};

LOADHOST_SCENARIO(TenInFlight);
