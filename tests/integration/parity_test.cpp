// Locust parity, issue 13 part A, end to end: the built loadhost against
// nginx (every path answers 200, and its access log counts what was sent)
// with the scenarios parity_users (exceptions, on_start failing, on_stop at
// the end, hooks that change the run, options of its own) and parity_shape
// (a shape whose stages pick their user classes).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "integration/loadhost_run.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }
std::string source(const char *name) { return std::string(LH_SCENARIO_SOURCE_DIR) + "/" + name + ".cpp"; }

size_t count_of(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

uint64_t requests(const LoadhostRun &run, const std::string &type, const std::string &name) {
  const nlohmann::json *e = run.entry(type, name);
  return e ? (*e)["num_requests"].get<uint64_t>() : 0;
}

// One line the first time an exception is seen (where: user class and
// task), counted after; listed in the final report; --exit-code-on-error.
TEST(Parity, ExceptionsAreLoggedOnceListedAndSetTheExitCode) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "-u", "3", "-r", "100",
                                       "-t", "2s", "--parity-throw", "--parity-bad-start", "--exit-code-on-error", "7"});
  EXPECT_EQ(run.status.code, 7) << "exceptions fail the run as failed requests do\n" << run.err;
  EXPECT_EQ(count_of(run.err, "loadhost: error: exception in user class Worker, task checkout: cart is empty"), 1u)
      << run.err;
  EXPECT_EQ(count_of(run.err, "loadhost: error: exception in user class Starter, task on_start: login refused"), 1u)
      << run.err;
  EXPECT_NE(run.out.find("Exceptions"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("cart is empty (user class Worker, task checkout)"), std::string::npos) << run.out;
  uint64_t thrown = 0;
  for (const auto &x : run.report["exceptions"])
    if (x["message"] == "cart is empty") thrown = x["count"].get<uint64_t>();
  EXPECT_GT(thrown, 5u) << "counted after the first: " << run.report["exceptions"].dump();
  // on_start threw: the user died there and was not replaced.
  EXPECT_EQ(requests(run, "GET", "/login"), 1u);
  EXPECT_EQ(requests(run, "GET", "/started"), 0u) << "no task after a failed on_start";
  EXPECT_EQ(requests(run, "GET", "/logout"), 2u) << "on_stop for Worker and Sleeper only, not the dead Starter";
}

// Without -s the users are interrupted at the end and on_stop still runs:
// the interrupted task's request and on_stop's are both sent and counted.
TEST(Parity, OnStopRunsAtTheEndWithoutStopTimeout) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "-u", "4", "-r", "100",
                                       "-t", "1500ms"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(requests(run, "GET", "/logout"), 4u) << "every user ran on_stop, the sleeping one too";
  EXPECT_EQ(requests(run, "GET", "/nap"), 1u) << "the Sleeper was interrupted in its hour-long wait";
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
  EXPECT_TRUE(nginx.wait_for_access_log_lines(run.total_requests()));
  EXPECT_EQ(nginx.access_log_lines(), run.total_requests()) << "every request sent is counted, none twice";
  EXPECT_LT(run.seconds, 5.0) << "the stop did not wait for anything";
  EXPECT_NE(run.err.find("parity: added Sleeper=1 Starter=1 Worker=2; removed Sleeper=1 Starter=1 Worker=2"),
            std::string::npos)
      << "user_add and user_remove hooks\n" << run.err;
}

// An on_stop that never ends cannot hold the exit: the host's bound (3 s)
// kills the user.
TEST(Parity, HungOnStopIsBounded) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "-u", "3", "-r", "100",
                                       "-t", "1s", "--parity-hang-on-stop"},
                                 std::chrono::seconds(30));
  EXPECT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(requests(run, "GET", "/logout"), 3u);
  EXPECT_GT(run.seconds, 3.5) << "the hung on_stop got its 3 s";
  EXPECT_LT(run.seconds, 9.0) << "and no more";
}

// Hooks change the run through the runner (user count, exit code), and a
// scenario's exit code wins over what the results say.
TEST(Parity, HooksSetTheUserCountAndTheExitCode) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "-u", "3", "-r", "100",
                                       "-t", "2s", "--parity-grow-to", "5", "--parity-exit-code", "3"});
  EXPECT_EQ(run.status.code, 3) << "set_exit_code from the test_stop hook\n" << run.err;
  EXPECT_NE(run.err.find("parity: spawning complete with 3 users"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("parity: spawning complete with 5 users"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("added Sleeper=1 Starter=1 Worker=3"), std::string::npos) << run.err;
}

// The scenario's own options: listed by --help, their defaults and values
// reach option().
TEST(Parity, ScenarioOptionsAreCommandLineOptions) {
  TempDir dir;
  Process help({LH_LOADHOST_BIN, "-f", scenario("parity_users"), "--help"}, dir.path());
  auto status = help.wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, 0) << help.stderr_text();
  EXPECT_NE(help.stdout_text().find("--parity-exit-code"), std::string::npos) << help.stdout_text();
  EXPECT_NE(help.stdout_text().find("Exit code the test_stop hook sets (default: none) [scenario]"), std::string::npos)
      << help.stdout_text();
  Process bare({LH_LOADHOST_BIN, "--help"}, dir.path());
  ASSERT_TRUE(bare.wait(std::chrono::seconds(20)).has_value());
  EXPECT_EQ(bare.stdout_text().find("--parity-exit-code"), std::string::npos) << "only with the scenario";
}

// Tags that leave no task: one line, exit 2, before any user starts.
TEST(Parity, TagsThatLeaveNoTaskStopBeforeAnyUser) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "-t", "5s", "--tags",
                                       "nosuchtag"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: --tags nosuchtag leaves no task to run in any user class (check the tag names: "
                     "loadhost -f " + scenario("parity_users") + " -l lists the tasks)\n");
  EXPECT_LT(run.seconds, 4.0);
  EXPECT_EQ(nginx.access_log_lines(), 0u) << "no user started";
  LoadhostRun kept = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "-u", "3", "-t", "500ms",
                                        "--tags", "work"});
  EXPECT_EQ(kept.status.code, 0) << kept.err;
}

// A shape's stages pick their classes (Locust's 3-tuple); each stage's
// target reached fires spawning_complete; the start line, the JSON
// metadata and the HTML report name the shape and its peak.
TEST(Parity, ShapeStagesPickClassesAndTheReportsNameTheShape) {
  TempDir dir;
  const std::string html = (dir.path() / "report.html").string();
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_shape"), "--html", html});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_NE(run.err.find("loadhost: starting the load shape TwoStages ("), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("shape: spawning complete with 2 users"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("shape: spawning complete with 4 users"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("shape: added Early=2 Late=4; removed Early=2 Late=4"), std::string::npos)
      << "the second stage stopped the Early users and ran Late ones\n" << run.err;
  EXPECT_GT(requests(run, "task", "early"), 10u);
  EXPECT_GT(requests(run, "task", "late"), 10u);
  const nlohmann::json &m = run.report["metadata"];
  EXPECT_EQ(m["shape"], "TwoStages (peak 4 users)") << m.dump();
  EXPECT_EQ(m["users"], 4) << m.dump();
  EXPECT_EQ(m["peak_users"], 4);
  EXPECT_TRUE(m["spawn_rate"].is_null()) << "the shape sets the rate, not -r";
  EXPECT_EQ(m["scenario"], scenario("parity_shape"));
  std::ifstream in(html);
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_NE(page.str().find("TwoStages (peak 4 users)"), std::string::npos);
}

TEST(Parity, ShapeNamingAnUnknownClassFailsTheRun) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_shape"), "--shape-bad-class"});
  EXPECT_EQ(run.status.code, 2) << run.err;
  EXPECT_NE(run.err.find("the load shape asked for user class 'Nobody', which the scenario does not define (it "
                         "has: Early, Late)"),
            std::string::npos)
      << run.err;
}

TEST(Parity, StagesNameThemselvesAndTheirPeak) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("parity_users"), "-H", nginx.url(), "--stages",
                                       "1s:3,500ms:3,500ms:0"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_NE(run.err.find("loadhost: starting --stages 1s:3,500ms:3,500ms:0 (a peak of 3 users, 2 s in all) on "),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.report["metadata"]["shape"], "--stages 1s:3,500ms:3,500ms:0 (peak 3 users)");
  EXPECT_EQ(run.report["metadata"]["users"], 3);
}

// metadata.scenario is the file the user named, not the compiled library
// in the cache.
TEST(Parity, MetadataNamesTheCppNotTheCachedLibrary) {
  NginxServer nginx;
  TempDir dir;
  ::setenv("XDG_CACHE_HOME", (dir.path() / "cache").c_str(), 1);
  LoadhostRun run = run_loadhost(dir, {"-f", source("compile_me"), "-H", nginx.url(), "-u", "1", "-t", "300ms"},
                                 std::chrono::seconds(180));
  ::unsetenv("XDG_CACHE_HOME");
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.report["metadata"]["scenario"], source("compile_me"));
}

}  // namespace
}  // namespace loadhost::test
