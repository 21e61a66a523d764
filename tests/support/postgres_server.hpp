// A real PostgreSQL server for tests, in a private temp dir, on
// 127.0.0.1:<free port> (its unix socket in the data dir): initdb, start,
// wait until it answers SQL, then create the database "loadhost" with
//
//   items(id int primary key, name text, price numeric)   ids 1..100
//   counters(id int primary key, n bigint)                 one row, id 1, n 0
//
// initdb and postgres refuse to run as root: as root they run as the system
// user "postgres" (the Debian package's) through setpriv, which execs in
// place, so the fixture's pid is the server's own. Authentication is trust.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace loadhost::test {

struct PostgresOptions {
  std::uint32_t max_connections = 600;  // 500 users, each with a connection, and room for psql
  std::filesystem::path bin_dir = "/usr/lib/postgresql/15/bin";
  std::chrono::milliseconds start_timeout{20'000};
};

class PostgresServer {
 public:
  static constexpr const char *kDatabase = "loadhost";
  static constexpr int kItems = 100;

  // Throws std::runtime_error (with the server's output) when it does not come up.
  explicit PostgresServer(PostgresOptions options = {});
  // stop()
  ~PostgresServer();
  PostgresServer(const PostgresServer &) = delete;
  PostgresServer &operator=(const PostgresServer &) = delete;

  std::uint16_t port() const { return port_; }
  // "postgresql://postgres@127.0.0.1:PORT/loadhost"
  std::string url() const;
  const std::filesystem::path &dir() const { return dir_.path(); }

  // Runs `sql` with psql in the test database; returns its unaligned,
  // tuples-only output (trailing newline removed). Throws on an SQL error.
  std::string sql(const std::string &sql) const;

  // Fast shutdown (SIGINT: every session is cut at once), then SIGKILL after
  // a grace period. Idempotent.
  void stop();

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  void run_to_end(std::vector<std::string> argv, const char *what) const;
  bool start_on_port();  // false when the port was taken
  std::string psql(const std::string &database, const std::string &sql, std::string *error) const;

  PostgresOptions options_;
  TempDir dir_{"loadhost-postgres"};
  std::filesystem::path data_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace loadhost::test
