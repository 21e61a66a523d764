// The web UI's HTTP API against the real Locust's: Debian's Locust 2.12 and
// loadhost run the same user (scenarios/web_api.cpp, and the locustfile
// below) against the demo target, and every route a script may call must
// answer in the same shape — keys, kinds of values, CSV headers, download
// names. Then what only loadhost has: auth, the bind warning, autoquit,
// the HTML report, /metrics, and Ctrl-C in UI mode.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/loadhost_run.hpp"
#include "support/bad_server.hpp"
#include "support/demo_target.hpp"
#include "support/free_port.hpp"
#include "support/loopback_client.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char *kLocust = "/usr/bin/locust";  // Debian's python3-locust (tests/setup-debian.sh)

// The same user as scenarios/web_api.cpp. Debian's build reports an empty
// version, which Locust's runner would show; the assignment is harmless.
constexpr const char *kLocustfile = R"(import locust.runners
locust.runners.__version__ = "2.12.1"
from locust import HttpUser, task, constant


class Visitor(HttpUser):
    wait_time = constant(0.1)

    @task(3)
    def index(self):
        self.client.get("/", name="/")

    @task
    def missing(self):
        self.client.get("/missing")

    @task
    def boom(self):
        raise RuntimeError("boom")
)";

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

// Polls `done` every 100 ms until it holds or `limit` passes.
template <typename Done>
bool eventually(Done done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

// One request on a fresh connection; status 0 when there was no answer.
RawHttpResponse call(std::uint16_t port, std::string_view method, std::string_view target,
                     std::string_view body = "", std::string_view headers = "") {
  try {
    LoopbackClient client(port);
    std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                          std::to_string(port) + "\r\nConnection: close\r\n" + std::string(headers);
    if (method == "POST")
      request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(body.size()) +
                 "\r\n";
    request += "\r\n" + std::string(body);
    client.send(request);
    if (auto response = client.read_http_response(10s)) return *response;
  } catch (const std::exception &) {
  }
  return {};
}

json json_of(const RawHttpResponse &r) { return json::parse(r.body, nullptr, false); }

// The answer as JSON; an empty object when it is not JSON (no answer).
json get_json(std::uint16_t port, std::string_view target) {
  json value = json_of(call(port, "GET", target));
  return value.is_discarded() ? json::object() : value;
}

// Polls /stats/requests until the test has stopped or `limit` passes;
// `stats` keeps the last answer.
bool stopped_within(std::uint16_t port, json &stats, std::chrono::milliseconds limit) {
  return eventually(
      [&] {
        stats = get_json(port, "/stats/requests");
        return stats["state"] == "stopped";
      },
      limit);
}

std::string first_line(const std::string &text) { return text.substr(0, text.find("\r\n")); }

std::string lower(std::string text) {
  for (char &c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string read_text(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The port of "loadhost: web UI at http://HOST:PORT/" on loadhost's stderr,
// or 0 when it exits or `limit` passes first.
std::uint16_t web_ui_port(const Process &p, std::chrono::milliseconds limit = 15s) {
  const std::string marker = "loadhost: web UI at ";
  std::uint16_t port = 0;
  eventually(
      [&] {
        std::string err = p.stderr_text();
        size_t at = err.find(marker);
        if (at == std::string::npos) return !p.running();
        size_t end = err.find('/', err.find("://", at) + 3);
        size_t colon = err.rfind(':', end);
        port = static_cast<std::uint16_t>(std::stoi(err.substr(colon + 1, end - colon - 1)));
        return true;
      },
      limit);
  return port;
}

// loadhost in web UI mode on a port of its choosing.
class LoadhostUi {
 public:
  LoadhostUi(const TempDir &dir, std::vector<std::string> args) {
    std::vector<std::string> argv{LH_LOADHOST_BIN, "--web-port", "0", "--threads", "1"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Process>(argv, dir.path());
    port_ = web_ui_port(*process_);
  }
  std::uint16_t port() const { return port_; }
  Process &process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

// Locust with its web UI on a free loopback port, started at once (2 users).
class LocustUi {
 public:
  LocustUi(const TempDir &dir, const std::string &host) {
    const auto file = dir.path() / "locustfile.py";
    std::ofstream(file) << kLocustfile;
    // free_port() can race with another process: try a few.
    for (int attempt = 0; attempt < 3 && !port_; ++attempt) {
      std::uint16_t port = free_port();
      process_ = std::make_unique<Process>(
          std::vector<std::string>{kLocust, "-f", file.string(), "--web-host", "127.0.0.1", "--web-port",
                                   std::to_string(port), "-H", host, "--autostart", "-u", "2", "-r", "2",
                                   "--only-summary"},
          dir.path(), dir.path());
      if (eventually([&] { return accepts_connections(port) || !process_->running(); }, 20s) &&
          process_->running())
        port_ = port;
    }
  }
  std::uint16_t port() const { return port_; }
  Process &process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

// What matters of a JSON value to a script: int and float are both numbers.
std::string kind(const json &v) { return v.is_number() ? "number" : v.type_name(); }

// Where the shapes of loadhost's `ours` and Locust's `theirs` differ: keys
// only one has, and values of another kind. Array rows are compared with
// every row of the other side. `numbers` collects int-vs-float differences,
// which JSON readers do not tell apart.
void shape_differences(const json &ours, const json &theirs, const std::string &path, std::set<std::string> &out,
                       std::set<std::string> &numbers) {
  if (kind(ours) != kind(theirs)) {
    out.insert(path + ": loadhost " + kind(ours) + ", Locust " + kind(theirs));
    return;
  }
  auto number_kind = [](const json &v) { return v.is_number_integer() ? "integer" : "float"; };
  if (ours.is_number() && ours.is_number_integer() != theirs.is_number_integer())
    numbers.insert(path + ": loadhost " + number_kind(ours) + ", Locust " + number_kind(theirs));
  if (ours.is_object()) {
    for (const auto &[key, value] : ours.items())
      if (!theirs.contains(key)) out.insert(path + "." + key + ": only loadhost has it");
    for (const auto &[key, value] : theirs.items()) {
      if (!ours.contains(key))
        out.insert(path + "." + key + ": only Locust has it");
      else
        shape_differences(ours[key], value, path + "." + key, out, numbers);
    }
  } else if (ours.is_array()) {
    if (ours.empty() != theirs.empty()) out.insert(path + ": empty on one side only");
    for (const json &a : ours)
      for (const json &b : theirs) shape_differences(a, b, path + "[]", out, numbers);
  }
}

std::string joined(const std::set<std::string> &lines) {
  std::string out;
  for (const auto &l : lines) out += "  " + l + "\n";
  return out;
}

// Expects the same shape, and prints the int-vs-float differences.
void expect_same_shape(const json &ours, const json &theirs, const std::string &what) {
  ASSERT_FALSE(ours.is_discarded()) << what << ": loadhost's answer is not JSON";
  ASSERT_FALSE(theirs.is_discarded()) << what << ": Locust's answer is not JSON";
  std::set<std::string> differences, numbers;
  shape_differences(ours, theirs, what, differences, numbers);
  EXPECT_TRUE(differences.empty()) << "loadhost: " << ours.dump() << "\nLocust: " << theirs.dump() << "\n"
                                   << joined(differences);
  if (!numbers.empty()) std::cout << "[   NOTE   ] int vs float, harmless in JSON:\n" << joined(numbers);
}

std::vector<std::string> row_names(const json &answer) {
  std::vector<std::string> names;
  for (const json &row : answer["stats"]) names.push_back(row["name"]);
  return names;
}

// Both UIs running the same user against one demo target; loadhost started
// by POST /swarm, Locust by --autostart, both with 2 users.
class WebApiVsLocust : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kLocust)) << "Debian's python3-locust is not installed (tests/setup-debian.sh)";
    target_ = std::make_unique<DemoTarget>();
    locust_ = std::make_unique<LocustUi>(dir_, target_->url());
    ASSERT_NE(locust_->port(), 0) << "Locust did not start:\n" << locust_->process().stderr_text();
    loadhost_ = std::make_unique<LoadhostUi>(dir_, std::vector<std::string>{"-f", scenario("web_api"), "-H",
                                                                          target_->url()});
    ASSERT_NE(loadhost_->port(), 0) << "loadhost did not start:\n" << loadhost_->process().stderr_text();
    json started = json_of(call(ours(), "POST", "/swarm", "user_count=2&spawn_rate=2"));
    ASSERT_EQ(started.value("success", false), true) << started.dump();
    // Until both have an error row, an exception and current percentiles
    // (a window of at least 2 s), so no row or value is missing by timing.
    for (std::uint16_t port : {ours(), theirs()}) {
      json last;
      EXPECT_TRUE(eventually(
          [&] {
            last = get_json(port, "/stats/requests");
            json exceptions = get_json(port, "/exceptions");
            return last["state"] == "running" && last["user_count"] == 2 &&
                   !last["errors"].empty() && !last["current_response_time_percentile_50"].is_null() &&
                   !exceptions["exceptions"].empty();
          },
          15s))
          << (port == ours() ? "loadhost" : "Locust") << " never ran fully: " << last.dump();
    }
  }

  std::uint16_t ours() const { return loadhost_->port(); }
  std::uint16_t theirs() const { return locust_->port(); }

  TempDir dir_;
  std::unique_ptr<DemoTarget> target_;
  std::unique_ptr<LocustUi> locust_;
  std::unique_ptr<LoadhostUi> loadhost_;
};

TEST_F(WebApiVsLocust, StatsAndExceptionsHaveLocustsShape) {
  const json ours_stats = get_json(ours(), "/stats/requests");
  const json their_stats = get_json(theirs(), "/stats/requests");
  expect_same_shape(ours_stats, their_stats, "/stats/requests");
  EXPECT_EQ(row_names(ours_stats), (std::vector<std::string>{"/", "/missing", "Aggregated"}));
  EXPECT_EQ(row_names(ours_stats), row_names(their_stats));
  EXPECT_EQ(ours_stats["errors"][0]["name"], their_stats["errors"][0]["name"]);
  EXPECT_EQ(ours_stats["errors"][0]["method"], their_stats["errors"][0]["method"]);

  const json ours_exceptions = get_json(ours(), "/exceptions");
  const json their_exceptions = get_json(theirs(), "/exceptions");
  expect_same_shape(ours_exceptions, their_exceptions, "/exceptions");
  ASSERT_EQ(ours_exceptions["exceptions"].size(), 1u) << ours_exceptions.dump();
  EXPECT_EQ(ours_exceptions["exceptions"][0]["msg"], "boom");
  EXPECT_EQ(ours_exceptions["exceptions"][0]["msg"], their_exceptions["exceptions"][0]["msg"]);
  EXPECT_EQ(ours_exceptions["exceptions"][0]["nodes"], their_exceptions["exceptions"][0]["nodes"]);

  // /tasks: the same classes and shares; Locust also lists each class's
  // tasks, which the C ABI does not describe (loadhost's "tasks" is {}).
  const json ours_tasks = get_json(ours(), "/tasks");
  const json their_tasks = get_json(theirs(), "/tasks");
  for (const char *part : {"per_class", "total"}) {
    SCOPED_TRACE(part);
    ASSERT_TRUE(ours_tasks.contains(part)) << ours_tasks.dump();
    ASSERT_TRUE(their_tasks.contains(part)) << their_tasks.dump();
    ASSERT_TRUE(ours_tasks[part].contains("Visitor")) << ours_tasks.dump();
    EXPECT_EQ(ours_tasks[part].size(), their_tasks[part].size());
    EXPECT_EQ(ours_tasks[part]["Visitor"]["ratio"], their_tasks[part]["Visitor"]["ratio"]);
    EXPECT_TRUE(ours_tasks[part]["Visitor"]["tasks"].is_object());
  }
  EXPECT_EQ(ours_tasks.size(), their_tasks.size());
}

TEST_F(WebApiVsLocust, CsvDownloadsHaveLocustsHeadersAndNames) {
  for (const char *name : {"requests", "failures", "exceptions"}) {
    const std::string target =
        name == std::string("exceptions") ? "/exceptions/csv" : std::string("/stats/") + name + "/csv";
    SCOPED_TRACE(target);
    RawHttpResponse ours_csv = call(ours(), "GET", target);
    RawHttpResponse their_csv = call(theirs(), "GET", target);
    ASSERT_EQ(ours_csv.status, 200);
    ASSERT_EQ(their_csv.status, 200);
    EXPECT_EQ(first_line(ours_csv.body), first_line(their_csv.body));
    EXPECT_NE(ours_csv.body.find("\r\n"), std::string::npos) << "rows end with CRLF, as Python's csv";
    EXPECT_EQ(ours_csv.header("Content-Type"), their_csv.header("Content-Type"));
    const std::regex disposition("attachment;filename=" + std::string(name) + R"(_[0-9]+(\.[0-9]+)?\.csv)");
    EXPECT_TRUE(std::regex_match(ours_csv.header("Content-Disposition"), disposition))
        << ours_csv.header("Content-Disposition");
    EXPECT_TRUE(std::regex_match(their_csv.header("Content-Disposition"), disposition))
        << their_csv.header("Content-Disposition");
  }
  // Without --csv-full-history, both say so with a 404.
  RawHttpResponse ours_history = call(ours(), "GET", "/stats/requests_full_history/csv");
  RawHttpResponse their_history = call(theirs(), "GET", "/stats/requests_full_history/csv");
  EXPECT_EQ(ours_history.status, 404);
  EXPECT_EQ(their_history.status, 404);
  EXPECT_EQ(ours_history.body, their_history.body);
}

TEST_F(WebApiVsLocust, ControlRoutesAnswerAsLocust) {
  // A new user count while running.
  const json ours_swarm = json_of(call(ours(), "POST", "/swarm", "user_count=3&spawn_rate=3"));
  const json their_swarm = json_of(call(theirs(), "POST", "/swarm", "user_count=3&spawn_rate=3"));
  expect_same_shape(ours_swarm, their_swarm, "POST /swarm");
  EXPECT_EQ(ours_swarm, their_swarm) << "same host, same message";
  for (std::uint16_t port : {ours(), theirs()})
    EXPECT_TRUE(eventually([&] { return get_json(port, "/stats/requests")["user_count"] == 3; }, 10s))
        << (port == ours() ? "loadhost" : "Locust");

  RawHttpResponse ours_reset = call(ours(), "GET", "/stats/reset");
  RawHttpResponse their_reset = call(theirs(), "GET", "/stats/reset");
  EXPECT_EQ(ours_reset.status, 200);
  EXPECT_EQ(ours_reset.body, "ok");
  EXPECT_EQ(ours_reset.body, their_reset.body);
  EXPECT_EQ(lower(ours_reset.header("Content-Type")), lower(their_reset.header("Content-Type")));

  const json ours_stop = json_of(call(ours(), "GET", "/stop"));
  const json their_stop = json_of(call(theirs(), "GET", "/stop"));
  EXPECT_EQ(ours_stop, (json{{"success", true}, {"message", "Test stopped"}}));
  EXPECT_EQ(ours_stop, their_stop);
  for (std::uint16_t port : {ours(), theirs()}) {
    json last;
    EXPECT_TRUE(eventually(
        [&] {
          last = get_json(port, "/stats/requests");
          return last["state"] == "stopped";
        },
        10s))
        << (port == ours() ? "loadhost: " : "Locust: ") << last.dump();
    EXPECT_EQ(last["user_count"], 0);
  }
}

TEST_F(WebApiVsLocust, WrongMethodsAndUnknownRoutesAsLocust) {
  struct Case {
    const char *method;
    const char *target;
  };
  for (const Case &c : {Case{"GET", "/swarm"}, Case{"POST", "/stats/requests"}, Case{"POST", "/stop"},
                        Case{"GET", "/no/such/route"}}) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    const int ours_status = call(ours(), c.method, c.target, "").status;
    EXPECT_EQ(ours_status, call(theirs(), c.method, c.target, "").status);
    EXPECT_EQ(ours_status, c.target == std::string("/no/such/route") ? 404 : 405);
  }
  RawHttpResponse not_allowed = call(ours(), "GET", "/swarm");
  EXPECT_EQ(not_allowed.header("Allow"), "POST");
}

// ---- loadhost only ----

TEST(WebApi, WebAuthChallengesWithoutCredentials) {
  TempDir dir;
  DemoTarget target;
  LoadhostUi ui(dir, {"-f", LH_SHOP_SCENARIO, "-H", target.url(), "--web-auth", "user:pw"});
  ASSERT_NE(ui.port(), 0) << ui.process().stderr_text();
  RawHttpResponse anonymous = call(ui.port(), "GET", "/stats/requests");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_TRUE(anonymous.header("WWW-Authenticate").starts_with("Basic ")) << anonymous.head;
  EXPECT_EQ(call(ui.port(), "GET", "/stats/requests", "", "Authorization: Basic dXNlcjpub3Bl\r\n").status, 401);
  RawHttpResponse known = call(ui.port(), "GET", "/stats/requests", "", "Authorization: Basic dXNlcjpwdw==\r\n");
  EXPECT_EQ(known.status, 200);
  EXPECT_EQ(json_of(known)["state"], "ready");
  EXPECT_EQ(ui.process().stderr_text().find("warning"), std::string::npos) << "loopback: no warning";
}

TEST(WebApi, WarnsWhenTheUiListensBeyondLoopbackWithoutAuth) {
  // Only the warning is checked; nothing is sent to the wildcard address.
  TempDir dir;
  Process open_ui({LH_LOADHOST_BIN, "-f", LH_SHOP_SCENARIO, "--web-host", "0.0.0.0", "--web-port", "0"}, dir.path());
  std::string err;
  EXPECT_TRUE(eventually(
      [&] {
        err = open_ui.stderr_text();
        return err.find("loadhost: web UI at ") != std::string::npos || !open_ui.running();
      },
      15s));
  EXPECT_NE(err.find("warning: the web UI listens on 0.0.0.0 without --web-auth"), std::string::npos) << err;
  EXPECT_TRUE(open_ui.running()) << "it serves until stopped";
  open_ui.stop();

  Process with_auth({LH_LOADHOST_BIN, "-f", LH_SHOP_SCENARIO, "--web-host", "0.0.0.0", "--web-port", "0",
                     "--web-auth", "user:pw"},
                    dir.path());
  EXPECT_TRUE(eventually(
      [&] {
        err = with_auth.stderr_text();
        return err.find("loadhost: web UI at ") != std::string::npos || !with_auth.running();
      },
      15s));
  EXPECT_NE(err.find("loadhost: web UI at http://0.0.0.0:"), std::string::npos) << err;
  EXPECT_EQ(err.find("warning"), std::string::npos) << err;
}

TEST(WebApi, AutostartRunsAndAutoquitExitsWithTheReports) {
  TempDir dir;
  DemoTarget target;
  const auto html = dir.path() / "report.html";
  const auto csv = dir.path() / "run";
  const auto started = std::chrono::steady_clock::now();
  Process p({LH_LOADHOST_BIN, "-f", scenario("web_api"), "-H", target.url(), "--web-port", "0", "--threads", "1",
             "--autostart", "-u", "2", "-r", "2", "-t", "2s", "--autoquit", "1", "--exit-code-on-error", "0",
             "--html", html.string(), "--csv", csv.string()},
            dir.path());
  auto status = p.wait(20s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(status.has_value()) << "autoquit did not quit:\n" << p.stderr_text();
  EXPECT_EQ(status->code, 0) << p.stderr_text();
  EXPECT_GE(seconds, 2.9) << "2 s of test, then 1 s of autoquit";
  EXPECT_NE(p.stderr_text().find("loadhost: web UI at "), std::string::npos) << "the UI was up meanwhile";
  EXPECT_TRUE(lower(read_text(html).substr(0, 15)).starts_with("<!doctype html")) << html;
  const std::string stats = read_text(dir.path() / "run_stats.csv");
  EXPECT_TRUE(stats.starts_with("Type,Name,Request Count,Failure Count,")) << stats;
  EXPECT_NE(stats.find("GET,/missing,"), std::string::npos) << stats;
  EXPECT_TRUE(read_text(dir.path() / "run_failures.csv").starts_with("Method,Name,Error,Occurrences\r\n"));
  EXPECT_TRUE(read_text(dir.path() / "run_exceptions.csv").starts_with("Count,Message,Traceback,Nodes\r\n"));
  EXPECT_TRUE(read_text(dir.path() / "run_stats_history.csv").starts_with("Timestamp,User Count,"));
}

TEST(WebApi, HeadlessHtmlReportIsOneSelfContainedFile) {
  TempDir dir;
  DemoTarget target;
  const auto html = dir.path() / "report.html";
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("web_api"), "-H", target.url(), "-u", "2", "-r", "2", "-t",
                                       "1s", "--exit-code-on-error", "0", "--html", html.string()},
                                 20s);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_NE(run.err.find("loadhost: wrote " + html.string()), std::string::npos) << run.err;
  const std::string page = read_text(html);
  ASSERT_GT(page.size(), 1000u);
  EXPECT_TRUE(lower(page.substr(0, 15)).starts_with("<!doctype html")) << page.substr(0, 100);
  // Nothing fetched from the network: no src= or href= (nor CSS url()) to
  // http:// or https://.
  const std::regex remote(R"((\b(src|href)\s*=\s*["']?|url\(\s*["']?)\s*https?://)", std::regex::icase);
  std::smatch found;
  EXPECT_FALSE(std::regex_search(page, found, remote))
      << "remote reference: " << page.substr(std::max<long>(0, found.position() - 60), 160);
  EXPECT_NE(page.find("/missing"), std::string::npos) << "the run's data is in the page";
}

TEST(WebApi, MetricsCountWhatStatsRequestsCounts) {
  TempDir dir;
  DemoTarget target;
  LoadhostUi ui(dir, {"-f", scenario("web_api"), "-H", target.url()});
  ASSERT_NE(ui.port(), 0) << ui.process().stderr_text();
  ASSERT_EQ(json_of(call(ui.port(), "POST", "/swarm", "user_count=2&spawn_rate=2"))["success"], true);
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(json_of(call(ui.port(), "GET", "/stop"))["success"], true);
  json stats;
  ASSERT_TRUE(stopped_within(ui.port(), stats, 10s))
      << stats.dump();
  // Frozen now: both read the same table.
  stats = get_json(ui.port(), "/stats/requests");
  const std::string metrics = call(ui.port(), "GET", "/metrics").body;
  auto sample = [&](const std::string &series) -> double {
    size_t at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(metrics.substr(at + series.size() + 2));
  };
  std::map<std::string, json> rows;
  for (const json &row : stats["stats"]) rows[row["name"].get<std::string>()] = row;
  ASSERT_TRUE(rows.contains("/") && rows.contains("/missing") && rows.contains("Aggregated")) << stats.dump();
  EXPECT_GT(rows["/"]["num_requests"].get<double>(), 5);
  EXPECT_EQ(sample(R"(loadhost_requests_total{type="GET",name="/"})"), rows["/"]["num_requests"].get<double>());
  EXPECT_EQ(sample(R"(loadhost_failures_total{type="GET",name="/missing"})"),
            rows["/missing"]["num_failures"].get<double>());
  EXPECT_EQ(sample(R"(loadhost_requests_total{type="",name="Aggregated"})"),
            rows["Aggregated"]["num_requests"].get<double>());
  EXPECT_EQ(sample(R"(loadhost_state{state="stopped"})"), 1);
  EXPECT_EQ(sample("loadhost_users"), 0);
}

// The UI's stop with every call hanging on a server that never answers:
// the stop ends within its drain, and each call is counted, as a headless
// run's are — one "interrupted" failure apiece, in /stats/requests and in
// the JSON report, whose requests_sent matches.
TEST(WebApi, StopWithCallsHangingCountsThemInterrupted) {
  TempDir dir;
  BadServer silent(BadServer::Mode::Silent);
  const auto report = dir.path() / "report.json";
  LoadhostUi ui(dir, {"-f", scenario("weights"), "-H", silent.url(), "--json", report.string()});
  ASSERT_NE(ui.port(), 0) << ui.process().stderr_text();
  ASSERT_EQ(json_of(call(ui.port(), "POST", "/swarm", "user_count=3&spawn_rate=100"))["success"], true);
  ASSERT_TRUE(eventually([&] { return silent.connections() >= 3; }, 5s)) << "each user's call is out";
  ASSERT_EQ(json_of(call(ui.port(), "GET", "/stop"))["success"], true);
  json stats;
  ASSERT_TRUE(stopped_within(ui.port(), stats, 10s))
      << "the 5 s drain bounds the stop: " << stats.dump();
  stats = get_json(ui.port(), "/stats/requests");
  ASSERT_EQ(stats["errors"].size(), 1u) << stats.dump();
  EXPECT_EQ(stats["errors"][0]["error"], "interrupted: no response before the test stopped");
  EXPECT_EQ(stats["errors"][0]["occurrences"], 3);
  json written;
  ASSERT_TRUE(eventually(
      [&] {
        written = json::parse(read_text(report), nullptr, false);
        return !written.is_discarded() && written.contains("requests_sent");
      },
      5s));
  EXPECT_EQ(written["requests_sent"], 3);
  EXPECT_EQ(written["aggregated"]["num_requests"], 3);
  EXPECT_EQ(written["aggregated"]["num_failures"], 3);
}

// Locust: a run_time posted mid-test stops it that long from then; a reset
// after the test stopped still zeroes the stats.
TEST(WebApi, RunTimeMidTestStopsItAndResetAfterStopZeroes) {
  TempDir dir;
  DemoTarget target;
  LoadhostUi ui(dir, {"-f", scenario("web_api"), "-H", target.url()});
  ASSERT_NE(ui.port(), 0) << ui.process().stderr_text();
  ASSERT_EQ(json_of(call(ui.port(), "POST", "/swarm", "user_count=2&spawn_rate=2"))["success"], true);
  std::this_thread::sleep_for(500ms);
  const json answer = json_of(call(ui.port(), "POST", "/swarm", "user_count=2&spawn_rate=2&run_time=1s"));
  EXPECT_EQ(answer["success"], true) << answer.dump();
  EXPECT_EQ(answer["run_time"], 1.0) << answer.dump();
  json stats;
  EXPECT_TRUE(stopped_within(ui.port(), stats, 10s))
      << "the test did not stop after the run time posted mid-test: " << stats.dump();
  EXPECT_NE(ui.process().stderr_text().find("run time of 1 s reached"), std::string::npos) << ui.process().stderr_text();
  ASSERT_GT(stats["stats"].back()["num_requests"].get<double>(), 0) << stats.dump();

  EXPECT_EQ(call(ui.port(), "GET", "/stats/reset").body, "ok");
  EXPECT_TRUE(eventually(
      [&] {
        stats = get_json(ui.port(), "/stats/requests");
        return stats["stats"].back()["num_requests"] == 0 && stats["errors"].empty();
      },
      5s))
      << "a reset after the stop did not zero the stats: " << stats.dump();
}

TEST(WebApi, SigintWhileIdleQuitsAtOnce) {
  TempDir dir;
  LoadhostUi ui(dir, {"-f", LH_SHOP_SCENARIO});
  ASSERT_NE(ui.port(), 0) << ui.process().stderr_text();
  // An idle keep-alive connection must not hold the exit.
  LoopbackClient idle(ui.port());
  ASSERT_EQ(::kill(ui.process().pid(), SIGINT), 0);
  auto status = ui.process().wait(5s);
  ASSERT_TRUE(status.has_value()) << "still running 5 s after SIGINT:\n" << ui.process().stderr_text();
  EXPECT_EQ(status->code, 0) << ui.process().stderr_text();
}

TEST(WebApi, SigintWhileRunningWritesTheReportsAndQuits) {
  TempDir dir;
  DemoTarget target;
  const auto html = dir.path() / "report.html";
  LoadhostUi ui(dir, {"-f", scenario("web_api"), "-H", target.url(), "--html", html.string(), "--csv",
                      (dir.path() / "run").string(), "--exit-code-on-error", "0"});
  ASSERT_NE(ui.port(), 0) << ui.process().stderr_text();
  ASSERT_EQ(json_of(call(ui.port(), "POST", "/swarm", "user_count=2&spawn_rate=2"))["success"], true);
  ASSERT_TRUE(eventually([&] { return get_json(ui.port(), "/stats/requests")["stats"].size() >= 3; }, 10s));
  ASSERT_EQ(::kill(ui.process().pid(), SIGINT), 0);
  auto status = ui.process().wait(10s);
  ASSERT_TRUE(status.has_value()) << "still running 10 s after SIGINT:\n" << ui.process().stderr_text();
  const std::string err = ui.process().stderr_text();
  EXPECT_EQ(status->code, 0) << err;
  EXPECT_NE(err.find("test stopped: interrupted (SIGINT)"), std::string::npos) << err;
  EXPECT_TRUE(lower(read_text(html).substr(0, 15)).starts_with("<!doctype html")) << err;
  const std::string stats = read_text(dir.path() / "run_stats.csv");
  EXPECT_NE(stats.find("GET,/,"), std::string::npos) << stats;
  EXPECT_NE(stats.find(",Aggregated,"), std::string::npos) << stats;
}

}  // namespace
}  // namespace loadhost::test
