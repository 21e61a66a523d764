// The open workload model against a real nginx (docs/workload-models.md):
// iterations started at the rate asked (counted by nginx's access log),
// ramps that end the run, an open and a closed class in one scenario, a
// server stall that shows in the latency from the intended start and not in
// the service time, dropped iterations in every report, bad flags.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "integration/loadhost_run.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

// nginx's worker processes (the master's children): stopping them stalls
// the server — connections and requests wait in the kernel — and resuming
// them answers everything that waited.
std::vector<pid_t> nginx_workers(const NginxServer &nginx) {
  std::ifstream pid_file(nginx.dir() / "nginx.pid");
  pid_t master = 0;
  pid_file >> master;
  // Children by their parent pid in /proc/PID/stat (the "children" file
  // needs a kernel option some machines lack).
  std::vector<pid_t> workers;
  for (const auto &entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    size_t close = line.rfind(')');  // the command may hold spaces and parentheses
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t parent = 0;
    if (rest >> state >> parent && parent == master) workers.push_back(pid_t(std::stol(name)));
  }
  return workers;
}

// Stalls the server for `stall`, `after` from now, on a thread of its own.
std::thread stall_nginx(const NginxServer &nginx, std::chrono::milliseconds after, std::chrono::milliseconds stall) {
  std::vector<pid_t> workers = nginx_workers(nginx);
  EXPECT_FALSE(workers.empty()) << "no nginx worker found to stall";
  return std::thread([workers, after, stall] {
    std::this_thread::sleep_for(after);
    for (pid_t w : workers) ::kill(w, SIGSTOP);
    std::this_thread::sleep_for(stall);
    for (pid_t w : workers) ::kill(w, SIGCONT);
  });
}

double p99_ms(const nlohmann::json &entry) { return entry["percentiles_ms"]["99%"].get<double>(); }

std::string read_file(const std::filesystem::path &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(OpenModel, ArrivalRateStartsThatManyIterationsAsNginxCounts) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--arrival-rate", "200/s", "-t", "5s", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  uint64_t started = run.report["iterations"]["started"].get<uint64_t>();
  EXPECT_NEAR(double(started), 1000.0, 10.0) << "200/s for 5 s, within 1 %";
  EXPECT_EQ(run.report["iterations"]["dropped"].get<uint64_t>(), 0u);
  EXPECT_EQ(run.total_requests(), started) << "one request per iteration";
  ASSERT_TRUE(nginx.wait_for_access_log_lines(run.total_requests()));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), run.total_requests());
  // Every request had an intended start: the corrected figures exist and
  // are never below the service time.
  const nlohmann::json &corrected = run.report["aggregated"]["corrected"];
  ASSERT_TRUE(corrected.is_object()) << run.report["aggregated"].dump();
  EXPECT_EQ(corrected["num_requests"].get<uint64_t>(), run.total_requests());
  EXPECT_GE(corrected["max_response_time_ms"].get<double>(),
            run.report["aggregated"]["max_response_time_ms"].get<double>());
  EXPECT_NE(run.out.find("Response time percentiles from the intended start (corrected for coordinated omission)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("Open model: " + std::to_string(started) + " iterations started, 0 dropped"),
            std::string::npos)
      << run.out;
}

TEST(OpenModel, ArrivalStagesRampAndEndTheRunAfterTheLastStage) {
  NginxServer nginx;
  TempDir dir;
  // 0 -> 100/s over 2 s (100 iterations), then 2 s at 100/s (200).
  LoadhostRun run = run_loadhost(dir, {"--arrival-stages", "2s:100/s,2s:100/s", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_LT(run.seconds, 9) << "no -t: the stages end the run";
  EXPECT_NE(run.err.find("run time of 4 s reached"), std::string::npos) << run.err;
  EXPECT_NEAR(double(run.report["iterations"]["started"].get<uint64_t>()), 300.0, 6.0);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(run.total_requests()));
  EXPECT_EQ(nginx.access_log_lines(), run.total_requests());
}

TEST(OpenModel, AnOpenAndAClosedClassRunSideBySide) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("open_and_closed"), "-H", nginx.url(), "-u", "2", "-r", "100",
                                       "-t", "4s"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  const nlohmann::json *open = run.entry("GET", "/open");
  const nlohmann::json *closed = run.entry("GET", "/closed");
  ASSERT_TRUE(open && closed) << run.report.dump();
  // Arrivals: 40/s for 4 s, whatever -u says.
  EXPECT_NEAR((*open)["num_requests"].get<double>(), 160.0, 4.0);
  EXPECT_EQ(run.report["iterations"]["started"].get<uint64_t>(), (*open)["num_requests"].get<uint64_t>());
  // Browser: -u 2 closed users, a task every 100 ms each.
  EXPECT_NEAR((*closed)["num_requests"].get<double>(), 80.0, 8.0);
  // Both had intended starts: the open slots and the closed users' pacing.
  EXPECT_TRUE((*open)["corrected"].is_object());
  EXPECT_TRUE((*closed)["corrected"].is_object());
  ASSERT_TRUE(nginx.wait_for_access_log_lines(run.total_requests()));
  EXPECT_EQ(nginx.access_log_lines(), run.total_requests());
}

TEST(OpenModel, ALoadShapeReturningRatesDrivesTheSchedule) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("shape_arrivals"), "-H", nginx.url()});
  ASSERT_EQ(run.status.code, 0) << run.err;
  const nlohmann::json *shaped = run.entry("GET", "/shaped");
  ASSERT_TRUE(shaped) << run.report.dump();
  // 50/s for 2 s then 100/s for 2 s; the shape is polled once a second, so
  // the change lands within a tick of 2 s.
  EXPECT_NEAR((*shaped)["num_requests"].get<double>(), 300.0, 15.0);
  EXPECT_EQ(run.report["iterations"]["started"].get<uint64_t>(), (*shaped)["num_requests"].get<uint64_t>());
  ASSERT_TRUE(nginx.wait_for_access_log_lines(run.total_requests()));
  EXPECT_EQ(nginx.access_log_lines(), run.total_requests());
}

TEST(OpenModel, AServerStallShowsInTheCorrectedLatencyNotInTheServiceTime) {
  NginxServer nginx;
  TempDir dir;
  // 100/s from a pool of 2 users on one loop: during a 1 s stall both block
  // in a request, and the next slots wait for them. The stall gives two slow
  // service times out of ~600 (p99 unmoved), but ~100 iterations that
  // started up to 1 s late.
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"--arrival-rate", "100/s", "--pre-allocated-users", "2", "--max-users", "2", "--threads",
                           "1", "-t", "6s", nginx.url() + "/"},
                          dir.path()),
            dir.path());
  std::thread stall = stall_nginx(nginx, 2500ms, 1000ms);
  LoadhostRun run = finish_run(p, dir.path(), 30s, started);
  stall.join();
  ASSERT_EQ(run.status.code, 0) << run.err;
  const nlohmann::json &total = run.report["aggregated"];
  ASSERT_GE(total["num_requests"].get<uint64_t>(), 550u);
  ASSERT_TRUE(total["corrected"].is_object()) << total.dump();
  EXPECT_LT(p99_ms(total), 200.0) << "the service time's p99 does not see the stall";
  EXPECT_GE(p99_ms(total["corrected"]), 800.0) << "the latency from the intended start does";
  EXPECT_GE(total["max_response_time_ms"].get<double>(), 800.0) << "the two requests caught in the stall";
}

TEST(OpenModel, DroppedIterationsAreCountedInConsoleCsvAndJson) {
  NginxServer nginx;
  TempDir dir;
  // One user at 50/s and a 2.5 s stall: a second's worth of slots (50)
  // waits for the user, the rest of the stall's are dropped.
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"--arrival-rate", "50/s", "--pre-allocated-users", "1", "--max-users", "1", "--threads",
                           "1", "-t", "5s", "--csv", (dir.path() / "run").string(), nginx.url() + "/"},
                          dir.path()),
            dir.path());
  std::thread stall = stall_nginx(nginx, 1000ms, 2500ms);
  LoadhostRun run = finish_run(p, dir.path(), 30s, started);
  stall.join();
  ASSERT_EQ(run.status.code, 0) << run.err;
  uint64_t started_n = run.report["iterations"]["started"].get<uint64_t>();
  uint64_t dropped = run.report["iterations"]["dropped"].get<uint64_t>();
  EXPECT_GT(dropped, 40u);
  EXPECT_NEAR(double(started_n + dropped), 250.0, 8.0) << "every slot is started or dropped";
  EXPECT_NE(run.out.find("Open model: " + std::to_string(started_n) + " iterations started, " + std::to_string(dropped) + " dropped"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(read_file(dir.path() / "run_iterations.csv"),
            "Iterations Started,Iterations Dropped\r\n" + std::to_string(started_n) + "," + std::to_string(dropped) + "\r\n");
  std::string corrected_csv = read_file(dir.path() / "run_corrected_percentiles.csv");
  EXPECT_NE(corrected_csv.find(",Aggregated," + std::to_string(run.total_requests()) + ","), std::string::npos)
      << corrected_csv;
}

TEST(OpenModel, BadOpenModelFlagsExitTwoWithALineNamingTheFlag) {
  TempDir dir;
  const std::string url = "http://127.0.0.1:9/";
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  for (const Case &c : std::vector<Case>{
           {{"--arrival-rate", "fast", url}, "--arrival-rate 'fast' is not a rate"},
           {{"--arrival-rate", "0/s", url}, "--arrival-rate must be more than 0"},
           {{"--arrival-rate", "10/x", url}, "--arrival-rate '10/x'"},
           {{"--arrival-stages", "30s", url}, "--arrival-stages: '30s' is not DURATION:RATE"},
           {{"--pre-allocated-users", "3", url}, "--pre-allocated-users and --max-users size the open model"},
           {{"--arrival-rate", "10/s", "--pre-allocated-users", "5", "--max-users", "2", url},
            "--max-users (2) must be at least --pre-allocated-users (5)"},
           {{"--arrival-rate", "10/s", "--worker", url}, "--arrival-rate and --arrival-stages go to the master"},
       }) {
    LoadhostRun run = run_loadhost(dir, c.args);
    EXPECT_EQ(run.status.code, 2) << c.names << "\n" << run.err;
    EXPECT_NE(run.err.find(c.names), std::string::npos) << run.err;
  }
}

// The port of the master's "master listening on HOST:PORT for workers", or 0.
std::uint16_t master_port(const Process &master) {
  for (int i = 0; i < 150; ++i) {
    std::string err = master.stderr_text();
    std::smatch m;
    static const std::regex re(R"(master listening on \S+:(\d+) for workers)");
    if (std::regex_search(err, m, re)) return static_cast<std::uint16_t>(std::stoi(m[1]));
    std::this_thread::sleep_for(100ms);
  }
  return 0;
}

TEST(OpenModel, AMasterSplitsTheArrivalRateAmongItsWorkers) {
  NginxServer nginx;
  TempDir dir;
  Process master({LH_LOADHOST_BIN, "--master", "--master-bind-port", "0", "--headless", "--only-summary", "--json",
                  (dir.path() / "report.json").string(), "--expect-workers", "2", "--arrival-rate", "100/s",
                  "--pre-allocated-users", "4", "-t", "4s", nginx.url() + "/"},
                 dir.path());
  std::uint16_t port = master_port(master);
  ASSERT_NE(port, 0) << master.stderr_text();
  std::vector<std::unique_ptr<Process>> workers;
  for (int i = 0; i < 2; ++i)
    workers.push_back(std::make_unique<Process>(
        std::vector<std::string>{LH_LOADHOST_BIN, "--worker", "--master-host", "127.0.0.1", "--master-port",
                                 std::to_string(port), nginx.url() + "/"},
        dir.path()));
  auto status = master.wait(30s);
  ASSERT_TRUE(status.has_value()) << master.stderr_text();
  EXPECT_EQ(status->code, 0) << master.stderr_text();
  for (auto &w : workers) EXPECT_TRUE(w->wait(10s).has_value()) << w->stderr_text();
  std::ifstream in(dir.path() / "report.json");
  nlohmann::json report = nlohmann::json::parse(in);
  // 100/s for 4 s over both workers together (each runs every other slot),
  // counted from the workers' reports.
  uint64_t started = report["iterations"]["started"].get<uint64_t>();
  EXPECT_NEAR(double(started), 400.0, 12.0) << report.dump(1);
  uint64_t requests = report["aggregated"]["num_requests"].get<uint64_t>();
  EXPECT_EQ(requests, started);
  EXPECT_TRUE(report["aggregated"]["corrected"].is_object()) << "the workers' corrected histograms reach the master";
  ASSERT_TRUE(nginx.wait_for_access_log_lines(requests));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), requests);
}

}  // namespace
}  // namespace loadhost::test
