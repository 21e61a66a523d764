// loadhost's postgres plugin against a real PostgreSQL (PostgresServer):
// every operation, SQL errors with their SQLSTATE, quick mode, hundreds of
// users each with a query in flight on its own connection, a server that
// goes away mid-test, and the optional pool (--pool N): its connection
// count, transactions and prepared statements on it, timeouts while waiting
// and lost pooled connections.
#include <gtest/gtest.h>

#include <signal.h>

#include <thread>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/postgres_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

// One server for the tests that leave it running (initdb takes seconds);
// the one that stops it starts its own.
class Postgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new PostgresServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static PostgresServer &pg() { return *server_; }

 private:
  static inline PostgresServer *server_ = nullptr;
};

uint64_t requests_of(const LoadhostRun &run, const std::string &type, const std::string &name) {
  const auto *e = run.entry(type, name);
  return e ? (*e)["num_requests"].get<uint64_t>() : 0;
}

TEST_F(Postgres, QueryPreparedAndTransactionThroughTheTypedClient) {
  TempDir dir;
  pg().sql("update counters set n = 0");
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("pg_basic"), "-H", pg().url(), "-u", "8", "-r", "100", "-t",
                                       "2s"}, 30s);
  ASSERT_EQ(run.status.code, 0) << run.err << run.out << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
  EXPECT_GT(requests_of(run, "query", "items by id"), 100u) << run.out;
  EXPECT_GT(requests_of(run, "execute", "item_by_id"), 100u) << run.out;
  EXPECT_EQ(requests_of(run, "prepare", "item_by_id"), 8u) << "one prepare per user";
  // Every committed transaction incremented the counter once; a user stopped
  // between begin and commit leaves its increment uncommitted.
  const uint64_t commits = requests_of(run, "commit", "COMMIT");
  ASSERT_GT(commits, 100u) << run.out;
  EXPECT_EQ(std::stoull(pg().sql("select n from counters where id = 1")), commits);
}

TEST_F(Postgres, QuickModeRunsTheSqlWithParams) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "4", "-t", "1500ms", "--sql",
                                       "select name from items where id = $1", "--param", "7", pg().url()}, 30s);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests_of(run, "query", "select name from items where id = $1"), 500u) << run.out;
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

TEST_F(Postgres, QuickModePrepared) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "4", "-t", "1500ms", "--prepared", "--sql",
                                       "select price from items where id = $1", "--param", "3", pg().url()}, 30s);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests_of(run, "execute", "select price from items where id = $1"), 500u) << run.out;
}

// A host name, resolved once by the plugin and handed to libpq as hostaddr
// (resolved_conninfo.hpp): connects and queries like the address.
TEST_F(Postgres, HostNameInTheUrl) {
  std::string url = pg().url();
  const size_t at = url.find("127.0.0.1");
  ASSERT_NE(at, std::string::npos) << url;
  url.replace(at, 9, "localhost");
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "4", "-t", "1s", "--sql", "select 1", url}, 30s);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests_of(run, "query", "select 1"), 100u) << run.out;
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

TEST_F(Postgres, SqlErrorIsAFailureWithItsSqlstate) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "2", "-t", "1s", "--sql", "select * from nope",
                                       pg().url()}, 30s);
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 10u) << run.out;
  EXPECT_EQ(run.total_failures(), run.total_requests());
  EXPECT_EQ(run.failure_errors(), "42P01: relation \"nope\" does not exist\n");
}

TEST_F(Postgres, BadUrlAndRefusedConnectionSayWhy) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "1", "-t", "1s", "--sql", "select 1",
                                       "postgresql://postgres@127.0.0.1:1/x"}, 30s);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_NE(run.failure_errors().find("postgres: connection failed: connection to server at \"127.0.0.1\", port 1 "
                                      "failed: Connection refused"),
            std::string::npos)
      << run.failure_errors();
}

// Users each sleeping in the server on its own connection: when nothing
// blocks a loop thread, all of them are in flight at once, however many
// share the two loops. Counted in the server (pg_stat_activity) once every
// connection is up (connecting is slow on a loaded machine: the server forks
// a backend per connection), then loadhost is stopped with SIGINT.
void expect_all_in_flight(const PostgresServer &pg, uint32_t users, double sleep_s) {
  TempDir dir;
  const std::string sql = "select pg_sleep(" + std::to_string(sleep_s).substr(0, 3) + ")";
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"--plugin", "postgres", "-u", std::to_string(users), "-r", "1000", "-t", "25s", "--sql",
                           sql, pg.url()},
                          dir.path()),
            dir.path());
  int peak = 0;
  const auto deadline = started + 22s;
  while (peak < int(users) && std::chrono::steady_clock::now() < deadline && p.running()) {
    try {
      peak = std::max(peak, std::stoi(pg.sql("select count(*) from pg_stat_activity where state = 'active' and "
                                             "query = '" + sql + "'")));
    } catch (const std::exception &) {
    }
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(int(sleep_s * 3000)));  // some rounds at full strength
  ASSERT_EQ(::kill(p.pid(), SIGINT), 0);
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  // Sampled: a user between two rounds is not counted, and on a loaded
  // machine that gap grows; a loop thread blocked on a query would show at
  // most one per thread.
  EXPECT_GE(peak, int(users * 0.9)) << "queries running at once in the server";
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  const auto *e = run.entry("query", sql);
  ASSERT_TRUE(e) << run.report.dump();
  EXPECT_GT((*e)["num_requests"].get<uint64_t>(), 2 * users) << run.out;
  // Most rounds take the sleep alone (the slow ones include a connect).
  EXPECT_LT((*e)["median_response_time_ms"].get<double>(), sleep_s * 1000 * 1.5) << run.out;
}

TEST_F(Postgres, TwoHundredUsersKeepTwoHundredQueriesInFlight) { expect_all_in_flight(pg(), 200, 0.2); }

TEST_F(Postgres, FiveHundredUsersKeepFiveHundredQueriesInFlight) { expect_all_in_flight(pg(), 500, 0.5); }

TEST(PostgresAlone, ServerStoppedMidTestCountsFailuresAndExitsCleanly) {
  PostgresServer pg;
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"--plugin", "postgres", "-u", "20", "-t", "4s", "--sql", "select pg_sleep(0.05)",
                           pg.url()},
                          dir.path()),
            dir.path());
  std::this_thread::sleep_for(1500ms);
  pg.stop();
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 10) << "no hang after the server went away";
  EXPECT_GT(run.total_requests() - run.total_failures(), 100u) << "successes before the stop";
  const std::string errors = run.failure_errors();
  EXPECT_NE(errors.find("postgres: connection lost: "), std::string::npos) << errors;
  EXPECT_NE(errors.find("postgres: connection failed: "), std::string::npos) << errors;
}

TEST_F(Postgres, TimeoutCancelsTheQueryAndTheNextCallReconnects) {
  TempDir dir;
  // A third of the queries sleep 3 s and time out after 1 s.
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "3", "-t", "3s", "--request-timeout", "1s",
                                       "--sql", "select pg_sleep(3 * (random() < 0.3)::int)", pg().url()}, 30s);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 10);
  const uint64_t failures = run.total_failures(), requests = run.total_requests();
  EXPECT_GT(failures, 0u) << run.out;
  EXPECT_GT(requests - failures, 3u) << "calls after a timeout succeed on a new connection";
  EXPECT_NE(run.failure_errors().find("timeout"), std::string::npos) << run.failure_errors();
}

// ---- the pool (--pool N) ----------------------------------------------------

// The URL with an application_name, to find the run's connections in
// pg_stat_activity.
std::string url_named(const PostgresServer &pg, const std::string &application_name) {
  return pg.url() + "?application_name=" + application_name;
}

int connections_of(const PostgresServer &pg, const std::string &application_name) {
  try {
    return std::stoi(pg.sql("select count(*) from pg_stat_activity where application_name = '" + application_name +
                            "'"));
  } catch (const std::exception &) {
    return -1;
  }
}

TEST_F(Postgres, PoolOfFiveServesFiftyUsersOnFiveConnections) {
  TempDir dir;
  const std::string app = "lh_pool_fifty";
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"--plugin", "postgres", "--threads", "1", "--pool", "5", "-u", "50", "-r", "1000", "-t",
                           "4s", "--sql", "select pg_sleep(0.01)", url_named(pg(), app)},
                          dir.path()),
            dir.path());
  int peak = 0, samples = 0;
  while (p.running() && std::chrono::steady_clock::now() < started + 15s) {
    const int n = connections_of(pg(), app);
    if (n >= 0) {
      peak = std::max(peak, n);
      ++samples;
    }
    std::this_thread::sleep_for(100ms);
  }
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_GT(samples, 5);
  EXPECT_LE(peak, 5) << "one loop thread, a pool of 5";
  EXPECT_GE(peak, 2) << "the pool's connections were seen";
  // 50 users on 5 connections: each call waits for one, in the response time.
  const auto *e = run.entry("query", "select pg_sleep(0.01)");
  ASSERT_TRUE(e) << run.report.dump();
  EXPECT_GT((*e)["num_requests"].get<uint64_t>(), 200u) << run.out;
  EXPECT_GT((*e)["median_response_time_ms"].get<double>(), 30.0) << "10 users per connection wait their turn";
  // The pool closed with the run.
  for (int i = 0; i < 50 && connections_of(pg(), app) != 0; ++i) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(connections_of(pg(), app), 0);
}

TEST_F(Postgres, PoolKeepsEachTransactionOnOneConnection) {
  TempDir dir;
  ScopedEnv cache("XDG_CACHE_HOME", (dir.path() / "cache").string());  // compiled afresh, against this SDK
  pg().sql("drop table if exists pool_tx;"
           "create table pool_tx(user_no int, round int, step int, txid bigint, pid int)");
  const std::string app = "lh_pool_tx";
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"-f", scenario("pg_pool_tx"), "-H", url_named(pg(), app), "--pool", "2",
                           "--threads", "2", "-u", "10", "-r", "100", "-t", "3s"},
                          dir.path()),
            dir.path());
  int peak = 0;
  while (p.running() && std::chrono::steady_clock::now() < started + 170s) {
    peak = std::max(peak, connections_of(pg(), app));
    std::this_thread::sleep_for(100ms);
  }
  LoadhostRun run = finish_run(p, dir.path(), 10s, started);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
  EXPECT_LE(peak, 4) << "two loop threads, a pool of 2 each";
  const uint64_t commits = requests_of(run, "commit", "COMMIT");
  ASSERT_GT(commits, 20u) << run.out;
  EXPECT_GT(requests_of(run, "query", "in aborted transaction"), 5u) << run.out;
  EXPECT_GT(requests_of(run, "execute", "price_of"), 20u) << run.out;
  EXPECT_EQ(requests_of(run, "prepare", "price_of"), 10u) << "one prepare per user";
  // Every committed round: two rows, one transaction, one server process. A
  // user stopped inside a transaction left nothing behind (rolled back).
  EXPECT_EQ(pg().sql("select count(*) from (select user_no, round from pool_tx group by 1, 2 having count(*) <> 2 "
                     "or count(distinct txid) <> 1 or count(distinct pid) <> 1) bad"),
            "0");
  EXPECT_EQ(std::stoull(pg().sql("select count(distinct (user_no, round)) from pool_tx")), commits);
}

TEST_F(Postgres, PoolRunsPreparedStatementsAndTransactionsOfTheTypedClient) {
  TempDir dir;
  pg().sql("update counters set n = 0");
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("pg_basic"), "-H", url_named(pg(), "lh_pool_basic"), "--pool",
                                       "3", "-u", "8", "-r", "100", "-t", "2s"}, 30s);
  ASSERT_EQ(run.status.code, 0) << run.err << run.out << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
  EXPECT_GT(requests_of(run, "execute", "item_by_id"), 100u) << run.out;
  EXPECT_EQ(requests_of(run, "prepare", "item_by_id"), 8u) << "one prepare per user";
  const uint64_t commits = requests_of(run, "commit", "COMMIT");
  ASSERT_GT(commits, 100u) << run.out;
  EXPECT_EQ(std::stoull(pg().sql("select n from counters where id = 1")), commits);
}

TEST_F(Postgres, QuickModePreparedOnAPool) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "8", "--pool", "2", "-t", "1500ms",
                                       "--prepared", "--sql", "select price from items where id = $1", "--param",
                                       "3", pg().url()}, 30s);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_GT(requests_of(run, "execute", "select price from items where id = $1"), 500u) << run.out;
}

TEST_F(Postgres, PoolCallThatTimesOutWaitingFailsAndTheRestGoOn) {
  TempDir dir;
  // One connection, ten users, 0.02 s a query — but every 40th query (the
  // first among them) holds the connection for 2 s. It times out on the wire
  // after 1 s; the calls waiting behind it time out before, while waiting,
  // and leave the queue; then the rest go on. (Under a steady overload a
  // FIFO with timeouts serves only calls that have waited almost the whole
  // timeout: not what this test is about.)
  pg().sql("drop sequence if exists pool_hog; create sequence pool_hog");
  const std::string sql = "select pg_sleep(case when nextval('pool_hog') % 40 = 1 then 2 else 0.02 end)";
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "--threads", "1", "--pool", "1", "-u", "10", "-r",
                                       "1000", "-t", "3s", "--request-timeout", "1s", "--sql", sql,
                                       url_named(pg(), "lh_pool_timeout")}, 30s);
  EXPECT_EQ(run.status.code, 1) << run.err;
  const uint64_t failures = run.total_failures(), requests = run.total_requests();
  // At most one call on the wire times out per second: the others waited.
  EXPECT_GT(failures, 5u) << run.out;
  EXPECT_GT(requests - failures, 20u) << "the others go on\n" << run.out;
  std::string errors = run.failure_errors();
  for (size_t at = 0; (at = errors.find('\n')) != std::string::npos; errors.erase(0, at + 1))
    EXPECT_NE(errors.substr(0, at).find("timeout"), std::string::npos) << run.failure_errors();
}

TEST_F(Postgres, LostPooledConnectionFailsItsCallAndReopens) {
  TempDir dir;
  const std::string app = "lh_pool_lost";
  auto started = std::chrono::steady_clock::now();
  // Prepared: the reopened connections have never seen the statement, so
  // each user's execute prepares it there first, transparently.
  Process p(loadhost_argv({"--plugin", "postgres", "--pool", "2", "-u", "6", "-t", "4s", "--prepared", "--sql",
                           "select pg_sleep(0.02), $1::int", "--param", "1", url_named(pg(), app)},
                          dir.path()),
            dir.path());
  std::this_thread::sleep_for(1500ms);
  pg().sql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = '" + app + "'");
  std::this_thread::sleep_for(1000ms);
  const int reopened = connections_of(pg(), app);
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GT(reopened, 0) << "the pool reopened its connections";
  const uint64_t failures = run.total_failures(), requests = run.total_requests();
  EXPECT_GT(failures, 0u);
  EXPECT_GT(requests - failures, 100u);
  EXPECT_GT(requests_of(run, "execute", "select pg_sleep(0.02), $1::int"), 60u) << run.out;
  std::string errors = run.failure_errors();
  for (size_t at = 0; (at = errors.find('\n')) != std::string::npos; errors.erase(0, at + 1))
    EXPECT_EQ(errors.substr(0, at).rfind("postgres: connection lost: ", 0), 0u) << run.failure_errors();
}

TEST_F(Postgres, BadPoolSizeSaysWhy) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "1", "-t", "1s", "--pool", "many", "--sql",
                                       "select 1", pg().url()}, 30s);
  EXPECT_EQ(run.status.code, 2) << run.err;  // a session that cannot open stops the test (broken runs)
  EXPECT_NE(run.failure_errors().find("option 'pool': 'many' is not a number of connections"), std::string::npos)
      << run.failure_errors() << run.err;
}

}  // namespace
}  // namespace loadhost::test
