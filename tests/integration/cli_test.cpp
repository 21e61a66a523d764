// The command line a Locust user types (issue 13): -l, --show-task-ratio
// compared with Debian's Locust 2.12 on the same scenario, user classes by
// name, --logfile, --reset-stats, --help, and bad input — a mistyped flag,
// a Python locustfile, a report directory that is not there — answered in
// one line naming it, with exit code 2, before anything runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "integration/loadhost_run.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 30s;
constexpr const char *kLocust = "/usr/bin/locust";  // Debian's python3-locust (tests/setup-debian.sh)

std::string classes_so() { return std::string(LH_SCENARIO_DIR) + "/classes.so"; }
std::string classes_py() { return std::string(LH_SCENARIO_SOURCE_DIR) + "/classes.py"; }

// loadhost with exactly these arguments (no --headless, --json added).
LoadhostRun run_plain(const TempDir &dir, std::vector<std::string> args, std::chrono::seconds limit = kLimit) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> argv{LH_LOADHOST_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir.path());
  return finish_run(p, dir.path(), limit, started);
}

std::string read_text(const std::filesystem::path &path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// What Locust prints for the same scenario (classes.py).
std::string locust_output(const TempDir &dir, std::vector<std::string> args) {
  std::vector<std::string> argv{kLocust, "-f", classes_py()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir.path());
  auto status = p.wait(30s);
  EXPECT_TRUE(status && status->code == 0) << p.stderr_text();
  return p.stdout_text();
}

uint64_t requests_of(const LoadhostRun &run, const std::string &name) {
  const nlohmann::json *e = run.entry("GET", name);
  return e ? (*e)["num_requests"].get<uint64_t>() : 0;
}

TEST(CommandLine, MistypedFlagNamesTheClosestOne) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--user", "5", "http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: unknown option --user; did you mean --users? (see loadhost --help)\n");
  LoadhostRun cut = run_loadhost(dir, {"--spawn", "5", "http://127.0.0.1:1/"});
  EXPECT_EQ(cut.err, "loadhost: unknown option --spawn; did you mean --spawn-rate? (see loadhost --help)\n");
  LoadhostRun far = run_loadhost(dir, {"--frobnicate", "http://127.0.0.1:1/"});
  EXPECT_EQ(far.status.code, 2);
  EXPECT_EQ(far.err, "loadhost: unknown option --frobnicate (see loadhost --help)\n");
  // A value that starts with '-' is the option's, not a flag.
  LoadhostRun value = run_loadhost(dir, {"--web-auth", "-x:y", "--user", "http://127.0.0.1:1/"});
  EXPECT_EQ(value.err, "loadhost: unknown option --user; did you mean --users? (see loadhost --help)\n");
}

TEST(CommandLine, PythonLocustfileIsNotRun) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", classes_py(), "-t", "1s"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: scenario '" + classes_py() +
                         "' is Python: loadhost runs scenarios written in C++ (a .cpp file, compiled and cached, "
                         "or a built .so), not locustfiles; see docs/writing-scenarios.md\n");
}

TEST(CommandLine, ScenarioThatIsNeitherCppNorSo) {
  TempDir dir;
  std::ofstream(dir.path() / "shop.txt") << "not code\n";
  LoadhostRun run = run_loadhost(dir, {"-f", (dir.path() / "shop.txt").string(), "-t", "1s"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: scenario '" + (dir.path() / "shop.txt").string() +
                         "': not a C++ file (.cpp, .cc, .cxx) or a built .so\n");
}

// Found before the run, not after a full one.
TEST(CommandLine, CsvIntoAMissingDirectoryFailsBeforeTheRun) {
  TempDir dir;
  const std::string prefix = (dir.path() / "nope" / "run1").string();
  LoadhostRun run = run_loadhost(dir, {"-t", "30s", "--csv", prefix, "http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_LT(run.seconds, 5);
  EXPECT_EQ(run.err, "loadhost: --csv " + prefix + ": the directory '" + (dir.path() / "nope").string() +
                         "' does not exist (create it first)\n");
  LoadhostRun html = run_loadhost(dir, {"-t", "30s", "--html", (dir.path() / "nope" / "r.html").string(),
                                        "http://127.0.0.1:1/"});
  EXPECT_EQ(html.status.code, 2);
  EXPECT_NE(html.err.find("loadhost: --html "), std::string::npos) << html.err;
}

TEST(CommandLine, CsvIntoADirectoryNotWritableFailsBeforeTheRun) {
  if (geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "ro");
  std::filesystem::permissions(dir.path() / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::replace);
  LoadhostRun run = run_loadhost(dir, {"-t", "30s", "--csv", (dir.path() / "ro" / "x").string(), "http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("cannot write in the directory"), std::string::npos) << run.err;
}

TEST(CommandLine, HelpListsTheCoreOptionsWithDefaultsInWords) {
  TempDir dir;
  LoadhostRun run = run_plain(dir, {"--help"});
  EXPECT_EQ(run.status.code, 0);
  EXPECT_NE(run.out.find("  -u,--users N "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("(default: one per core; at most 1024)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--reset-stats"), std::string::npos);
  EXPECT_EQ(run.out.find("UINT"), std::string::npos) << "no CLI11 type names\n" << run.out;
  EXPECT_EQ(run.out.find("=0"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("--proto"), std::string::npos) << "a plugin's options only when asked for\n" << run.out;
  EXPECT_NE(run.out.find("loadhost help ID"), std::string::npos) << run.out;
}

TEST(CommandLine, PluginOptionsWithPluginHelpOrHelpId) {
  TempDir dir;
  LoadhostRun named = run_plain(dir, {"--plugin", "grpc", "--help"});
  EXPECT_EQ(named.status.code, 0);
  EXPECT_NE(named.out.find("Options of plugin grpc:"), std::string::npos) << named.out;
  EXPECT_NE(named.out.find("--proto FILE"), std::string::npos) << named.out;
  EXPECT_NE(named.out.find("-u,--users N"), std::string::npos) << "the core's too\n" << named.out;
  EXPECT_EQ(named.out.find("--topic"), std::string::npos) << "not another plugin's\n" << named.out;

  LoadhostRun help = run_plain(dir, {"help", "mqtt"});
  EXPECT_EQ(help.status.code, 0);
  EXPECT_NE(help.out.find("--topic TOPIC"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("--users"), std::string::npos) << help.out;

  LoadhostRun unknown = run_plain(dir, {"help", "nosuch"});
  EXPECT_EQ(unknown.status.code, 2);
  EXPECT_NE(unknown.err.find("loadhost: no plugin 'nosuch' is loaded (loaded: "), std::string::npos) << unknown.err;
}

TEST(CommandLine, ListShowsClassesWeightsAndTasks) {
  TempDir dir;
  LoadhostRun run = run_plain(dir, {"-f", classes_so(), "-l"});
  EXPECT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "Available Users:\n"
            "    Shopper  weight 3; tasks: home 2, Browse 2 (item 4, leave 1), checkout 1\n"
            "    Admin    weight 1; tasks: report 1\n");
  // With tags, what would run.
  LoadhostRun tagged = run_plain(dir, {"-f", classes_so(), "-l", "-T", "buy"});
  EXPECT_NE(tagged.out.find("    Shopper  weight 3; tasks: Browse 2 (no tasks), checkout 1\n"), std::string::npos)
      << tagged.out;
}

TEST(CommandLine, TaskRatioIsLocusts) {
  ASSERT_TRUE(std::filesystem::exists(kLocust)) << "Debian's python3-locust is not installed (tests/setup-debian.sh)";
  TempDir dir;
  LoadhostRun run = run_plain(dir, {"-f", classes_so(), "--show-task-ratio"});
  EXPECT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.out, locust_output(dir, {"--show-task-ratio"}));
  EXPECT_NE(run.out.find("     24.0       item"), std::string::npos) << run.out;  // 75 % x 40 % x 80 %
}

TEST(CommandLine, TaskRatioJsonIsLocusts) {
  ASSERT_TRUE(std::filesystem::exists(kLocust)) << "Debian's python3-locust is not installed (tests/setup-debian.sh)";
  TempDir dir;
  // -u weighs the classes as they would be spawned: round(5.25) and round(1.75) of 7.
  LoadhostRun run = run_plain(dir, {"-f", classes_so(), "--show-task-ratio-json", "-u", "7"});
  EXPECT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.out, locust_output(dir, {"--show-task-ratio-json", "-u", "7"}));
  LoadhostRun one = run_plain(dir, {"-f", classes_so(), "--show-task-ratio-json", "Admin"});
  EXPECT_EQ(one.out, locust_output(dir, {"--show-task-ratio-json", "Admin"}));
}

TEST(CommandLine, UserClassesArePickedByName) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", classes_so(), "Admin", "-H", nginx.url(), "-u", "2", "-r", "0", "-t", "1s"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_GT(requests_of(run, "/admin"), 0u);
  EXPECT_EQ(requests_of(run, "/"), 0u) << "no Shopper ran";
  EXPECT_EQ(requests_of(run, "/first"), 0u) << "no Shopper ran";
}

TEST(CommandLine, UnknownUserClassIsAnError) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", classes_so(), "Shoper", "-t", "1s"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: unknown user class 'Shoper': '" + classes_so() + "' has Shopper, Admin (loadhost -f " +
                         classes_so() + " -l lists them)\n");
}

// A positional is a URL (quick mode) without -f and a user class with it.
TEST(CommandLine, PositionalsAreAUrlOrClassesNeverBoth) {
  TempDir dir;
  LoadhostRun name_alone = run_loadhost(dir, {"Shopper"});
  EXPECT_EQ(name_alone.status.code, 2);
  EXPECT_EQ(name_alone.err,
            "loadhost: 'Shopper' is not a URL (quick mode wants one like http://127.0.0.1:8080/), and user classes are "
            "picked by name only with a scenario (-f shop.cpp Shopper)\n");
  LoadhostRun url_and_f = run_loadhost(dir, {"-f", classes_so(), "http://127.0.0.1:1/"});
  EXPECT_EQ(url_and_f.status.code, 2);
  EXPECT_NE(url_and_f.err.find("give either a scenario (-f) or a URL, not both"), std::string::npos) << url_and_f.err;
  LoadhostRun two_urls = run_loadhost(dir, {"http://127.0.0.1:1/", "http://127.0.0.1:2/"});
  EXPECT_EQ(two_urls.status.code, 2);
  EXPECT_EQ(two_urls.err, "loadhost: quick mode takes one URL; what is 'http://127.0.0.1:2/'?\n");
}

// Locust's --logfile: the log goes to the file, appended; the stats stay on
// stdout.
TEST(CommandLine, LogfileTakesTheLog) {
  NginxServer nginx;
  TempDir dir;
  const std::filesystem::path log = dir.path() / "run.log";
  std::ofstream(log) << "an earlier line\n";
  LoadhostRun run = run_loadhost(dir, {"--logfile", log.string(), "-t", "1s", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const std::string text = read_text(log);
  EXPECT_TRUE(text.starts_with("an earlier line\n")) << text;
  EXPECT_NE(text.find("loadhost: starting 1 users"), std::string::npos) << text;
  EXPECT_NE(text.find("loadhost: test stopped: "), std::string::npos) << text;
  EXPECT_NE(run.out.find("Aggregated"), std::string::npos) << run.out;

  LoadhostRun nowhere = run_loadhost(dir, {"--logfile", (dir.path() / "no" / "x.log").string(), nginx.url() + "/"});
  EXPECT_EQ(nowhere.status.code, 2);
  EXPECT_NE(nowhere.err.find("loadhost: --logfile "), std::string::npos) << nowhere.err;
}

// --reset-stats: once spawning completes the stats start over and the
// reset_stats hook fires. Two users 2 s apart: the first user's /first
// (on_start) is forgotten, the second's, after the reset, is counted.
TEST(CommandLine, ResetStatsOnceSpawningCompletes) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, {"-f", classes_so(), "Shopper", "-H", nginx.url(), "-u", "2", "-r", "0.5", "-t", "3s", "--reset-stats"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_NE(run.err.find("loadhost: info: resetting stats (--reset-stats)"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("loadhost: info: reset_stats hook fired"), std::string::npos) << run.err;
  EXPECT_EQ(requests_of(run, "/first"), 1u);

  LoadhostRun plain =
      run_loadhost(dir, {"-f", classes_so(), "Shopper", "-H", nginx.url(), "-u", "2", "-r", "0.5", "-t", "3s"});
  ASSERT_EQ(plain.status.code, 0) << plain.err;
  EXPECT_EQ(plain.err.find("reset_stats hook fired"), std::string::npos) << plain.err;
  EXPECT_EQ(requests_of(plain, "/first"), 2u);
}

// -i/--iterations (locust-plugins'): exactly N task runs, then the test
// stops, long before -t.
TEST(CommandLine, IterationsStopTheTestAfterNTaskRuns) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run =
      run_loadhost(dir, {"-f", classes_so(), "Admin", "-H", nginx.url(), "-u", "3", "-r", "0", "-t", "30s", "-i", "7"});
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_LT(run.seconds, 10);
  EXPECT_EQ(requests_of(run, "/admin"), 7u);
  EXPECT_NE(run.err.find("loadhost: test stopped: -i 7: every task iteration has run"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace loadhost::test
