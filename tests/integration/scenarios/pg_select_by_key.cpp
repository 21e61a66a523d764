// pgbench's built-in select-only script (-S), as a loadhost user: one
// SELECT by primary key of pgbench_accounts, at a random aid, in a loop with
// no wait. The perf script (tests/perf/postgres_vs_pgbench.sh) runs it
// against `pgbench -S` on the same database. The scale (number of
// 100,000-row branches) comes from the PGBENCH_SCALE environment variable.
//
// Measured as pgbench measures itself:
// - pgbench connects all its clients, then starts them together, and its
//   tps leaves the connection time out. A user here connects in on_start
//   (a `SELECT 1` reported as "connect"), then waits until PGBENCH_CLIENTS
//   users are connected (if set); the rate of "select by aid" is then the
//   rate after connecting.
// - pgbench reads each result's status, never its values: the call asks for
//   no body (discard_body), so the row is counted (the response's status)
//   and its bytes measured, but not rendered as JSON.
#include <loadhost/loadhost.hpp>
#include <loadhost/postgres.hpp>

#include <atomic>
#include <cstdlib>

using namespace loadhost;

namespace {
std::atomic<int> g_connected{0};  // users of this process past on_start's connect
}

struct SelectByKey : PostgresUser {
  SelectByKey() {
    const char *scale = std::getenv("PGBENCH_SCALE");
    accounts_ = 100000ull * uint64_t(scale ? std::max(1, std::atoi(scale)) : 1);
    const char *clients = std::getenv("PGBENCH_CLIENTS");
    clients_ = clients ? std::atoi(clients) : 0;
    options_.discard_body = true;
    options_.name = "select by aid";
    task(1, &SelectByKey::select);
  }

  Task<> on_start() override {
    CallOptions connect;
    connect.discard_body = true;
    connect.name = "connect";
    co_await db.call("query", "SELECT 1", std::string_view(), std::move(connect));
    ++g_connected;
    while (g_connected.load() < clients_ && !stopping()) co_await sleep(std::chrono::milliseconds(1));
  }

  Task<> select() {
    const uint64_t aid = random()() % accounts_ + 1;
    // db.call("query", ...) is db.query(...) with options.
    co_await db.call("query", "SELECT abalance FROM pgbench_accounts WHERE aid = " + std::to_string(aid) + ";",
                     std::string_view(), options_);
  }

  uint64_t accounts_;
  int clients_;
  CallOptions options_;
};

LOADHOST_SCENARIO(SelectByKey);
