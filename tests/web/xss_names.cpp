// A scenario whose texts are HTML markup, for the web UI's XSS test
// (tests/web/ui_test.mjs): the page must show every one of them literally,
// as text, and never let the browser parse them into elements.
//
//   - a request stats name  <img src=x onerror=alert(1)>
//   - a failure message     <img src=x onerror=alert(2)>  (under a second name)
//   - an exception message  <img src=x onerror=alert(3)>  (every 5th run of the task)
//
// Run it against the demo target (examples/target), which answers "/".
#include <loadhost/loadhost.hpp>

#include <stdexcept>

using namespace loadhost;

struct Mallory : HttpUser {
  Mallory() {
    wait_time = between(0.05s, 0.1s);
    task(1, &Mallory::visit);
  }

  Task<> visit() {
    co_await client.get("/", {.name = "<img src=x onerror=alert(1)>"});
    // The demo target answers 200; the failure text is ours.
    auto r = co_await client.get("/", {.name = "<svg onload=alert(2)>", .catch_response = true});
    r.failure("<img src=x onerror=alert(2)>");
    if (++runs_ % 5 == 0) throw std::runtime_error("<img src=x onerror=alert(3)>");
  }

 private:
  unsigned runs_ = 0;
};

LOADHOST_SCENARIO(Mallory);
