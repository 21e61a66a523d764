// A run that cannot work says so and exits non-zero: never a silent exit 0,
// a spin, a hang or a crash without a word. Each case is something a user
// typed, driven through the built binary.
#include <gtest/gtest.h>

#include "integration/loadhost_run.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 30s;

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

}  // namespace
}  // namespace loadhost::test
