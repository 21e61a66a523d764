#include "support/postgres_server.hpp"

#include "support/free_port.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace loadhost::test {
namespace {

constexpr int kStartAttempts = 3;  // when the free port was taken before postgres bound it
constexpr std::chrono::seconds kToolTimeout{60};
constexpr std::chrono::seconds kShutdownGrace{5};

const char *const kSchema =
    "create table items(id int primary key, name text, price numeric);"
    "insert into items select i, 'item ' || i, i * 1.5 from generate_series(1, 100) i;"
    "create table counters(id int primary key, n bigint);"
    "insert into counters values (1, 0);";

}  // namespace

PostgresServer::PostgresServer(PostgresOptions options) : options_(std::move(options)) {
  data_ = dir_.path() / "data";
  std::filesystem::create_directory(data_);
  if (::geteuid() == 0) {
    const passwd *pw = ::getpwnam("postgres");
    if (!pw) throw std::runtime_error("PostgresServer: running as root needs the system user 'postgres'");
    // The server user must reach its data dir through ours.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_exec);
    if (::chown(data_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw std::runtime_error("PostgresServer: cannot hand " + data_.string() + " to the user 'postgres'");
  }
  run_to_end(as_server_user({(options_.bin_dir / "initdb").string(), "-D", data_.string(), "-A", "trust", "-U",
                             "postgres", "-E", "UTF8", "--no-locale", "--no-sync"}),
             "initdb");
  bool started = false;
  for (int attempt = 0; attempt < kStartAttempts && !started; ++attempt) started = start_on_port();
  if (!started) throw std::runtime_error("PostgresServer: no free port after several attempts");
  std::string error;
  psql("postgres", std::string("create database ") + kDatabase, &error);
  if (error.empty()) psql(kDatabase, kSchema, &error);
  if (!error.empty()) throw std::runtime_error("PostgresServer: cannot create the test database: " + error);
}

PostgresServer::~PostgresServer() { stop(); }

std::vector<std::string> PostgresServer::as_server_user(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> wrapped{"setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

void PostgresServer::run_to_end(std::vector<std::string> argv, const char *what) const {
  Process p(std::move(argv), dir_.path(), dir_.path());
  const std::optional<ExitStatus> status = p.wait(kToolTimeout);
  if (!status || !status->exited_normally())
    throw std::runtime_error(std::string("PostgresServer: ") + what + " failed:\n" + p.stdout_text() +
                             p.stderr_text());
}

bool PostgresServer::start_on_port() {
  port_ = free_port();
  process_ = std::make_unique<Process>(
      as_server_user({(options_.bin_dir / "postgres").string(), "-D", data_.string(), "-p", std::to_string(port_),
                      "-k", data_.string(), "-c", "listen_addresses=127.0.0.1", "-c",
                      "max_connections=" + std::to_string(options_.max_connections), "-c", "fsync=off", "-c",
                      "synchronous_commit=off", "-c", "full_page_writes=off"}),
      dir_.path(), dir_.path());
  // Up once it answers SQL ("the database system is starting up" first).
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (process_->running() && std::chrono::steady_clock::now() < deadline) {
    std::string error;
    psql("postgres", "select 1", &error);
    if (error.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  process_->stop();
  const std::string log = process_->stderr_text();
  if (log.find("Address already in use") != std::string::npos) return false;
  throw std::runtime_error("PostgresServer: postgres did not start on 127.0.0.1:" + std::to_string(port_) + ":\n" +
                           log);
}

std::string PostgresServer::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + kDatabase;
}

std::string PostgresServer::psql(const std::string &database, const std::string &sql, std::string *error) const {
  Process p({"psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", std::to_string(port_),
             "-U", "postgres", "-d", database, "-c", sql},
            dir_.path());
  const std::optional<ExitStatus> status = p.wait(kToolTimeout);
  std::string out = p.stdout_text();
  if (!status || !status->exited_normally()) {
    *error = p.stderr_text();
    if (error->empty()) *error = "psql did not finish";
    return {};
  }
  error->clear();
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string PostgresServer::sql(const std::string &sql) const {
  std::string error;
  std::string out = psql(kDatabase, sql, &error);
  if (!error.empty()) throw std::runtime_error("PostgresServer: " + sql + ": " + error);
  return out;
}

void PostgresServer::stop() {
  if (!process_) return;
  if (process_->running()) {
    ::kill(process_->pid(), SIGINT);  // fast shutdown: no waiting for clients
    if (process_->wait(kShutdownGrace)) return;
  }
  process_->stop();
}

}  // namespace loadhost::test
