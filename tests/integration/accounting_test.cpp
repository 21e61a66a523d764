// Every request accounted for, per protocol family: a short run against a
// real server stops while calls are in flight, and each call loadhost sent
// ends as exactly one success or failure — "interrupted: no response before
// the test stopped" for those still unanswered when the stop's 5 s drain
// ran out. Checked from the JSON report (requests_sent against the rows)
// and, for nginx, against the server's own access log.
//
// How each protocol is kept waiting: nginx (HTTP/1.1 and h2c) proxies /b to
// a server that accepts and never answers (BadServer::Silent); the gRPC test
// server's Slow method answers after 30 s; PostgreSQL runs pg_sleep(30).
// The WebSocket echo server and mosquitto have no way to hold an answer
// back, so for them the run stops mid-traffic on the real server (calls in
// flight at the stop complete and count), and the hang is a silent TCP
// server in their place (the handshake or CONNACK never comes).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <string>
#include <thread>

#include "integration/loadhost_run.hpp"
#include "support/bad_server.hpp"
#include "support/grpc_test_server/grpc_test_server.hpp"
#include "support/mosquitto_server.hpp"
#include "support/nginx_server.hpp"
#include "support/postgres_server.hpp"
#include "support/ws_echo_server/ws_echo_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 40s;  // a run here is 1-2 s, the 5 s drain and start-up: a hang fails fast
constexpr std::string_view kInterrupted = "interrupted: no response before the test stopped";

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

uint64_t sent(const LoadhostRun &run) { return run.report["requests_sent"].get<uint64_t>(); }

uint64_t failures_with(const LoadhostRun &run, std::string_view error) {
  uint64_t n = 0;
  for (const auto &f : run.report["failures"])
    if (f["error"].get<std::string>() == error) n += f["occurrences"].get<uint64_t>();
  return n;
}

// Requests of the rows the calls made: all but the events a plugin reports
// itself (an MQTT message delivered to a subscriber is not a call).
uint64_t call_requests(const LoadhostRun &run) {
  uint64_t n = 0;
  for (const auto &e : run.report["stats"])
    if (e["type"] != "mqtt-delivery") n += e["num_requests"].get<uint64_t>();
  return n;
}

// sent = successes + failures + interrupted, every interrupted call counted
// with the time it waited (at least the drain), and the run failed.
void expect_every_call_accounted(const LoadhostRun &run, uint64_t interrupted_at_least) {
  ASSERT_TRUE(run.report.contains("requests_sent")) << run.err;
  EXPECT_EQ(call_requests(run), sent(run)) << run.report.dump(1);
  EXPECT_GE(failures_with(run, kInterrupted), interrupted_at_least) << run.failure_errors();
  if (failures_with(run, kInterrupted) > 0) {
    EXPECT_NE(run.status.code, 0) << "a run with requests that never got an answer failed";
    EXPECT_GE(run.report["aggregated"]["max_response_time_ms"].get<double>(), 5000.0)
        << "an interrupted call counts the time it waited";
  }
}

// nginx serving / and /a itself and proxying /b to a server that never
// answers: each weights.so user ends up waiting on /b (weights 3:1).
struct NginxWithAHungPath {
  explicit NginxWithAHungPath(bool http2)
      : silent(BadServer::Mode::Silent),
        nginx(NginxOptions{.http2 = http2,
                           .extra_server_config = "location /b { proxy_pass http://127.0.0.1:" +
                                                  std::to_string(silent.port()) + "; proxy_read_timeout 60s; }\n"}) {}
  BadServer silent;  // first: nginx's config names its port
  NginxServer nginx;
};

void expect_nginx_run_accounted(NginxWithAHungPath &target, const LoadhostRun &run, uint64_t users) {
  expect_every_call_accounted(run, users);
  EXPECT_EQ(failures_with(run, kInterrupted), users) << "each user's /b: " << run.failure_errors();
  EXPECT_EQ(run.total_failures(), users) << run.failure_errors();
  const nlohmann::json *fast = run.entry("GET", "/a");
  ASSERT_NE(fast, nullptr) << "the users' /a before each picked /b: " << run.report.dump(1);
  EXPECT_GT((*fast)["num_requests"].get<uint64_t>(), 0u);
  EXPECT_EQ((*fast)["num_failures"].get<uint64_t>(), 0u);
  // nginx logs a request when it ends: the interrupted ones (499, client
  // closed) once loadhost let go of them.
  EXPECT_TRUE(target.nginx.wait_for_access_log_lines(sent(run)));
  EXPECT_EQ(target.nginx.access_log_lines(), sent(run)) << "nginx saw every request loadhost counted, no more";
}

TEST(EveryRequestAccountedFor, Http1AgainstNginxWithAHungUpstream) {
  NginxWithAHungPath target(false);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("weights"), "-H", target.nginx.url(), "-u", "5", "-r", "100",
                                       "-t", "2s"},
                                 kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  expect_nginx_run_accounted(target, run, 5);
}

TEST(EveryRequestAccountedFor, Http2AgainstNginxWithAHungUpstream) {
  NginxWithAHungPath target(true);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("weights"), "-H", target.nginx.url(), "-u", "5", "-r", "100",
                                       "-t", "2s", "--http-protocol", "http2"},
                                 kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  expect_nginx_run_accounted(target, run, 5);
}

TEST(EveryRequestAccountedFor, GrpcSlowMethodOutlastingTheStop) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "3", "-r", "100", "-t", "1s", "--proto",
                                       GrpcTestServer::proto_path().string(), "--call", "loadhost.test.Echo/Slow",
                                       "-d", R"({"millis":30000})", server.url()},
                                 kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(sent(run), 3u) << run.report.dump(1);
  expect_every_call_accounted(run, 3);
}

TEST(EveryRequestAccountedFor, PostgresQueryOutlastingTheStop) {
  PostgresServer pg;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "postgres", "-u", "3", "-r", "100", "-t", "1s", "--sql",
                                       "select pg_sleep(30)", pg.url()},
                                 kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(sent(run), 3u) << run.report.dump(1);
  expect_every_call_accounted(run, 3);
}

TEST(EveryRequestAccountedFor, WebSocketStoppedMidTrafficAndAgainstASilentServer) {
  {
    WsEchoServer server;
    TempDir dir;
    LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "10", "-r", "100", "-t", "1s", "--message",
                                         "hi", server.url() + "/echo"},
                                   kLimit);
    EXPECT_EQ(run.status.code, 0) << run.err << run.failure_errors();
    EXPECT_GT(sent(run), 100u);
    expect_every_call_accounted(run, 0);
    EXPECT_EQ(run.total_failures(), 0u) << "calls in flight at the stop were answered and counted";
  }
  BadServer silent(BadServer::Mode::Silent);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "websocket", "-u", "3", "-r", "100", "-t", "1s", "--message", "hi",
                                       "ws://127.0.0.1:" + std::to_string(silent.port()) + "/echo"},
                                 kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GE(sent(run), 3u) << run.report.dump(1);
  expect_every_call_accounted(run, 3);
}

TEST(EveryRequestAccountedFor, MqttStoppedMidTrafficAndAgainstASilentBroker) {
  {
    MosquittoServer broker;
    TempDir dir;
    LoadhostRun run = run_loadhost(dir, {"--plugin", "mqtt", "-f", scenario("mqtt_pubsub"), "-H", broker.url(), "-u",
                                         "5", "-r", "100", "-t", "1s", "--qos", "1"},
                                   kLimit);
    EXPECT_EQ(run.status.code, 0) << run.err << run.failure_errors();
    EXPECT_GT(sent(run), 20u);
    expect_every_call_accounted(run, 0);
  }
  BadServer silent(BadServer::Mode::Silent);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "mqtt", "-u", "3", "-r", "100", "-t", "1s",
                                       "mqtt://127.0.0.1:" + std::to_string(silent.port())},
                                 kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GE(sent(run), 3u) << run.report.dump(1);
  expect_every_call_accounted(run, 3);
}

// SIGTERM (or Ctrl-C) stops the run as -t does: the calls still hanging get
// the drain, then count as interrupted, and the reports are written.
TEST(EveryRequestAccountedFor, SigtermWhileCallsHang) {
  BadServer silent(BadServer::Mode::Silent);
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"-u", "4", "-r", "100", "-t", "60s", silent.url() + "/"}, dir.path()), dir.path());
  for (int i = 0; i < 100 && silent.connections() < 4; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(silent.connections(), 4u) << p.stderr_text();
  ASSERT_EQ(::kill(p.pid(), SIGTERM), 0);
  LoadhostRun run = finish_run(p, dir.path(), kLimit, started);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 20) << "the drain bounds the stop, not -t";
  EXPECT_EQ(sent(run), 4u) << run.report.dump(1);
  EXPECT_EQ(failures_with(run, kInterrupted), 4u) << run.failure_errors();
  expect_every_call_accounted(run, 4);
}

}  // namespace
}  // namespace loadhost::test
