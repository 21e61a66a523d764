// The scenario equivalent of quick mode for the benchmark: 50 users, no
// wait, GET / and keep the body (what Locust's FastHttpUser does).
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Hello : HttpUser {
  Hello() { task(1, &Hello::hello); }
  Task<> hello() { co_await client.get("/"); }
};

LOADHOST_SCENARIO(Hello);
