// Where options come from besides flags: a config file (--config FILE, or
// loadhost.conf in the working directory; CLI11's `key = value` lines named
// after the long flags) and LOADHOST_* environment variables. Flags beat both.
// Checked through the JSON report (metadata.users, run_time_s) and what the
// run did.
#include <gtest/gtest.h>

#include <fstream>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 20s;

void write_file(const std::filesystem::path &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  ASSERT_TRUE(out.flush()) << path;
}

// Runs loadhost with only `--json DIR/report.json` added to `args` (no
// --headless, so a config file can be seen setting it), in `cwd` if given.
LoadhostRun run_bare(const TempDir &dir, std::vector<std::string> args, const std::filesystem::path &cwd = {}) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> argv{LH_LOADHOST_BIN, "--json", (dir.path() / "report.json").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir.path(), cwd);
  return finish_run(p, dir.path(), kLimit, started);
}

uint64_t users_of(const LoadhostRun &run) { return run.report["metadata"]["users"].get<uint64_t>(); }

// Quick mode runs 10 s unless told otherwise: a run of about 1 s proves that
// run-time = 1s was read.
void expect_ran_about_one_second(const LoadhostRun &run) {
  const double seconds = run.report["metadata"]["run_time_s"].get<double>();
  EXPECT_GE(seconds, 0.9);
  EXPECT_LT(seconds, 3.0);
}

TEST(Config, FileSetsOptions) {
  NginxServer nginx;
  TempDir dir;
  write_file(dir.path() / "run.conf", "# a comment\nusers = 3\nrun-time = 1s\nheadless = true\n");
  LoadhostRun run = run_bare(dir, {"--config", (dir.path() / "run.conf").string(), nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 3u);
  EXPECT_NE(run.err.find("loadhost: starting 3 users "), std::string::npos) << run.err;
  expect_ran_about_one_second(run);
  EXPECT_GT(run.total_requests(), 0u);
  EXPECT_EQ(run.total_failures(), 0u);
}

TEST(Config, FileCanMakeAScenarioRunHeadless) {
  NginxServer nginx;
  TempDir dir;
  const std::string weights = std::string(LH_SCENARIO_DIR) + "/weights.so";
  const std::vector<std::string> args{"-f", weights, "-H", nginx.url(), "-u", "1", "-t", "500ms"};
  const std::string web_ui = "loadhost: web UI at ";
  // Without it, a scenario run serves the web UI (here started at once and
  // quit when the test ends, on a free port).
  std::vector<std::string> with_ui = args;
  with_ui.insert(with_ui.end(), {"--web-port", "0", "--autostart", "--autoquit", "0"});
  LoadhostRun plain = run_bare(dir, with_ui);
  ASSERT_EQ(plain.status.code, 0) << plain.err;
  EXPECT_NE(plain.err.find(web_ui), std::string::npos) << plain.err;

  write_file(dir.path() / "run.conf", "headless = true\n");
  std::vector<std::string> with_config = args;
  with_config.insert(with_config.end(), {"--config", (dir.path() / "run.conf").string()});
  LoadhostRun configured = run_bare(dir, with_config);
  ASSERT_EQ(configured.status.code, 0) << configured.err;
  EXPECT_EQ(configured.err.find(web_ui), std::string::npos) << configured.err;
}

TEST(Config, FlagsOverrideTheFile) {
  NginxServer nginx;
  TempDir dir;
  write_file(dir.path() / "run.conf", "users = 3\nrun-time = 1s\n");
  LoadhostRun run = run_loadhost(dir, {"--config", (dir.path() / "run.conf").string(), "-u", "5", nginx.url() + "/"},
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 5u);
  expect_ran_about_one_second(run);  // what the flags did not say still comes from the file
}

TEST(Config, LoadhostConfInTheWorkingDirectoryIsRead) {
  NginxServer nginx;
  TempDir dir;
  const std::filesystem::path work = dir.path() / "work";
  std::filesystem::create_directory(work);
  write_file(work / "loadhost.conf", "users = 2\nrun-time = 1s\n");
  LoadhostRun run = run_bare(dir, {"--headless", nginx.url() + "/"}, work);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 2u);
  expect_ran_about_one_second(run);

  // --config names another file: that one is read instead.
  write_file(dir.path() / "other.conf", "users = 4\nrun-time = 1s\n");
  LoadhostRun other = run_bare(dir, {"--headless", "--config", (dir.path() / "other.conf").string(),
                                     nginx.url() + "/"},
                               work);
  ASSERT_EQ(other.status.code, 0) << other.err;
  EXPECT_EQ(users_of(other), 4u);
}

TEST(Config, EnvironmentSetsOptions) {
  NginxServer nginx;
  TempDir dir;
  ScopedEnv users("LOADHOST_USERS", "4");
  ScopedEnv run_time("LOADHOST_RUN_TIME", "1s");
  LoadhostRun run = run_loadhost(dir, {nginx.url() + "/"}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 4u);
  expect_ran_about_one_second(run);
}

TEST(Config, FlagsOverrideTheEnvironment) {
  NginxServer nginx;
  TempDir dir;
  ScopedEnv users("LOADHOST_USERS", "4");
  ScopedEnv run_time("LOADHOST_RUN_TIME", "1s");
  LoadhostRun run = run_loadhost(dir, {"-u", "6", nginx.url() + "/"}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 6u);
  expect_ran_about_one_second(run);
}

TEST(Config, EnvironmentFlagTurnsOnInsecure) {
  NginxServer nginx({.tls = true});
  TempDir dir;
  ScopedEnv insecure("LOADHOST_INSECURE", "true");
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", nginx.url() + "/"}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_GT(run.total_requests(), 0u);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

// Known bug: cli_options.hpp promises "loadhost.conf / --config FILE, LOADHOST_*
// environment variables, flags" with later sources winning, but CLI11 2.1.2
// reads the config file first and then only fills options still unset from
// the environment, so the file wins. Enable once cli_options.cpp is fixed.
TEST(Config, EnvironmentOverridesTheFile) {
  NginxServer nginx;
  TempDir dir;
  write_file(dir.path() / "run.conf", "users = 3\nrun-time = 1s\n");
  ScopedEnv users("LOADHOST_USERS", "4");
  LoadhostRun run = run_loadhost(dir, {"--config", (dir.path() / "run.conf").string(), nginx.url() + "/"}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 4u);
}

TEST(Config, MissingFileIsAUsageError) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.conf").string();
  LoadhostRun run = run_loadhost(dir, {"--config", missing, "http://127.0.0.1:1/"}, kLimit);
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: " + missing + " was not readable (missing?) (see loadhost --help)\n");
}

TEST(Config, UnknownKeyIsAUsageError) {
  TempDir dir;
  write_file(dir.path() / "run.conf", "userz = 3\n");
  LoadhostRun run = run_loadhost(dir, {"--config", (dir.path() / "run.conf").string(), "http://127.0.0.1:1/"}, kLimit);
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: INI was not able to parse userz (see loadhost --help)\n");
}

TEST(Config, BadValueInTheFileIsAUsageError) {
  TempDir dir;
  write_file(dir.path() / "run.conf", "run-time = soon\n");
  LoadhostRun run = run_loadhost(dir, {"--config", (dir.path() / "run.conf").string(), "http://127.0.0.1:1/"}, kLimit);
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("'soon' is not a duration like 30s, 5m or 1h30m"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace loadhost::test
