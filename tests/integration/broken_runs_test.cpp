// A run that cannot work says so and exits non-zero: never a silent exit 0,
// a spin, a hang or a crash without a word. Each case is something a user
// typed, driven through the built binary.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "integration/loadhost_run.hpp"
#include "support/bad_server.hpp"
#include "support/free_port.hpp"
#include "support/grpc_test_server/grpc_test_server.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 30s;

std::string closed_port_url() { return "http://127.0.0.1:" + std::to_string(free_port()) + "/"; }

// Runs loadhost under `ulimit -n open_files` (soft and hard: loadhost may
// raise only the soft one).
LoadhostRun run_with_open_file_limit(const TempDir &dir, int open_files, std::vector<std::string> args) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> argv{"/bin/sh", "-c", "ulimit -n " + std::to_string(open_files) + " && exec \"$@\"", "sh"};
  for (auto &a : loadhost_argv(std::move(args), dir.path())) argv.push_back(std::move(a));
  Process p(argv, dir.path());
  return finish_run(p, dir.path(), kLimit, started);
}

uint64_t failures_with(const LoadhostRun &run, const std::string &text) {
  uint64_t n = 0;
  for (const auto &f : run.report["failures"])
    if (f["error"].get<std::string>().find(text) != std::string::npos) n += f["occurrences"].get<uint64_t>();
  return n;
}

// A target no plugin can open stops the test at once (not after -t), with
// one line naming the URL, exit code 2, for every protocol; the users do not
// spin on exceptions meanwhile (quick mode once threw 130,000 a second and
// exited 0 with 0 requests).
struct BadTarget {
  std::vector<std::string> args;  // plugin options the quick mode needs, then the URL
  std::string protocol;
  std::string url_named;          // as the session got it
};

void PrintTo(const BadTarget &t, std::ostream *os) { *os << t.url_named; }

class InvalidTarget : public ::testing::TestWithParam<BadTarget> {};

TEST_P(InvalidTarget, StopsAtOnceWithOneLineAndExitTwo) {
  const BadTarget &t = GetParam();
  TempDir dir;
  constexpr uint64_t kUsers = 20;
  std::vector<std::string> args{"-u", std::to_string(kUsers), "-t", "10s"};
  args.insert(args.end(), t.args.begin(), t.args.end());
  LoadhostRun run = run_loadhost(dir, args, kLimit);
  EXPECT_EQ(run.status.signal, 0) << "no crash";
  EXPECT_EQ(run.status.code, 2) << run.err;
  EXPECT_LT(run.seconds, 5) << "stopped at once, not after -t";
  const std::string line = "loadhost: test stopped: " + t.protocol + ": cannot open a session for '" + t.url_named + "': ";
  EXPECT_NE(run.err.find(line), std::string::npos) << run.err;
  uint64_t exceptions = 0;
  for (const auto &e : run.report["exceptions"]) exceptions += e["count"].get<uint64_t>();
  // Each user fails once or twice (a sleep already armed may run before the
  // stop): the users do not spin on the failing session.
  EXPECT_LE(exceptions, 2 * kUsers);
}

INSTANTIATE_TEST_SUITE_P(
    BrokenRuns, InvalidTarget,
    ::testing::Values(BadTarget{{"http://127.0.0.1:99999/"}, "http1", "http://127.0.0.1:99999"},
                      BadTarget{{"http://"}, "http1", "http://"},
                      BadTarget{{"http://[::1/"}, "http1", "http://[::1"},
                      BadTarget{{"http://user:secret@127.0.0.1:1/"}, "http1", "http://user:secret@127.0.0.1:1"},
                      BadTarget{{"--call", "a.B/C", "grpc://127.0.0.1:99999"}, "grpc", "grpc://127.0.0.1:99999"},
                      BadTarget{{"--sql", "select 1", "postgresql://127.0.0.1:99999/x"}, "postgres",
                                "postgresql://127.0.0.1:99999/x"},
                      BadTarget{{"mqtt://127.0.0.1:99999"}, "mqtt", "mqtt://127.0.0.1:99999"},
                      BadTarget{{"ws://127.0.0.1:99999/"}, "websocket", "ws://127.0.0.1:99999/"},
                      BadTarget{{"lineecho://127.0.0.1"}, "lineecho", "lineecho://127.0.0.1"}),
    [](const ::testing::TestParamInfo<BadTarget> &info) { return info.param.protocol + "_" + std::to_string(info.index); });

// -H with no scheme at all: the host's own check, same behaviour.
TEST(BrokenRuns, HostWithoutSchemeStopsAtOnce) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", std::string(LH_SCENARIO_DIR) + "/weights.so", "-H", "127.0.0.1:8080",
                                       "-u", "5", "-r", "100", "-t", "10s"},
                                 kLimit);
  EXPECT_EQ(run.status.code, 2) << run.err;
  EXPECT_LT(run.seconds, 5);
  EXPECT_NE(run.err.find("loadhost: test stopped: no host to connect to: '127.0.0.1:8080' is not a URL like "
                         "http://127.0.0.1:8080 (set -H/--host)\n"),
            std::string::npos)
      << run.err;
}

// Requests that never got an answer count when the test ends: a server that
// accepts and never answers once gave "0 requests" and exit code 0. Each is
// one "interrupted" failure with its elapsed time (the run, then the drain).
TEST(BrokenRuns, RequestsStillInFlightAtTheEndAreInterruptedFailures) {
  BadServer server(BadServer::Mode::Silent);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "5", "-t", "1s", server.url() + "/"}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 10) << "1 s, then the 5 s drain";
  EXPECT_EQ(run.report["requests_sent"], 5u);
  EXPECT_EQ(run.total_requests(), 5u) << run.failure_errors();
  EXPECT_EQ(failures_with(run, "interrupted: no response before the test stopped"), 5u) << run.failure_errors();
  ASSERT_EQ(run.report["failures"].size(), 1u) << "one row, however many: " << run.failure_errors();
  EXPECT_GE(run.report["aggregated"]["min_response_time_ms"].get<double>(), 5000.0)
      << "each counts the time it waited: the run's last second and the 5 s drain";
  EXPECT_NE(run.err.find("(each such request counts as a failure: interrupted: no response before the test stopped)"),
            std::string::npos)
      << run.err;
}

// loadhost raises its soft open-file limit to the hard one: 1000 users fit
// under a soft limit of 256 (the connects are refused, none is out of
// descriptors).
TEST(BrokenRuns, SoftOpenFileLimitIsRaised) {
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  if (old.rlim_max < 4096) GTEST_SKIP() << "the hard open-file limit is too low to show it";
  rlimit low = old;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);  // the child inherits it
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "1000", "-t", "1s", closed_port_url()}, kLimit);
  ::setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GT(failures_with(run, "Connection refused"), 1000u) << run.failure_errors();
  EXPECT_EQ(failures_with(run, "too many open files"), 0u) << run.failure_errors();
  EXPECT_EQ(failures_with(run, "Operation canceled"), 0u) << run.failure_errors();
  EXPECT_EQ(run.err.find("users need a socket each"), std::string::npos) << run.err;
}

// Out of descriptors for real (the hard limit): a warning before the test,
// and the failures say "too many open files", not "Operation canceled".
TEST(BrokenRuns, OutOfOpenFilesIsSaidPlainly) {
  TempDir dir;
  LoadhostRun run = run_with_open_file_limit(dir, 300, {"-u", "1000", "-t", "1s", closed_port_url()});
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_NE(run.err.find("loadhost: warning: 1000 users need a socket each, but the open-file limit (ulimit -n: "
                         "300, the hard limit) leaves "),
            std::string::npos)
      << run.err;
  EXPECT_GT(failures_with(run, "too many open files (the open-file limit, ulimit -n, is reached: lower -u or "
                               "raise the limit)"),
            0u)
      << run.failure_errors();
  EXPECT_EQ(failures_with(run, "Operation canceled"), 0u) << run.failure_errors();
}

// A report file that cannot be written is said, never announced as
// written, and the exit code is 1: here the history file's name is taken by
// a directory, while the other CSV files can be written.
TEST(BrokenRuns, ReportFileNotWrittenIsNotAnnouncedAsWritten) {
  NginxServer nginx;
  TempDir dir;
  const std::string prefix = (dir.path() / "out").string();
  std::filesystem::create_directory(prefix + "_stats_history.csv");
  LoadhostRun run = run_loadhost(dir, {"-u", "1", "-t", "2s", "--csv", prefix, nginx.url() + "/"}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(run.total_failures(), 0u) << "the requests were fine; the report was not";
  EXPECT_NE(run.err.find("loadhost: cannot create '" + prefix + "_stats_history.csv'"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("loadhost: wrote " + prefix + "_stats.csv and the failures and exceptions CSV files\n"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("history, "), std::string::npos) << run.err;
}

// _stats.csv is rewritten as the run goes (Locust's way), so a run that
// dies still leaves its totals of the last second.
TEST(BrokenRuns, StatsCsvIsWrittenDuringTheRun) {
  NginxServer nginx;
  TempDir dir;
  const std::string prefix = (dir.path() / "out").string();
  Process p(loadhost_argv({"-u", "1", "-t", "30s", "--csv", prefix, nginx.url() + "/"}, dir.path()), dir.path());
  auto stats_csv = [&] {
    std::ifstream in(prefix + "_stats.csv");
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (stats_csv().find(",Aggregated,") == std::string::npos && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
  ::kill(p.pid(), SIGKILL);  // dies with no chance to write its final reports
  p.wait(10s);
  const std::string text = stats_csv();
  EXPECT_NE(text.find(",Aggregated,"), std::string::npos) << "not written within 10 s of a 30 s run\n" << text;
  EXPECT_NE(text.find("GET,/,"), std::string::npos) << text;
}

// Users still connecting a second after the test stops fail then, each a
// counted failure, rather than holding the stop for the drain time: nothing
// was sent. (A connect a live server answers within that second goes on:
// a healthy run gets no failure from its stop.)
TEST(BrokenRuns, ConnectsInFlightAtTheStopAreFailuresAtOnce) {
  BadServer server(BadServer::Mode::NeverAccepts);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "50", "-t", "1s", server.url() + "/"}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(run.total_requests(), 50u) << run.failure_errors();
  EXPECT_EQ(run.report["requests_sent"], 50u) << "a call whose connect failed was sent: it has its result";
  // Backlog 0 still queues a connection or two, whose request waits for the
  // drain and is interrupted: the rest never connected.
  EXPECT_GE(failures_with(run, ": the test stopped while connecting"), 45u) << run.failure_errors();
}

// A million users against a closed port: the loops start them a slice at a
// time, so the stop is not stuck behind one handler starting half a million
// (that once took 22 s for a 5 s run and reported 0 requests, exit 0).
TEST(BrokenRuns, MillionUsersAgainstAClosedPortStopOnTime) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "1000000", "-t", "2s", closed_port_url()}, 60s);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 6) << "2 s and a bounded stop";
  EXPECT_GT(run.total_requests(), 10000u);
  EXPECT_EQ(run.total_failures(), run.total_requests());
  EXPECT_EQ(failures_with(run, "abandoned"), 0u) << "every connect attempt got its own result";
}

// Back-off: users whose connects keep failing are paced (10 ms after the
// second failure in a row, doubling to 1 s), every failure still counted;
// --no-connect-backoff retries at once. 3 users for 2 s: a few dozen
// failures, not ~100,000 and a busy core; and the stop is not held.
struct Refusing {
  std::string name;
  std::vector<std::string> args;  // the quick mode's options and URL
};

void PrintTo(const Refusing &r, std::ostream *os) { *os << r.name; }

class ConnectBackoff : public ::testing::TestWithParam<Refusing> {};

TEST_P(ConnectBackoff, PacesUsersOfADeadTarget) {
  TempDir dir;
  std::vector<std::string> args{"-u", "3", "-t", "2s"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  LoadhostRun paced = run_loadhost(dir, args, kLimit);
  EXPECT_EQ(paced.status.code, 1) << paced.err;
  EXPECT_LT(paced.seconds, 5) << "a held-back result does not hold the stop";
  EXPECT_GE(paced.total_requests(), 3u * 5) << paced.failure_errors();
  EXPECT_LT(paced.total_requests(), 3u * 40) << paced.failure_errors();
  EXPECT_EQ(paced.total_failures(), paced.total_requests());

  args.push_back("--no-connect-backoff");
  LoadhostRun unpaced = run_loadhost(dir, args, kLimit);
  EXPECT_EQ(unpaced.status.code, 1) << unpaced.err;
  EXPECT_GT(unpaced.total_requests(), 1000u) << "the flag turns it off";
}

INSTANTIATE_TEST_SUITE_P(
    BrokenRuns, ConnectBackoff,
    ::testing::Values(Refusing{"http1", {closed_port_url()}},
                      Refusing{"http2", {"--http-protocol", "http2", closed_port_url()}},
                      Refusing{"grpc",
                               {"--proto", GrpcTestServer::proto_path().string(), "--call",
                                "loadhost.test.Echo/Unary", "grpc://127.0.0.1:" + std::to_string(free_port())}},
                      Refusing{"postgres",
                               {"--sql", "select 1",
                                "postgresql://postgres@127.0.0.1:" + std::to_string(free_port()) + "/x"}}),
    [](const ::testing::TestParamInfo<Refusing> &info) { return info.param.name; });

// A scenario that crashes takes the process down (users are code in our
// address space), but says where in one line and leaves the CSV files of
// its last second; the signal then ends the process as it would have.
TEST(BrokenRuns, CrashingScenarioSaysWhereAndKeepsTheCsv) {
  NginxServer nginx;
  TempDir dir;
  const std::string prefix = (dir.path() / "out").string();
  auto started = std::chrono::steady_clock::now();
  // No core file: the test is about the report, not the dump.
  std::vector<std::string> argv{"/bin/sh", "-c", "ulimit -c 0 && exec \"$@\"", "sh"};
  for (auto &a : loadhost_argv({"-f", std::string(LH_SCENARIO_DIR) + "/crash.so", "-H", nginx.url(), "-u", "2",
                                "-r", "100", "-t", "20s", "--csv", prefix},
                               dir.path()))
    argv.push_back(std::move(a));
  Process p(argv, dir.path(), dir.path());
  LoadhostRun run = finish_run(p, dir.path(), kLimit, started);
  EXPECT_EQ(run.status.signal, SIGSEGV) << "the signal ends it, as it would have";
  EXPECT_LT(run.seconds, 10);
  EXPECT_NE(run.err.find("loadhost: crashed: SIGSEGV (invalid memory access) on loop thread "), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(": the scenario crashed in user class Crasher, task dereference; no final report (the "
                         "--csv files, written every second, keep the last totals)\n"),
            std::string::npos)
      << run.err;
  std::ifstream in(prefix + "_stats.csv");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("GET,fetch,"), std::string::npos) << text;
  EXPECT_TRUE(std::filesystem::exists(prefix + "_stats_history.csv"));
}

}  // namespace
}  // namespace loadhost::test
