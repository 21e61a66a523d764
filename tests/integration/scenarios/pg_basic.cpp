// Exercises every operation of the postgres plugin through the typed client
// (sdk/include/loadhost/postgres.hpp) against the PostgresServer fixture's
// tables: a query with parameters, a prepared statement, a transaction. A
// wrong answer is thrown, so it shows in the exceptions table.
#include <loadhost/loadhost.hpp>
#include <loadhost/postgres.hpp>

using namespace loadhost;

struct PgBasic : PostgresUser {
  PgBasic() {
    task(1, &PgBasic::query_with_params);
    task(1, &PgBasic::prepared);
    task(1, &PgBasic::transaction);
  }

  Task<> on_start() override {
    auto r = co_await db.prepare("item_by_id", "select id, name, price from items where id = $1");
    if (!r.ok()) throw std::runtime_error("prepare: " + *r.error());
  }

  Task<> query_with_params() {
    const int id = int(random()() % 100) + 1;
    auto r = co_await db.query("select id, name from items where id = $1", id).name("items by id");
    expect(r, 1, "{\"id\":" + std::to_string(id) + ",\"name\":\"item " + std::to_string(id) + "\"}");
  }

  Task<> prepared() {
    const int id = int(random()() % 100) + 1;
    auto r = co_await db.execute("item_by_id", id);
    expect(r, 1, "\"id\":" + std::to_string(id) + ",");
  }

  Task<> transaction() {
    co_await db.begin();
    auto r = co_await db.query("update counters set n = n + 1 where id = $1", 1).name("increment");
    expect(r, 1, "");
    co_await db.commit();
  }

  static void expect(const Response &r, int64_t rows, const std::string &in_body) {
    if (!r.ok()) return;  // counted as a failure already
    if (r.status() != rows)
      throw std::runtime_error("expected " + std::to_string(rows) + " rows, got " + std::to_string(r.status()));
    if (r.body().find(in_body) == std::string::npos)
      throw std::runtime_error("body " + r.body() + " lacks " + in_body);
  }
};

LOADHOST_SCENARIO(PgBasic);
