// pgbench's built-in select-only script (-S), as a loadhost user: one
// SELECT by primary key of pgbench_accounts, at a random aid, in a loop with
// no wait. The perf script (tests/perf/postgres_vs_pgbench.sh) runs it
// against `pgbench -S` on the same database. The scale (number of
// 100,000-row branches) comes from the PGBENCH_SCALE environment variable.
#include <loadhost/loadhost.hpp>
#include <loadhost/postgres.hpp>

#include <cstdlib>

using namespace loadhost;

struct SelectByKey : PostgresUser {
  SelectByKey() {
    const char *scale = std::getenv("PGBENCH_SCALE");
    accounts_ = 100000ull * uint64_t(scale ? std::max(1, std::atoi(scale)) : 1);
    task(1, &SelectByKey::select);
  }

  Task<> select() {
    const uint64_t aid = random()() % accounts_ + 1;
    co_await db.query("SELECT abalance FROM pgbench_accounts WHERE aid = " + std::to_string(aid) + ";")
        .name("select by aid");
  }

  uint64_t accounts_;
};

LOADHOST_SCENARIO(SelectByKey);
