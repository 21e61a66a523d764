// Transactions and prepared statements on a pooled connection (run with
// --pool N; compiled by `loadhost -f` in the integration tests). Each round
// of a user is one transaction that records, in table pool_tx, the
// transaction id and the server process of each of its statements; the test
// then checks that every committed round ran on one connection. A wrong
// answer is thrown, so it shows in the exceptions table.
//
//   create table pool_tx(user_no int, round int, step int, txid bigint, pid int)
#include <loadhost/loadhost.hpp>
#include <loadhost/postgres.hpp>

#include <atomic>
#include <stdexcept>

using namespace loadhost;

namespace {
std::atomic<int> g_users{0};
}

struct PoolTx : PostgresUser {
  PoolTx() {
    task(3, &PoolTx::transaction);
    task(1, &PoolTx::aborted_transaction);
    task(1, &PoolTx::prepared);
  }

  Task<> on_start() override {
    auto r = co_await db.prepare("price_of", "select price from items where id = $1");
    if (!r.ok()) throw std::runtime_error("prepare: " + *r.error());
  }

  // BEGIN; insert; select; insert (prepared, executed inside); COMMIT: the
  // same txid and backend pid throughout.
  Task<> transaction() {
    const int round = ++round_;
    co_await db.begin();
    auto first = co_await db.query("insert into pool_tx values ($1, $2, 1, txid_current(), pg_backend_pid()) "
                                   "returning txid, pid",
                                   user_no_, round)
                     .name("insert step");
    auto middle = co_await db.query("select txid_current() as txid, pg_backend_pid() as pid").name("txid");
    auto price = co_await db.execute("price_of", round % 100 + 1);
    auto last = co_await db.query("insert into pool_tx values ($1, $2, 2, txid_current(), pg_backend_pid()) "
                                  "returning txid, pid",
                                  user_no_, round)
                    .name("insert step");
    auto commit = co_await db.commit();
    if (!first.ok() || !middle.ok() || !price.ok() || !last.ok() || !commit.ok()) co_return;  // failures, counted
    if (first.body() != middle.body() || middle.body() != last.body())
      throw std::runtime_error("one transaction on several connections: " + first.body() + " " + middle.body() +
                               " " + last.body());
  }

  // An error aborts the transaction; the connection stays with the user
  // (the next statement is refused as in an aborted transaction) until
  // ROLLBACK, after which the user's calls run normally again.
  Task<> aborted_transaction() {
    co_await db.begin();
    {
      auto r = co_await db.query("select 1 / 0").name("division by zero").catch_response();
      if (r.ok() || r.error()->rfind("22012:", 0) != 0) r.failure("expected 22012, got " + r.error().value_or("ok"));
      else r.success();
    }
    {
      auto r = co_await db.query("select 1").name("in aborted transaction").catch_response();
      if (r.ok() || r.error()->rfind("25P02:", 0) != 0) r.failure("expected 25P02, got " + r.error().value_or("ok"));
      else r.success();
    }
    co_await db.rollback();
    auto r = co_await db.query("select 1 as one").name("after rollback");
    if (r.ok() && r.body() != "[{\"one\":1}]") throw std::runtime_error("after rollback: " + r.body());
  }

  Task<> prepared() {
    const int id = int(random()() % 100) + 1;
    auto r = co_await db.execute("price_of", id);
    if (r.ok() && r.status() != 1) throw std::runtime_error("price_of: " + std::to_string(r.status()) + " rows");
  }

  int user_no_ = ++g_users;
  int round_ = 0;
};

LOADHOST_SCENARIO(PoolTx);
