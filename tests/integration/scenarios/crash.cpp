// A scenario that crashes: after a second and a half of requests, its
// "dereference" task writes through a null pointer. The crash report must
// name the user class and the task; the CSV files written each second must
// survive it.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Crasher : HttpUser {
  Crasher() {
    wait_time = constant(0.01s);
    task(1, &Crasher::fetch);
    task(1, &Crasher::dereference).name("dereference");
  }
  Task<> fetch() { co_await client.get("/", {.name = "fetch"}); }
  Task<> dereference() {
    co_await client.get("/", {.name = "before the crash"});
    if (now_ns() - started_ns_ > 1'500'000'000) *static_cast<volatile int *>(nothing_) = 1;
  }
  uint64_t started_ns_ = now_ns();
  void *nothing_ = nullptr;
};

LOADHOST_SCENARIO(Crasher);
