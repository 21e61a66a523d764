// Where options come from besides flags: a config file (--config FILE, or
// loadhost.conf in the working directory; CLI11's `key = value` lines named
// after the long flags) and LOADHOST_* environment variables. Flags beat both.
// Checked through the JSON report (metadata.users, run_time_s) and what the
// run did.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

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
  EXPECT_NE(run.err.find("loadhost: options read from " + (dir.path() / "run.conf").string() + "\n"),
            std::string::npos)
      << run.err;
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
  // Read unasked, and it may name code to run: it is announced.
  EXPECT_NE(run.err.find("loadhost: options read from loadhost.conf\n"), std::string::npos) << run.err;
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

// Every option means the same from every source. Each case gives options by
// name (as a config file spells them) through one source and checks what the
// run did; a source that ignored one (as the plugin pre-scan once ignored the
// file) fails its case.
enum class Source { file, environment, command_line };

void PrintTo(Source s, std::ostream *os) {
  *os << (s == Source::file ? "file" : s == Source::environment ? "environment" : "command line");
}

std::string env_name(const std::string &option) {
  std::string env = "LOADHOST_" + option;
  for (auto &c : env) c = c == '-' ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

class EverySource : public ::testing::TestWithParam<Source> {
 protected:
  // Runs loadhost (--headless --json) with `options` given through the
  // source under test, then `tail` on the command line.
  LoadhostRun run_with(const std::vector<std::pair<std::string, std::string>> &options,
                       std::vector<std::string> tail) {
    std::vector<std::string> args;
    std::vector<std::unique_ptr<ScopedEnv>> env;
    std::string file;
    for (const auto &[name, value] : options) {
      switch (GetParam()) {
        case Source::file: file += name + " = " + value + "\n"; break;
        case Source::environment: env.push_back(std::make_unique<ScopedEnv>(env_name(name), value)); break;
        case Source::command_line: args.push_back("--" + name + "=" + value); break;
      }
    }
    if (GetParam() == Source::file) {
      write_file(dir_.path() / "run.conf", file);
      args.insert(args.end(), {"--config", (dir_.path() / "run.conf").string()});
    }
    args.insert(args.end(), tail.begin(), tail.end());
    return run_loadhost(dir_, args, kLimit);
  }
  TempDir dir_;
};

TEST_P(EverySource, LoadsThePluginNamed) {
  // A plugin of another ABI major: its one-line refusal proves it was loaded.
  LoadhostRun run = run_with({{"plugin", LH_WRONG_MAJOR_PLUGIN}}, {"-t", "1s", "http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2) << run.err;
  EXPECT_NE(run.err.find("was built for loadhost ABI 2.0, but this loadhost speaks ABI 1.x"), std::string::npos)
      << run.err;
}

TEST_P(EverySource, SetsUsersAndRunTime) {
  NginxServer nginx;
  LoadhostRun run = run_with({{"users", "3"}, {"run-time", "1s"}, {"spawn-rate", "100"}}, {nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(users_of(run), 3u);
  expect_ran_about_one_second(run);
}

TEST_P(EverySource, RefusesANegativeSpawnRate) {
  LoadhostRun run = run_with({{"spawn-rate", "-5"}}, {"http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("-r,--spawn-rate: -5 is not a rate: give users per second, 0 or more"), std::string::npos)
      << run.err;
}

TEST_P(EverySource, RefusesDurationsBeyondAYear) {
  for (const char *option : {"run-time", "stop-timeout", "request-timeout"}) {
    LoadhostRun run = run_with({{option, "3000000h"}}, {"http://127.0.0.1:1/"});
    EXPECT_EQ(run.status.code, 2) << option;
    EXPECT_NE(run.err.find("'3000000h' is longer than 366 days, the longest duration loadhost takes"),
              std::string::npos)
        << run.err;
  }
}

TEST_P(EverySource, RefusesTooManyThreads) {
  LoadhostRun run = run_with({{"threads", "100000"}}, {"http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.status.signal, 0) << "no abort";
  EXPECT_NE(run.err.find("--threads: Value 100000 not in range 0 to 1024"), std::string::npos) << run.err;
}

INSTANTIATE_TEST_SUITE_P(Config, EverySource,
                         ::testing::Values(Source::file, Source::environment, Source::command_line),
                         [](const ::testing::TestParamInfo<Source> &info) {
                           switch (info.param) {
                             case Source::file: return "File";
                             case Source::environment: return "Environment";
                             case Source::command_line: return "CommandLine";
                           }
                           return "";
                         });

}  // namespace
}  // namespace loadhost::test
