// The commonest stats mistake, for tests/perf/stats_names.sh: a URL with an
// id and no name= grouping, so every distinct URL gets its own stats entry.
// Users cycle over LH_NAMES distinct query strings (default 1000), no wait.
#include <loadhost/loadhost.hpp>

#include <atomic>
#include <cstdlib>
#include <string>

using namespace loadhost;

namespace {
const unsigned long kNames = [] {
  const char *n = std::getenv("LH_NAMES");
  unsigned long v = n ? std::strtoul(n, nullptr, 10) : 1000;
  return v ? v : 1;
}();
std::atomic<unsigned long> next_id{0};
}  // namespace

struct Names : HttpUser {
  Names() { task(1, &Names::item); }
  Task<> item() {
    co_await client.get("/item?id=" + std::to_string(next_id.fetch_add(1, std::memory_order_relaxed) % kNames));
  }
};

LOADHOST_SCENARIO(Names);
