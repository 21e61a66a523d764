// Distributed runs (issue 10) end to end: a loadhost master and loadhost
// workers as separate processes over Locust's wire protocol (ZeroMQ +
// msgpack), against a real nginx whose access log is the ground truth; and
// the same protocol against Debian's Locust 2.12.1 on either side. Every
// worker hits its own path (/w1, /w2 ...), so nginx's log tells them apart.
// Ports: the master binds port 0 and prints the one it got; Locust's master
// gets a free port. No fixed 5557 anywhere.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/bad_server.hpp"
#include "support/free_port.hpp"
#include "support/loopback_client.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Debian's python3 and Locust (tests/setup-debian.sh): the pyenv python3 on
// PATH has neither zmq nor msgpack nor locust.
constexpr const char *kPython = "/usr/bin/python3";
constexpr const char *kLocust = "/usr/bin/locust";

// Every locustfile starts so: Debian's Locust reports an empty version,
// which Locust's own master refuses.
constexpr const char *kLocustPrelude = "import locust.runners\nlocust.runners.__version__ = \"2.12.1\"\n";

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Polls `done` every 50 ms until it holds or `limit` passes.
template <typename Done>
bool eventually(Done done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

size_t count_of(const std::string &text, std::string_view needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// loadhost logs to stderr: waits until it holds `needle`. False after
// `timeout`, or when the process exits without having written it.
bool wait_for_stderr(const Process &p, std::string_view needle, std::chrono::milliseconds timeout) {
  bool found = false;
  eventually(
      [&] {
        bool exited = !p.running();
        found = p.stderr_text().find(needle) != std::string::npos;
        return found || exited;
      },
      timeout);
  return found;
}

// The first stderr line holding `needle`, or "".
std::string stderr_line(const Process &p, std::string_view needle) {
  std::istringstream in(p.stderr_text());
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) return line;
  return "";
}

// The port of "loadhost: master listening on HOST:PORT for workers", or 0.
std::uint16_t master_port(const Process &master) {
  if (!wait_for_stderr(master, "master listening on ", 15s)) return 0;
  static const std::regex re(R"(master listening on \S+:(\d+) for workers)");
  std::smatch m;
  std::string err = master.stderr_text();
  if (!std::regex_search(err, m, re)) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// The port of "loadhost: web UI at http://HOST:PORT/", or 0.
std::uint16_t web_ui_port(const Process &p) {
  if (!wait_for_stderr(p, "loadhost: web UI at ", 15s)) return 0;
  static const std::regex re(R"(web UI at https?://[^ ]*:(\d+)/)");
  std::smatch m;
  std::string err = p.stderr_text();
  if (!std::regex_search(err, m, re)) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

// The node id a loadhost worker prints: "worker ID connecting to the master".
std::string worker_id(const Process &worker) {
  if (!wait_for_stderr(worker, " connecting to the master", 10s)) return "";
  static const std::regex re(R"(worker (\S+) connecting to the master)");
  std::smatch m;
  std::string err = worker.stderr_text();
  return std::regex_search(err, m, re) ? std::string(m[1]) : "";
}

// GET `target` on the web UI; an empty object when there is no JSON answer.
json get_json(std::uint16_t port, std::string_view target) {
  try {
    LoopbackClient client(port);
    client.send("GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                "\r\nConnection: close\r\n\r\n");
    if (auto response = client.read_http_response(5s)) {
      json value = json::parse(response->body, nullptr, false);
      if (!value.is_discarded()) return value;
    }
  } catch (const std::exception &) {
  }
  return json::object();
}

std::string read_text(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const std::filesystem::path &path, const std::string &text) { std::ofstream(path) << text; }

// Requests per path in nginx's access log (`ADDR "GET /w1 HTTP/1.1" 200 6`).
std::map<std::string, uint64_t> nginx_paths(const NginxServer &nginx) {
  std::map<std::string, uint64_t> counts;
  std::istringstream in(read_text(nginx.dir() / "access.log"));
  for (std::string line; std::getline(in, line);) {
    size_t quote = line.find('"');
    if (quote == std::string::npos) continue;
    size_t space = line.find(' ', quote);
    size_t end = line.find(' ', space + 1);
    if (space == std::string::npos || end == std::string::npos) continue;
    ++counts[line.substr(space + 1, end - space - 1)];
  }
  return counts;
}

// Once every client has exited: nginx's per-path counts after at least
// `at_least` lines are logged and the log stopped growing (nginx writes a
// line when a request ends, which may be just after the client saw it).
std::map<std::string, uint64_t> settled_nginx_paths(const NginxServer &nginx, size_t at_least) {
  EXPECT_TRUE(nginx.wait_for_access_log_lines(at_least, 5s))
      << "nginx logged " << nginx.access_log_lines() << " requests, fewer than " << at_least;
  size_t lines = nginx.access_log_lines();
  eventually(
      [&] {
        std::this_thread::sleep_for(200ms);
        size_t now = nginx.access_log_lines();
        return std::exchange(lines, now) == now;
      },
      3s);
  return nginx_paths(nginx);
}

std::string describe(const std::map<std::string, uint64_t> &counts) {
  std::string out;
  for (const auto &[path, n] : counts) out += path + "=" + std::to_string(n) + " ";
  return out;
}

// num_requests of the master JSON's entry for (GET, name); 0 when absent.
uint64_t requests_of(const json &report, const std::string &name) {
  for (const auto &e : report["stats"])
    if (e["type"] == "GET" && e["name"] == name) return e["num_requests"].get<uint64_t>();
  return 0;
}

json read_json(const std::filesystem::path &path) {
  std::ifstream in(path);
  if (!in) return json::object();
  json value = json::parse(in, nullptr, false);
  return value.is_discarded() ? json::object() : value;
}

// A loadhost master on a port of its choosing, headless unless `args` says
// otherwise; its JSON report goes to dir/report.json.
std::unique_ptr<Process> start_master(const TempDir &dir, std::vector<std::string> args) {
  std::vector<std::string> argv{LH_LOADHOST_BIN, "--master", "--master-bind-port", "0", "--only-summary",
                                "--json", (dir.path() / "report.json").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Process>(argv, dir.path());
}

// A loadhost worker of the master on `port` (quick mode on `target`, or
// `-f scenario` in `args`).
std::unique_ptr<Process> start_worker(const TempDir &dir, std::uint16_t port, std::vector<std::string> args) {
  std::vector<std::string> argv{LH_LOADHOST_BIN, "--worker", "--master-host", "127.0.0.1", "--master-port",
                                std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<Process>(argv, dir.path());
}

std::string both(const Process &p) { return "--- stderr:\n" + p.stderr_text() + "--- stdout:\n" + p.stdout_text(); }

// ---------------------------------------------------------------------------

TEST(Distributed, TwoLoadhostWorkersCountEqualsNginx) {
  NginxServer nginx;
  TempDir dir;
  auto started = Clock::now();
  auto master = start_master(dir, {"--headless", "--expect-workers", "2", "-u", "10", "-r", "100", "-t", "4s",
                                   nginx.url() + "/w1"});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto w1 = start_worker(dir, port, {nginx.url() + "/w1"});
  auto w2 = start_worker(dir, port, {nginx.url() + "/w2"});

  auto status = master->wait(20s);
  ASSERT_TRUE(status.has_value()) << "the master did not exit\n" << both(*master);
  double master_s = seconds_since(started);
  EXPECT_EQ(status->code, 0) << both(*master);
  EXPECT_TRUE(wait_for_stderr(*master, "all users spawned: \"QuickUser\": 10 (10 total) on 2 workers", 0ms))
      << master->stderr_text();
  for (Process *w : {w1.get(), w2.get()}) {
    auto ws = w->wait(10s);
    ASSERT_TRUE(ws.has_value()) << "a worker did not exit after the master quit\n" << both(*w);
    EXPECT_EQ(ws->code, 0) << both(*w);
    EXPECT_NE(w->stderr_text().find("worker done: the master quit"), std::string::npos) << w->stderr_text();
  }
  EXPECT_LT(master_s, 12.0);

  json report = read_json(dir.path() / "report.json");
  ASSERT_TRUE(report.contains("aggregated")) << both(*master);
  uint64_t total = report["aggregated"]["num_requests"].get<uint64_t>();
  EXPECT_GT(total, 0u);
  EXPECT_EQ(report["aggregated"]["num_failures"].get<uint64_t>(), 0u) << report["failures"].dump();
  auto logged = settled_nginx_paths(nginx, total);
  EXPECT_EQ(nginx.access_log_lines(), total) << "nginx: " << describe(logged);
  uint64_t on_w1 = requests_of(report, "/w1"), on_w2 = requests_of(report, "/w2");
  EXPECT_GT(on_w1, 0u);
  EXPECT_GT(on_w2, 0u);
  EXPECT_EQ(on_w1, logged["/w1"]) << "nginx: " << describe(logged);
  EXPECT_EQ(on_w2, logged["/w2"]) << "nginx: " << describe(logged);
  EXPECT_EQ(on_w1 + on_w2, total);
  EXPECT_EQ(report["requests_sent"], total) << "the workers' sent counts reach the master";
  std::printf("[   INFO   ] /w1 %llu, /w2 %llu requests; master ran %.1f s\n", (unsigned long long)on_w1,
              (unsigned long long)on_w2, master_s);
}

// With a web UI (so the workers list can be watched): 3 workers running the
// paths scenario, each on its own path; worker 3 is SIGKILLed once the master
// has its first report; the others take its users and the run ends normally.
TEST(Distributed, KilledWorkerRunGoesOn) {
  NginxServer nginx;
  TempDir dir;
  auto started = Clock::now();
  auto master = start_master(dir, {"--web-host", "127.0.0.1", "--web-port", "0", "--autostart", "--expect-workers",
                                   "3", "-u", "12", "-r", "100", "-t", "11s", "-H", nginx.url(), "-f",
                                   scenario("distributed_paths")});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  std::uint16_t ui = web_ui_port(*master);
  ASSERT_NE(ui, 0) << both(*master);
  std::vector<std::unique_ptr<Process>> workers;
  for (const char *path : {"/w1", "/w2", "/w3"}) {
    ScopedEnv env("LH_TEST_PATH", std::string(path));
    workers.push_back(start_worker(dir, port, {"-f", scenario("distributed_paths")}));
  }
  std::string killed_id = worker_id(*workers[2]);
  ASSERT_FALSE(killed_id.empty()) << both(*workers[2]);
  ASSERT_TRUE(wait_for_stderr(*master, "all users spawned", 15s)) << both(*master);
  // Worker 3's first report (every 3 s) is in: the master has /w3 requests.
  json stats;
  ASSERT_TRUE(eventually(
      [&] {
        stats = get_json(ui, "/stats/requests");
        for (const auto &row : stats["stats"])
          if (row["name"] == "/w3" && row["num_requests"].get<uint64_t>() > 0) return true;
        return false;
      },
      8s))
      << stats.dump(1);
  ASSERT_EQ(::kill(workers[2]->pid(), SIGKILL), 0);
  auto killed_at = Clock::now();
  workers[2]->wait(5s);

  ASSERT_TRUE(wait_for_stderr(*master, "marked missing", 7s)) << both(*master);
  double missing_after = seconds_since(killed_at);
  EXPECT_NE(stderr_line(*master, "marked missing").find(killed_id), std::string::npos) << master->stderr_text();
  EXPECT_LT(missing_after, 6.0) << "3 missed heartbeats";
  // The survivors take its users: 6 each, and 12 in all (they report their
  // counts every 3 s).
  bool taken_over = eventually(
      [&] {
        stats = get_json(ui, "/stats/requests");
        int missing = 0, six = 0;
        for (const auto &w : stats["workers"]) {
          if (w["id"] == killed_id && w["state"] == "missing") ++missing;
          if (w["id"] != killed_id && w["user_count"] == 6) ++six;
        }
        return missing == 1 && six == 2 && stats["user_count"] == 12;
      },
      5s);
  EXPECT_TRUE(taken_over) << stats.dump(1);
  double taken_over_after = seconds_since(killed_at);

  // The run time passes; the reports are written; then a signal quits the
  // idle UI master, which tells the workers to quit.
  ASSERT_TRUE(wait_for_stderr(*master, "loadhost: wrote ", 10s)) << both(*master);
  ExitStatus master_status = master->stop(10s);
  EXPECT_EQ(master_status.code, 0) << both(*master);
  for (int i = 0; i < 2; ++i) {
    auto ws = workers[i]->wait(10s);
    ASSERT_TRUE(ws.has_value()) << both(*workers[i]);
    EXPECT_EQ(ws->code, 0) << both(*workers[i]);
  }

  json report = read_json(dir.path() / "report.json");
  ASSERT_TRUE(report.contains("aggregated")) << both(*master);
  uint64_t on_w1 = requests_of(report, "/w1"), on_w2 = requests_of(report, "/w2"), on_w3 = requests_of(report, "/w3");
  auto logged = settled_nginx_paths(nginx, on_w1 + on_w2 + on_w3);
  EXPECT_EQ(on_w1, logged["/w1"]) << "nginx: " << describe(logged);
  EXPECT_EQ(on_w2, logged["/w2"]) << "nginx: " << describe(logged);
  EXPECT_GT(on_w3, 0u);
  EXPECT_LE(on_w3, logged["/w3"]) << "what worker 3 did after its last report is lost, never more";
  EXPECT_EQ(report["aggregated"]["num_failures"].get<uint64_t>(), 0u) << report["failures"].dump();
  std::printf("[   INFO   ] missing %.1f s and taken over %.1f s after the kill; master /w1 %llu /w2 %llu /w3 %llu, "
              "nginx /w3 %llu; run %.1f s\n",
              missing_after, taken_over_after, (unsigned long long)on_w1, (unsigned long long)on_w2,
              (unsigned long long)on_w3, (unsigned long long)logged["/w3"], seconds_since(started));
}

TEST(Distributed, MasterKilledWorkersExitNonZero) {
  NginxServer nginx;
  TempDir dir;
  auto master = start_master(dir, {"--headless", "--expect-workers", "2", "-u", "4", "-r", "100", "-t", "60s",
                                   nginx.url() + "/w1"});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto w1 = start_worker(dir, port, {nginx.url() + "/w1"});
  auto w2 = start_worker(dir, port, {nginx.url() + "/w2"});
  ASSERT_TRUE(wait_for_stderr(*master, "all users spawned", 15s)) << both(*master);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(1, 5s));
  ASSERT_EQ(::kill(master->pid(), SIGKILL), 0);
  auto killed_at = Clock::now();
  for (Process *w : {w1.get(), w2.get()}) {
    auto ws = w->wait(10s);
    ASSERT_TRUE(ws.has_value()) << "a worker still runs 10 s after its master was killed\n" << both(*w);
    EXPECT_NE(ws->code, 0) << both(*w);
    EXPECT_EQ(ws->signal, 0) << both(*w);
    EXPECT_NE(stderr_line(*w, "loadhost: worker failed: ").find("lost the master"), std::string::npos)
        << both(*w);
  }
  double exited_after = seconds_since(killed_at);
  EXPECT_LT(exited_after, 10.0);
  // They stopped their users: nginx sees nothing more.
  size_t lines = nginx.access_log_lines();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), lines);
  std::printf("[   INFO   ] both workers exited %.1f s after the master was killed\n", exited_after);
}

TEST(Distributed, WorkerWithAnotherScenarioIsRefused) {
  NginxServer nginx;
  TempDir dir;
  auto master = start_master(dir, {"--headless", "--expect-workers", "1", "--expect-workers-max-wait", "10s", "-u",
                                   "2", "-r", "100", "-t", "3s", "-H", nginx.url(), "-f",
                                   scenario("distributed_shopper")});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto worker = start_worker(dir, port, {"-f", scenario("distributed_other")});
  auto ws = worker->wait(15s);
  ASSERT_TRUE(ws.has_value()) << both(*worker);
  EXPECT_EQ(ws->code, 1) << both(*worker);
  std::string failed = stderr_line(*worker, "loadhost: worker failed: ");
  EXPECT_NE(failed.find("'Shopper'"), std::string::npos) << both(*worker);
  EXPECT_NE(failed.find("Other"), std::string::npos) << "it names its own classes\n" << both(*worker);

  auto ms = master->wait(15s);
  ASSERT_TRUE(ms.has_value()) << "the master did not end its test\n" << both(*master);
  EXPECT_EQ(ms->signal, 0) << both(*master);
  EXPECT_TRUE(ms->code == 0 || ms->code == 1) << "exit " << ms->code << "\n" << both(*master);
  std::string err = master->stderr_text();
  EXPECT_EQ(count_of(err, "no user class 'Shopper'"), 1u) << err;
  std::string line = stderr_line(*master, "no user class 'Shopper'");
  EXPECT_NE(line.find("worker "), std::string::npos) << line;
  EXPECT_EQ(nginx.access_log_lines(), 0u) << "nobody ran a user";
  std::printf("[   INFO   ] master exit %d; its line: %s\n", ms->code, line.c_str());
}

// The probe: a DEALER that sends raw garbage, then one that says it is
// loadhost 9.9.0; each prints "IDENTITY TYPE DATA-AS-JSON NODE_ID" of the
// answer, or "IDENTITY no answer".
constexpr const char *kProbe = R"(import json, sys
import msgpack, zmq

port = int(sys.argv[1])
ctx = zmq.Context()


def probe(identity, payload):
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.IDENTITY, identity.encode())
    s.setsockopt(zmq.LINGER, 0)
    s.connect("tcp://127.0.0.1:%d" % port)
    s.send(payload)
    if s.poll(8000) == 0:
        print(identity, "no answer", flush=True)
    else:
        t, data, node = msgpack.loads(s.recv(), raw=False)
        print(identity, t, json.dumps(data), node, flush=True)
    s.close()


probe("garbage-probe", b"\xc1\x00 garbage \xff\xfe")
probe("version-probe", msgpack.dumps(("client_ready", "loadhost-9.9.0", "version-probe")))
)";

TEST(Distributed, GarbageAndWrongVersionAreRefused) {
  NginxServer nginx;
  TempDir dir;
  auto master = start_master(dir, {"--headless", "--expect-workers", "1", "--expect-workers-max-wait", "30s", "-u",
                                   "3", "-r", "100", "-t", "2s", nginx.url() + "/w1"});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  write_text(dir.path() / "probe.py", kProbe);
  Process probe({kPython, (dir.path() / "probe.py").string(), std::to_string(port)}, dir.path());
  auto garbage = probe.wait_for_line("garbage-probe ", 15s);
  auto version = probe.wait_for_line("version-probe ", 15s);
  auto ps = probe.wait(5s);
  ASSERT_TRUE(ps.has_value());
  EXPECT_EQ(ps->code, 0) << both(probe);
  ASSERT_TRUE(garbage) << both(probe);
  ASSERT_TRUE(version) << both(probe);
  EXPECT_TRUE(garbage->starts_with("garbage-probe quit {\"reason\": \"")) << *garbage;
  EXPECT_TRUE(version->starts_with("version-probe quit {\"reason\": \"")) << *version;
  EXPECT_NE(version->find("loadhost-9.9.0"), std::string::npos) << *version;

  std::string err = master->stderr_text();
  EXPECT_EQ(count_of(err, "refused worker 'garbage-probe'"), 1u) << err;
  EXPECT_EQ(count_of(err, "refused worker 'version-probe'"), 1u) << err;
  EXPECT_TRUE(master->running()) << "the master must go on\n" << err;

  // A real worker still runs a test on that master, counted exactly.
  auto worker = start_worker(dir, port, {nginx.url() + "/w1"});
  auto ms = master->wait(15s);
  ASSERT_TRUE(ms.has_value()) << both(*master);
  EXPECT_EQ(ms->code, 0) << both(*master);
  auto ws = worker->wait(10s);
  ASSERT_TRUE(ws.has_value()) << both(*worker);
  EXPECT_EQ(ws->code, 0) << both(*worker);
  json report = read_json(dir.path() / "report.json");
  ASSERT_TRUE(report.contains("aggregated")) << both(*master);
  uint64_t total = report["aggregated"]["num_requests"].get<uint64_t>();
  EXPECT_GT(total, 0u);
  auto logged = settled_nginx_paths(nginx, total);
  EXPECT_EQ(nginx.access_log_lines(), total) << describe(logged);
  EXPECT_EQ(requests_of(report, "/w1"), logged["/w1"]);
  std::printf("[   INFO   ] %s\n[   INFO   ] %s\n", garbage->c_str(), version->c_str());
}

// Locust's CSV row for `name` ("Aggregated" for the total): its columns.
std::vector<std::string> csv_row(const std::filesystem::path &path, const std::string &name) {
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream fields(line);
    while (std::getline(fields, cell, ',')) {
      if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
      cells.push_back(cell);
    }
    if (cells.size() > 2 && cells[1] == name) return cells;
  }
  return {};
}

TEST(Distributed, LocustMasterTakesLoadhostWorkers) {
  ASSERT_TRUE(std::filesystem::exists(kLocust)) << "Debian's python3-locust is not installed (tests/setup-debian.sh)";
  NginxServer nginx;
  TempDir dir;
  write_text(dir.path() / "stub.py", std::string(kLocustPrelude) + R"(from locust import HttpUser, task, constant


class QuickUser(HttpUser):
    # Never runs here: the loadhost workers run their own QuickUser.
    wait_time = constant(1)

    @task
    def index(self):
        self.client.get("/")
)");
  std::uint16_t port = free_port();
  auto started = Clock::now();
  Process master({kLocust, "--master", "--headless", "-f", "stub.py", "--expect-workers", "2", "-u", "10", "-r",
                  "10", "-t", "5s", "--csv", "run", "--master-bind-host", "127.0.0.1", "--master-bind-port",
                  std::to_string(port), "--only-summary"},
                 dir.path(), dir.path());
  // Locust prints nothing when it is listening: the workers retry until
  // their client_ready is acked.
  auto w1 = start_worker(dir, port, {nginx.url() + "/w1"});
  auto w2 = start_worker(dir, port, {nginx.url() + "/w2"});
  auto ms = master.wait(40s);
  ASSERT_TRUE(ms.has_value()) << "Locust's master did not exit\n" << both(master);
  double master_s = seconds_since(started);
  EXPECT_EQ(ms->code, 0) << both(master);
  for (Process *w : {w1.get(), w2.get()}) {
    auto ws = w->wait(10s);
    ASSERT_TRUE(ws.has_value()) << both(*w);
    EXPECT_EQ(ws->code, 0) << both(*w);
  }
  auto aggregated = csv_row(dir.path() / "run_stats.csv", "Aggregated");
  ASSERT_GT(aggregated.size(), 3u) << read_text(dir.path() / "run_stats.csv") << both(master);
  uint64_t locust_total = std::stoull(aggregated[2]);
  auto row_w1 = csv_row(dir.path() / "run_stats.csv", "/w1"), row_w2 = csv_row(dir.path() / "run_stats.csv", "/w2");
  ASSERT_GT(row_w1.size(), 3u) << read_text(dir.path() / "run_stats.csv");
  ASSERT_GT(row_w2.size(), 3u) << read_text(dir.path() / "run_stats.csv");
  EXPECT_GT(locust_total, 0u);
  EXPECT_EQ(aggregated[3], "0") << "failures";
  auto logged = settled_nginx_paths(nginx, locust_total);
  EXPECT_EQ(std::stoull(row_w1[2]), logged["/w1"]) << "nginx: " << describe(logged);
  EXPECT_EQ(std::stoull(row_w2[2]), logged["/w2"]) << "nginx: " << describe(logged);
  EXPECT_EQ(locust_total, logged["/w1"] + logged["/w2"]) << "nginx: " << describe(logged);
  std::printf("[   INFO   ] Locust's master: /w1 %s, /w2 %s, total %llu; nginx: %s; master ran %.1f s\n",
              row_w1[2].c_str(), row_w2[2].c_str(), (unsigned long long)locust_total, describe(logged).c_str(),
              master_s);
}

TEST(Distributed, LocustWorkerJoinsLoadhostMaster) {
  ASSERT_TRUE(std::filesystem::exists(kLocust)) << "Debian's python3-locust is not installed (tests/setup-debian.sh)";
  NginxServer nginx;
  TempDir dir;
  write_text(dir.path() / "stub2.py", std::string(kLocustPrelude) + R"(from locust import HttpUser, task, constant


class QuickUser(HttpUser):
    host = ")" + nginx.url() + R"("
    wait_time = constant(0.1)

    @task
    def index(self):
        self.client.get("/locust", name="/locust")
)");
  auto started = Clock::now();
  auto master = start_master(dir, {"--headless", "--expect-workers", "2", "--expect-workers-max-wait", "30s", "-u",
                                   "4", "-r", "100", "-t", "6s", nginx.url() + "/lh"});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto worker = start_worker(dir, port, {nginx.url() + "/lh"});
  Process locust({kLocust, "--worker", "-f", "stub2.py", "--master-host", "127.0.0.1", "--master-port",
                  std::to_string(port)},
                 dir.path(), dir.path());
  auto ms = master->wait(40s);
  ASSERT_TRUE(ms.has_value()) << both(*master) << "\nLocust worker:\n" << both(locust);
  double master_s = seconds_since(started);
  EXPECT_EQ(ms->code, 0) << both(*master);
  EXPECT_NE(master->stderr_text().find("(index 1, 2.12.1) connected"), std::string::npos) << master->stderr_text();
  auto ws = worker->wait(10s);
  ASSERT_TRUE(ws.has_value()) << both(*worker);
  EXPECT_EQ(ws->code, 0) << both(*worker);
  auto ls = locust.wait(15s);
  EXPECT_TRUE(ls.has_value()) << "the Locust worker did not quit\n" << both(locust);

  json report = read_json(dir.path() / "report.json");
  ASSERT_TRUE(report.contains("aggregated")) << both(*master);
  uint64_t lh = requests_of(report, "/lh"), lo = requests_of(report, "/locust");
  uint64_t total = report["aggregated"]["num_requests"].get<uint64_t>();
  auto logged = settled_nginx_paths(nginx, total);
  EXPECT_GT(lh, 0u);
  EXPECT_GT(lo, 0u) << report["stats"].dump(1) << "\nLocust worker:\n" << both(locust);
  EXPECT_EQ(lh, logged["/lh"]) << "nginx: " << describe(logged);
  EXPECT_EQ(lo, logged["/locust"]) << "nginx: " << describe(logged);
  EXPECT_EQ(total, lh + lo);
  EXPECT_EQ(report["aggregated"]["num_failures"].get<uint64_t>(), 0u) << report["failures"].dump();
  std::printf("[   INFO   ] master /lh %llu /locust %llu; nginx: %s; master ran %.1f s\n", (unsigned long long)lh,
              (unsigned long long)lo, describe(logged).c_str(), master_s);
}

TEST(Distributed, MasterKeyAdmitsOnlyKeyHolders) {
  NginxServer nginx;
  TempDir dir;
  const auto key = dir.path() / "master.key";
  {
    // The master makes the key (0600); a worker with a copy runs the test.
    auto master = start_master(dir, {"--headless", "--master-key", key.string(), "--expect-workers", "1",
                                     "--expect-workers-max-wait", "10s", "-u", "2", "-r", "100", "-t", "2s",
                                     nginx.url() + "/keyed"});
    std::uint16_t port = master_port(*master);
    ASSERT_NE(port, 0) << both(*master);
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto worker = start_worker(dir, port, {"--master-key", key.string(), nginx.url() + "/keyed"});
    auto ms = master->wait(15s);
    ASSERT_TRUE(ms.has_value()) << both(*master);
    EXPECT_EQ(ms->code, 0) << both(*master);
    auto ws = worker->wait(10s);
    ASSERT_TRUE(ws.has_value()) << both(*worker);
    EXPECT_EQ(ws->code, 0) << both(*worker);
    json report = read_json(dir.path() / "report.json");
    uint64_t keyed = requests_of(report, "/keyed");
    EXPECT_GT(keyed, 0u) << report.dump(1);
    auto logged = settled_nginx_paths(nginx, keyed);
    EXPECT_EQ(keyed, logged["/keyed"]);
  }
  {
    // Without the key the worker cannot join: the master gives up.
    auto master = start_master(dir, {"--headless", "--master-key", key.string(), "--expect-workers", "1",
                                     "--expect-workers-max-wait", "4s", "-u", "2", "-t", "2s",
                                     nginx.url() + "/keyless"});
    std::uint16_t port = master_port(*master);
    ASSERT_NE(port, 0) << both(*master);
    auto worker = start_worker(dir, port, {nginx.url() + "/keyless"});
    auto ms = master->wait(15s);
    ASSERT_TRUE(ms.has_value()) << both(*master);
    EXPECT_EQ(ms->code, 1) << both(*master);
    EXPECT_NE(master->stderr_text().find("only 0 of 1 workers"), std::string::npos) << both(*master);
    EXPECT_EQ(worker->stderr_text().find("connected to the master"), std::string::npos) << both(*worker);
    EXPECT_EQ(nginx_paths(nginx)["/keyless"], 0u);
  }
  {
    // A key others can read: one line, exit 2, on either side.
    const auto loose = dir.path() / "loose.key";
    std::filesystem::copy_file(key, loose);
    std::filesystem::permissions(loose, std::filesystem::perms(0644));
    for (bool as_master : {true, false}) {
      auto p = as_master ? start_master(dir, {"--headless", "--master-key", loose.string(), "-t", "1s",
                                              nginx.url() + "/loose"})
                         : start_worker(dir, 1, {"--master-key", loose.string(), nginx.url() + "/loose"});
      auto s = p->wait(10s);
      ASSERT_TRUE(s.has_value()) << both(*p);
      EXPECT_EQ(s->code, 2) << (as_master ? "master" : "worker") << "\n" << both(*p);
      std::string err = p->stderr_text();
      EXPECT_EQ(count_of(err, "\n"), 1u) << "one line\n" << err;
      EXPECT_NE(err.find("others can read or write it"), std::string::npos) << err;
    }
  }
}

TEST(Distributed, MasterBindBeyondLoopbackWarns) {
  TempDir dir;
  auto master = start_master(dir, {"--headless", "--master-bind-host", "0.0.0.0", "--expect-workers-max-wait",
                                   "1s", "-t", "1s", "http://127.0.0.1:1/"});
  auto s = master->wait(10s);
  ASSERT_TRUE(s.has_value()) << both(*master);
  EXPECT_EQ(s->code, 1) << both(*master);
  std::string err = master->stderr_text();
  EXPECT_NE(stderr_line(*master, "warning").find("anyone who can reach this port"), std::string::npos) << err;
  EXPECT_NE(err.find("only 0 of 1 workers"), std::string::npos) << err;
}

// A worker stopped with SIGTERM (Ctrl-C) mid-run sends its last report and
// `quit`: nothing it did is lost, and the other worker takes its users.
TEST(Distributed, WorkerStoppedBySignalLosesNothing) {
  NginxServer nginx;
  TempDir dir;
  auto master = start_master(dir, {"--headless", "--expect-workers", "2", "-u", "4", "-r", "100", "-t", "5s",
                                   nginx.url() + "/w1"});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto w1 = start_worker(dir, port, {nginx.url() + "/w1"});
  auto w2 = start_worker(dir, port, {nginx.url() + "/w2"});
  ASSERT_TRUE(wait_for_stderr(*master, "all users spawned", 15s)) << both(*master);
  ASSERT_TRUE(eventually([&] { return nginx_paths(nginx)["/w2"] > 1000; }, 5s));
  ASSERT_EQ(::kill(w2->pid(), SIGTERM), 0);
  auto s2 = w2->wait(5s);
  ASSERT_TRUE(s2.has_value()) << both(*w2);
  EXPECT_EQ(s2->code, 0) << both(*w2);
  EXPECT_TRUE(wait_for_stderr(*master, " quit; 1 worker left", 2s)) << both(*master);
  auto ms = master->wait(15s);
  ASSERT_TRUE(ms.has_value()) << both(*master);
  EXPECT_EQ(ms->code, 0) << both(*master);
  auto s1 = w1->wait(10s);
  ASSERT_TRUE(s1.has_value()) << both(*w1);
  EXPECT_EQ(s1->code, 0) << both(*w1);

  json report = read_json(dir.path() / "report.json");
  ASSERT_TRUE(report.contains("aggregated")) << both(*master);
  uint64_t on_w1 = requests_of(report, "/w1"), on_w2 = requests_of(report, "/w2");
  auto logged = settled_nginx_paths(nginx, on_w1 + on_w2);
  EXPECT_EQ(on_w1, logged["/w1"]) << "nginx: " << describe(logged);
  EXPECT_EQ(on_w2, logged["/w2"]) << "its last report and its quit came before it exited; nginx: "
                                  << describe(logged);
  EXPECT_EQ(report["aggregated"]["num_requests"].get<uint64_t>(), on_w1 + on_w2);
  EXPECT_EQ(report["requests_sent"], report["aggregated"]["num_requests"]) << "every call the workers sent";
}

// A worker stopped with SIGTERM while its calls hang on a server that never
// answers: its stop's drain runs out, each call is the failure
// "interrupted: ...", and its last report brings them (and its sent count)
// to the master, whose report then accounts for every call.
TEST(Distributed, WorkerStoppedBySignalWithCallsHangingReportsThemInterrupted) {
  BadServer silent(BadServer::Mode::Silent);
  TempDir dir;
  const std::string target = silent.url() + "/hang";
  auto master = start_master(dir, {"--headless", "--expect-workers", "1", "-u", "3", "-r", "100", "-t", "60s", target});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto worker = start_worker(dir, port, {target});
  ASSERT_TRUE(wait_for_stderr(*master, "all users spawned", 15s)) << both(*master);
  ASSERT_TRUE(eventually([&] { return silent.connections() >= 3; }, 5s)) << "each user's call is out";
  ASSERT_EQ(::kill(worker->pid(), SIGTERM), 0);
  auto ws = worker->wait(15s);
  ASSERT_TRUE(ws.has_value()) << "the drain bounds the worker's stop\n" << both(*worker);
  EXPECT_TRUE(wait_for_stderr(*master, " quit; 0 workers left", 2s)) << both(*master);
  ASSERT_EQ(::kill(master->pid(), SIGTERM), 0);
  auto ms = master->wait(15s);
  ASSERT_TRUE(ms.has_value()) << both(*master);
  EXPECT_EQ(ms->code, 1) << "requests failed\n" << both(*master);

  json report = read_json(dir.path() / "report.json");
  ASSERT_TRUE(report.contains("aggregated")) << both(*master);
  EXPECT_EQ(report["requests_sent"], 3u) << report.dump(1);
  EXPECT_EQ(report["aggregated"]["num_requests"], 3u) << report.dump(1);
  ASSERT_EQ(report["failures"].size(), 1u) << report["failures"].dump();
  EXPECT_EQ(report["failures"][0]["error"], "interrupted: no response before the test stopped");
  EXPECT_EQ(report["failures"][0]["occurrences"], 3u);
}

// A master with the web UI and --autoquit: when it quits, it tells its
// workers to quit (as the headless master does), so they exit 0.
TEST(Distributed, UiMasterAutoquitQuitsItsWorkers) {
  NginxServer nginx;
  TempDir dir;
  auto master = start_master(dir, {"--web-host", "127.0.0.1", "--web-port", "0", "--autostart", "--autoquit", "1s",
                                   "--expect-workers", "1", "-u", "2", "-r", "100", "-t", "2s", "-H", nginx.url(),
                                   "-f", scenario("distributed_paths")});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  ScopedEnv env("LH_TEST_PATH", std::string("/ui"));
  auto worker = start_worker(dir, port, {"-f", scenario("distributed_paths")});
  auto ms = master->wait(15s);
  ASSERT_TRUE(ms.has_value()) << both(*master);
  EXPECT_EQ(ms->code, 0) << both(*master);
  auto ws = worker->wait(10s);
  ASSERT_TRUE(ws.has_value()) << both(*worker);
  EXPECT_EQ(ws->code, 0) << both(*worker);
  EXPECT_NE(worker->stderr_text().find("worker done: the master quit"), std::string::npos) << both(*worker);
  json report = read_json(dir.path() / "report.json");
  uint64_t on_ui = requests_of(report, "/ui");
  EXPECT_GT(on_ui, 0u) << report.dump(1);
  EXPECT_EQ(on_ui, settled_nginx_paths(nginx, on_ui)["/ui"]);
}

// Thresholds (docs/thresholds.md) are the master's: it evaluates them on the
// merged stats, stops a 60 s test once an abort-on-fail one fails (after its
// delay), and exits 99; a worker says it ignores its own.
TEST(Distributed, MasterEvaluatesThresholdsOnTheMergedStats) {
  NginxServer nginx;
  TempDir dir;
  auto started = Clock::now();
  auto master = start_master(dir, {"--headless", "--expect-workers", "1", "-u", "2", "-r", "100", "-t", "60s",
                                   "--threshold", "GET /t: requests>0", "--threshold",
                                   "max<1us abort-on-fail delay 1s", nginx.url() + "/t"});
  std::uint16_t port = master_port(*master);
  ASSERT_NE(port, 0) << both(*master);
  auto worker = start_worker(dir, port, {"--threshold", "avg<1s", nginx.url() + "/t"});
  auto status = master->wait(20s);
  ASSERT_TRUE(status.has_value()) << both(*master);
  EXPECT_EQ(status->code, 99) << both(*master);
  EXPECT_LT(seconds_since(started), 15.0) << both(*master);
  EXPECT_NE(master->stdout_text().find("  ✓ GET /t: requests>0"), std::string::npos) << both(*master);
  EXPECT_NE(master->stdout_text().find("  ✗ max<1us abort-on-fail delay 1s"), std::string::npos) << both(*master);
  EXPECT_NE(master->stderr_text().find("loadhost: test stopped: threshold max<1us failed: "),
            std::string::npos)
      << both(*master);
  auto ws = worker->wait(10s);
  ASSERT_TRUE(ws.has_value()) << both(*worker);
  EXPECT_EQ(ws->code, 0) << both(*worker);
  EXPECT_NE(worker->stderr_text().find("--threshold is ignored on a worker"), std::string::npos) << both(*worker);
  json report = read_json(dir.path() / "report.json");
  ASSERT_EQ(report["thresholds"].size(), 2u) << report.dump(1);
  EXPECT_EQ(report["thresholds"][0]["value"].get<double>(), double(requests_of(report, "/t")));
  EXPECT_GT(requests_of(report, "/t"), 0u);
  EXPECT_EQ(report["thresholds"][1]["ok"], false);
  EXPECT_EQ(report["thresholds"][1]["aborted"], true);
}

}  // namespace
}  // namespace loadhost::test
