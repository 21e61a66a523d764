// loadhost with the websocket plugin against the WebSocket echo server
// (tests/support/ws_echo_server): quick mode round trips; every operation
// from a scenario; what a failure reads like (a dropped connection, a
// refused handshake, no server, a timeout, TLS); and that nothing hangs.
#include <gtest/gtest.h>

#include "integration/loadhost_run.hpp"
#include "support/bad_server.hpp"
#include "support/ws_echo_server/ws_echo_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 20s;  // no run here comes near it: a hang fails fast

std::string scenario() { return std::string(LH_SCENARIO_DIR) + "/ws_operations.so"; }

uint64_t requests(const LoadhostRun &run, const std::string &type, const std::string &name) {
  const auto *e = run.entry(type, name);
  return e ? (*e)["num_requests"].get<uint64_t>() : 0;
}
uint64_t failures(const LoadhostRun &run, const std::string &type, const std::string &name) {
  const auto *e = run.entry(type, name);
  return e ? (*e)["num_failures"].get<uint64_t>() : 0;
}

// The failure texts of a run, each with its (type, name).
std::vector<std::string> failure_rows(const LoadhostRun &run) {
  std::vector<std::string> rows;
  for (const auto &f : run.report["failures"])
    rows.push_back(f["method"].get<std::string>() + " " + f["name"].get<std::string>() + ": " +
                   f["error"].get<std::string>());
  return rows;
}

// Runs the scenario's task tagged `tag` with `users` users for `seconds`.
LoadhostRun run_story(const WsEchoServer &server, const TempDir &dir, const std::string &tag,
                      std::vector<std::string> extra = {}, const std::string &users = "2") {
  std::vector<std::string> args{"-f", scenario(), "-H", server.url(), "-u", users, "-t", "2s", "--tags", tag};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_loadhost(dir, args, kLimit);
}

TEST(WebSocket, HelpListsThePluginsOptions) {
  TempDir dir;
  Process p({LH_LOADHOST_BIN, "--plugin", "websocket", "--help"}, dir.path());
  ASSERT_TRUE(p.wait(kLimit));
  const std::string out = p.stdout_text();
  for (const char *flag : {"--message TEXT", "--message-size N", "--binary", "--subprotocol NAME",
                           "--ws-header NAME:VALUE", "--queue-size N", "--report-messages"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag << " missing from:\n" << out;
}

TEST(WebSocket, QuickModeRoundTripsWithNoFailures) {
  WsEchoServer server;
  TempDir dir;
  const std::string url = server.url() + "/echo";
  LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "50", "-r", "100", "-t", "2s", "--message",
                                       "hi", url},
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_EQ(requests(run, "connect", url), 50u) << "each user connects once";
  EXPECT_GT(requests(run, "request", url), 2000u) << run.report.dump(1);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_LT(run.seconds, 6) << "stops on time";
}

TEST(WebSocket, QuickModeSizedBinaryMessages) {
  WsEchoServer server;
  TempDir dir;
  const std::string url = server.url() + "/echo";
  LoadhostRun run = run_loadhost(
      dir, {"--plugin", "websocket", "-u", "4", "-t", "1s", "--message-size", "4096", "--binary", url}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  const auto *e = run.entry("request", url);
  ASSERT_TRUE(e) << run.report.dump(1);
  EXPECT_GT((*e)["num_requests"].get<uint64_t>(), 100u);
  EXPECT_EQ((*e)["avg_content_length"].get<double>(), 4096.0) << "the echo of each 4096-byte message is counted";
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

TEST(WebSocket, EveryOperationFromAScenario) {
  WsEchoServer server;
  TempDir dir;
  LoadhostRun run = run_story(server, dir, "ops");
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  for (const char *op : {"connect", "request", "send", "receive", "ping", "close"})
    EXPECT_GT(requests(run, op, "/echo"), 20u) << op << "\n" << run.report.dump(1);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
}

TEST(WebSocket, PushedMessagesWaitInTheQueueAndCanBeReported) {
  WsEchoServer server;
  TempDir dir;
  LoadhostRun run = run_story(server, dir, "push", {"--report-messages"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  const uint64_t received = requests(run, "receive", "/push?n=5");
  EXPECT_GT(received, 50u);
  // Messages that arrived before their receive were reported too (those a
  // receive was already waiting for were not).
  const uint64_t reported = requests(run, "ws-message", "/push?n=5");
  EXPECT_GT(reported, 0u) << run.report.dump(1);
  EXPECT_LE(reported, received);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

TEST(WebSocket, SubprotocolIsNegotiated) {
  WsEchoServer server;
  TempDir dir;
  LoadhostRun run = run_story(server, dir, "subprotocol");
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests(run, "connect", "/echo"), 20u);
}

TEST(WebSocket, ReceiveTimesOut) {
  WsEchoServer server;
  TempDir dir;
  LoadhostRun run = run_story(server, dir, "timeout", {}, "1");
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GT(failures(run, "receive", "/echo"), 3u);
  EXPECT_EQ(failures(run, "receive", "/echo"), requests(run, "receive", "/echo"));
  EXPECT_EQ(failures(run, "close", "/echo"), 0u) << "the connection survives a timed-out receive";
  EXPECT_NE(run.failure_errors().find("timeout: no response within 0.2 s"), std::string::npos)
      << run.failure_errors();
}

TEST(WebSocket, AbruptCloseFailsWithCode1006AndNeverHangs) {
  WsEchoServer server;
  TempDir dir;
  const std::string url = server.url() + "/close";
  LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "5", "-t", "2s", url}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 6);
  EXPECT_GT(failures(run, "request", url), 20u) << "the quick user reconnects after each drop";
  EXPECT_EQ(failures(run, "connect", url), 0u);
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  EXPECT_EQ(run.report["failures"][0]["error"], "websocket: connection closed by peer (code 1006)");
}

TEST(WebSocket, CallsAfterADropFailUntilReconnected) {
  WsEchoServer server;
  TempDir dir;
  LoadhostRun run = run_story(server, dir, "reconnect", {}, "1");
  EXPECT_EQ(run.status.code, 1) << run.err;
  std::vector<std::string> rows = failure_rows(run);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "request /close: websocket: connection closed by peer (code 1006)",
                      "request /close: websocket: not connected: connection closed by peer (code 1006)",
                  }))
      << run.failure_errors();
  EXPECT_GT(requests(run, "request", "/echo"), 5u);
  EXPECT_EQ(failures(run, "request", "/echo"), 0u) << "the reconnected session works";
}

TEST(WebSocket, RejectedHandshakeIsOneClearFailure) {
  WsEchoServer server;
  TempDir dir;
  const std::string url = server.url() + "/missing";
  LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "2", "-t", "1s", url}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GT(failures(run, "connect", url), 2u);
  EXPECT_EQ(requests(run, "request", url), 0u);
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  EXPECT_EQ(run.report["failures"][0]["error"], "websocket: handshake failed: HTTP 404");
}

TEST(WebSocket, NoServerIsOneClearFailure) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "1", "-t", "1s", "ws://127.0.0.1:1/"}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  const std::string text = run.report["failures"][0]["error"];
  EXPECT_EQ(text.rfind("websocket: cannot connect to ws://127.0.0.1:1/: ", 0), 0u) << text;
}

TEST(WebSocket, BadServersFailTheHandshakeClearly) {
  BadServer silent(BadServer::Mode::Silent);
  const std::string silent_url = "ws://127.0.0.1:" + std::to_string(silent.port()) + "/";
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, {"--plugin", "websocket", "-u", "2", "-t", "1s", "--request-timeout", "300ms", silent_url}, kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 6);
  EXPECT_GE(failures(run, "connect", silent_url), 2u);
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  EXPECT_EQ(run.report["failures"][0]["error"], "timeout: no response within 0.3 s");

  BadServer garbage(BadServer::Mode::Garbage);
  const std::string garbage_url = "ws://127.0.0.1:" + std::to_string(garbage.port()) + "/";
  TempDir dir2;
  LoadhostRun bad = run_loadhost(dir2, {"--plugin", "websocket", "-u", "1", "-t", "1s", garbage_url}, kLimit);
  EXPECT_EQ(bad.status.code, 1) << bad.err;
  ASSERT_FALSE(bad.report["failures"].empty());
  EXPECT_EQ(bad.report["failures"][0]["error"], "websocket: handshake failed: the answer is not an HTTP response");

  BadServer hangs_up(BadServer::Mode::CloseImmediately);
  const std::string hangs_up_url = "ws://127.0.0.1:" + std::to_string(hangs_up.port()) + "/";
  TempDir dir3;
  LoadhostRun closed = run_loadhost(dir3, {"--plugin", "websocket", "-u", "1", "-t", "1s", hangs_up_url}, kLimit);
  EXPECT_EQ(closed.status.code, 1) << closed.err;
  for (const auto &f : closed.report["failures"]) {
    const std::string text = f["error"];
    EXPECT_EQ(text.rfind("websocket: handshake failed: the server closed the connection before answering", 0), 0u)
        << text;
  }
}

TEST(WebSocket, SecureWebSocketWithInsecureAndVerificationFailure) {
  WsEchoServer server({.tls = true});
  TempDir dir;
  const std::string url = server.url() + "/echo";
  LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "5", "-t", "1s", "--insecure", url}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests(run, "request", url), 200u);
  // Without --insecure the self-signed certificate is refused.
  TempDir dir2;
  LoadhostRun refused = run_loadhost(dir2, {"--plugin", "websocket", "-u", "1", "-t", "1s", url}, kLimit);
  EXPECT_EQ(refused.status.code, 1);
  ASSERT_FALSE(refused.report["failures"].empty());
  const std::string text = refused.report["failures"][0]["error"];
  EXPECT_EQ(text.rfind("websocket: cannot connect to " + url + ": ", 0), 0u) << text;
  EXPECT_NE(text.find("certificate"), std::string::npos) << text;
}

}  // namespace
}  // namespace loadhost::test
