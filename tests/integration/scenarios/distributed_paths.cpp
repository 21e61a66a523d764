// The user of distributed_test.cpp's runs with a web UI master: every 50 ms a
// GET of the path in $LH_TEST_PATH (default "/"), read when the user starts,
// so that each worker process, started with its own path, shows up apart in
// nginx's access log and in the master's stats.
#include <loadhost/loadhost.hpp>

#include <cstdlib>
#include <string>

using namespace loadhost;

struct Walker : HttpUser {
  Walker() {
    const char *p = std::getenv("LH_TEST_PATH");
    path = p && *p ? p : "/";
    wait_time = constant(0.05s);
    task(1, &Walker::walk);
  }
  Task<> walk() { co_await client.get(path); }
  std::string path;
};

LOADHOST_SCENARIO(Walker);
