// One class open (its own arrival rate), one closed (-u users with a paced
// wait): both in one run, each counted apart by its path.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

// 40 iterations a second, whatever the response times, from a pool of 2..8.
struct Arrivals : HttpUser {
  static constexpr double arrival_rate = 40;
  static constexpr uint32_t pre_allocated_users = 2;
  static constexpr uint32_t max_users = 8;
  Arrivals() { task(1, &Arrivals::open); }
  Task<> open() { co_await client.get("/open"); }
};

// Closed users, each starting a task every 100 ms (constant_pacing gives
// their requests an intended start too).
struct Browser : HttpUser {
  Browser() {
    wait_time = constant_pacing(100ms);
    task(1, &Browser::closed);
  }
  Task<> closed() { co_await client.get("/closed"); }
};

LOADHOST_SCENARIO(Arrivals, Browser);
