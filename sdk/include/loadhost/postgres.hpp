// loadhost C++ SDK — PostgreSQL users and their client, through the bundled
// "postgres" plugin (plugins/postgres; docs/plugins/postgres.md):
//
//   #include <loadhost/loadhost.hpp>
//   #include <loadhost/postgres.hpp>
//
//   struct Reader : loadhost::PostgresUser {
//     Reader() { task(1, &Reader::read); }
//     Task<> on_start() override { co_await db.prepare("by_id", "select * from items where id = $1"); }
//     Task<> read() {
//       auto r = co_await db.execute("by_id", random()() % 1000 + 1);
//       if (r.ok() && r.status() != 1) r.failure("no such item");
//     }
//   };
//
// Each user has its own connection (opened on its first call, opened again
// after a loss) — or, with --pool N (or db.set_option("pool", "N") before the
// first call), the users of one loop thread that name the same URL share N
// connections: a call waits for a free one, a transaction keeps its
// connection until COMMIT/ROLLBACK, and prepared statements follow the user
// to whichever connection runs its execute. A response's status() is the number of rows returned (or
// affected), its body() the rows as JSON ('[{"id":1,"name":"x"}]'); an SQL
// error is a failure reading "SQLSTATE: message". The base URL is a libpq
// connection URI: postgresql://user:password@127.0.0.1:5432/db (-H/--host).
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "loadhost/client.hpp"

namespace loadhost {

namespace detail {
// A parameter as PostgreSQL's text format reads it.
inline std::string pg_text(std::string_view s) { return std::string(s); }
inline std::string pg_text(const char *s) { return std::string(s); }
inline std::string pg_text(const std::string &s) { return s; }
inline std::string pg_text(bool b) { return b ? "true" : "false"; }
template <class T>
  requires std::is_arithmetic_v<T>
std::string pg_text(T v) {
  return std::to_string(v);
}
}  // namespace detail

class PostgresClient : public Client {
 public:
  explicit PostgresClient(std::string url = {}) : Client("postgres", std::move(url)) {}

  // Runs `sql`; params bind to $1..$n (text format). Without params the
  // SQL may hold several statements ("begin; ...; commit").
  template <class... Params>
  CallAwaiter query(std::string sql, const Params &...params) {
    return call("query", std::move(sql), {}, with_params(params...));
  }
  // Prepares `sql` under `name` for this user's connection (and, after a
  // reconnect, again, before its next execute; with a pool, on each pooled
  // connection before the first execute there).
  CallAwaiter prepare(std::string name, std::string_view sql) { return call("prepare", std::move(name), sql); }
  template <class... Params>
  CallAwaiter execute(std::string name, const Params &...params) {
    return call("execute", std::move(name), {}, with_params(params...));
  }
  // A transaction is these around the calls in between: one user's calls
  // run in order on its one connection (with a pool, the connection stays
  // with the user from BEGIN to COMMIT/ROLLBACK). A lost connection loses the
  // transaction (the next call runs on a new connection, outside it).
  CallAwaiter begin() { return call("begin", "BEGIN"); }
  CallAwaiter commit() { return call("commit", "COMMIT"); }
  CallAwaiter rollback() { return call("rollback", "ROLLBACK"); }

 private:
  template <class... Params>
  static CallOptions with_params(const Params &...params) {
    CallOptions o;
    int n = 0;
    (o.headers.push_back(Header{"$" + std::to_string(++n), detail::pg_text(params)}), ...);
    return o;
  }
};

// A user with one PostgresClient, `db`, at -H/--host (sharing a pool of the
// loop's connections when the run says --pool N).
class PostgresUser : public UserBase {
 public:
  PostgresUser() {
    std::string_view h = target_host();
    if (!h.empty()) db.set_base_url(std::string(h));
    std::string_view pool = loadhost::option("pool");
    if (!pool.empty()) db.set_option("pool", std::string(pool));
  }
  PostgresClient db;
};

}  // namespace loadhost
