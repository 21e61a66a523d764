// Bad peers: each failure is counted with a clear error, the users go on,
// and loadhost neither crashes nor hangs.
#include <gtest/gtest.h>

#include "integration/loadhost_run.hpp"
#include "support/bad_server.hpp"
#include "support/free_port.hpp"

namespace loadhost::test {
namespace {

TEST(Failures, RefusedConnection) {
  TempDir dir;
  std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", url}, std::chrono::seconds(20));
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 10u) << "users keep going after a refusal";
  EXPECT_EQ(run.total_failures(), run.total_requests());
  EXPECT_NE(run.failure_errors().find("Connection refused"), std::string::npos) << run.failure_errors();
  EXPECT_NE(run.err.find("every request failed; most often: connect: connect to 127.0.0.1:"), std::string::npos)
      << run.err;
}

TEST(Failures, GarbageResponse) {
  BadServer server(BadServer::Mode::Garbage);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", server.url() + "/"}, std::chrono::seconds(20));
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 5u);
  EXPECT_EQ(run.total_failures(), run.total_requests());
  EXPECT_NE(run.failure_errors().find("malformed response"), std::string::npos) << run.failure_errors();
}

TEST(Failures, ServerThatNeverAnswersTimesOut) {
  BadServer server(BadServer::Mode::Silent);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "3", "-t", "2s", "--request-timeout", "500ms", server.url() + "/"},
                                 std::chrono::seconds(20));
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 10) << "a hung server must not hang the stop";
  ASSERT_GE(run.total_requests(), 3u);
  EXPECT_NE(run.failure_errors().find("timeout: no response within 0.5 s"), std::string::npos)
      << run.failure_errors();
}

TEST(Failures, ServerThatHangsUpAtOnce) {
  BadServer server(BadServer::Mode::CloseImmediately);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", server.url() + "/"}, std::chrono::seconds(20));
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 5u);
  EXPECT_NE(run.failure_errors().find("connection closed before response complete"), std::string::npos)
      << run.failure_errors();
}

// Not HTTP behind a CR (an SSH server's banner): failed at once as not HTTP,
// not after the request timeout (it once waited 60 s per request).
TEST(Failures, BannerBehindACarriageReturnIsNotHttp) {
  BadServer server(BadServer::Mode::CrBanner);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", server.url() + "/"}, std::chrono::seconds(20));
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 5u) << "each request fails at once";
  EXPECT_EQ(run.total_failures(), run.total_requests());
  EXPECT_NE(run.failure_errors().find("malformed response: invalid status line"), std::string::npos)
      << run.failure_errors();
}

}  // namespace
}  // namespace loadhost::test
