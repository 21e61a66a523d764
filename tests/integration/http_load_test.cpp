// loadhost against a real nginx: nothing lost, weights honoured, spawn rate
// ramps as asked, reports written.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "integration/loadhost_run.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

TEST(HttpLoad, QuickModeCountEqualsNginxAccessLog) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "20", "-t", "2s", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  uint64_t requests = run.total_requests();
  ASSERT_GT(requests, 1000u) << run.out;
  EXPECT_EQ(run.total_failures(), 0u);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(requests));
  std::this_thread::sleep_for(300ms);  // nothing more arrives late
  EXPECT_EQ(nginx.access_log_lines(), requests) << "the run was stopped mid-flight by -t";
}

TEST(HttpLoad, SigintStopsGracefullyAndLosesNothing) {
  NginxServer nginx;
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"-u", "20", "-t", "60s", nginx.url() + "/"}, dir.path()), dir.path());
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(::kill(p.pid(), SIGINT), 0);
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  EXPECT_EQ(run.status.code, 0) << run.err;
  EXPECT_LT(run.seconds, 10) << "a SIGINT must stop the test promptly";
  EXPECT_NE(run.err.find("stopped: interrupted (SIGINT)"), std::string::npos) << run.err;
  uint64_t requests = run.total_requests();
  ASSERT_GT(requests, 100u);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(requests));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), requests);
}

TEST(HttpLoad, TaskWeightsThreeToOneWithinThreePercent) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("weights"), "-H", nginx.url(), "-u", "20", "-r", "100",
                                       "-t", "3s"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  const auto *a = run.entry("GET", "/a");
  const auto *b = run.entry("GET", "/b");
  ASSERT_TRUE(a && b) << run.report.dump();
  double na = (*a)["num_requests"].get<double>(), nb = (*b)["num_requests"].get<double>();
  ASSERT_GE(na + nb, 20000) << "at least 20,000 task runs";
  EXPECT_NEAR(na / (na + nb), 0.75, 0.03);
}

// Reads the User Count column of PREFIX_stats_history.csv, one per row.
std::vector<int> history_user_counts(const std::filesystem::path &csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<int> counts;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string timestamp, users;
    std::getline(ss, timestamp, ',');
    std::getline(ss, users, ',');
    counts.push_back(std::stoi(users));
  }
  return counts;
}

TEST(HttpLoad, SpawnRateRampsAsAsked) {
  NginxServer nginx;
  TempDir dir;
  // 12 users at 4/s: about 3 s of ramp, sampled once a second.
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("weights"), "-H", nginx.url(), "-u", "12", "-r", "4", "-t",
                                       "5s", "--csv", (dir.path() / "run").string()});
  ASSERT_EQ(run.status.code, 0) << run.err;
  std::vector<int> users = history_user_counts(dir.path() / "run_stats_history.csv");
  ASSERT_GE(users.size(), 4u);
  // One row a second: ~4, ~8, 12, 12 ... never a jump to the target.
  EXPECT_GE(users[0], 3);
  EXPECT_LE(users[0], 6);
  EXPECT_GE(users[1], 7);
  EXPECT_LE(users[1], 10);
  EXPECT_EQ(users[3], 12);
  for (size_t i = 1; i < 4; ++i) EXPECT_GE(users[i], users[i - 1]);
}

TEST(HttpLoad, LocustCsvFilesAndJsonAreWritten) {
  NginxServer nginx;
  TempDir dir;
  std::string prefix = (dir.path() / "out").string();
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1500ms", "--csv", prefix, nginx.url() + "/notfound"});
  EXPECT_EQ(run.status.code, 1) << "404s are failures: --exit-code-on-error defaults to 1";
  for (const char *suffix : {"_stats.csv", "_stats_history.csv", "_failures.csv", "_exceptions.csv"}) {
    std::ifstream f(prefix + suffix);
    EXPECT_TRUE(f.good()) << suffix;
  }
  std::ifstream failures(prefix + "_failures.csv");
  std::string header, row;
  std::getline(failures, header);
  std::getline(failures, row);
  EXPECT_EQ(header, "Method,Name,Error,Occurrences\r");
  EXPECT_EQ(row.rfind("GET,/notfound,HTTP 404 Not Found,", 0), 0u) << row;
  EXPECT_EQ(run.total_failures(), run.total_requests());
}

TEST(HttpLoad, ExitCodeOnErrorIsConfigurable) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "1", "-t", "500ms", "--exit-code-on-error", "3", nginx.url() + "/unavailable"});
  EXPECT_EQ(run.status.code, 3);
  EXPECT_NE(run.failure_errors().find("HTTP 503 "), std::string::npos) << run.failure_errors();
}

}  // namespace
}  // namespace loadhost::test
