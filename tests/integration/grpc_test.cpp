// loadhost with the grpc plugin against the gRPC test server
// (tests/support/grpc_test_server): quick mode like ghz, with a .proto and by
// reflection; the four kinds of call and raw bytes from a scenario; what a
// failure reads like (a status, a deadline, no server, a server that goes
// away, TLS); and that nothing hangs.
#include <gtest/gtest.h>

#include <thread>

#include "integration/loadhost_run.hpp"
#include "support/free_port.hpp"
#include "support/grpc_test_server/grpc_test_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 20s;  // no run here comes near it: a hang fails fast
const std::string kUnary = "loadhost.test.Echo/Unary";

std::string proto() { return GrpcTestServer::proto_path().string(); }
std::string scenario() { return std::string(LH_SCENARIO_DIR) + "/grpc_calls.so"; }

uint64_t requests(const LoadhostRun &run, const std::string &type, const std::string &name) {
  const auto *e = run.entry(type, name);
  return e ? (*e)["num_requests"].get<uint64_t>() : 0;
}

// A run where every call failed with one error that starts with `error`.
void expect_all_failed_with(const LoadhostRun &run, const std::string &error) {
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 0u) << run.err;
  EXPECT_EQ(run.total_failures(), run.total_requests());
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  const std::string text = run.report["failures"][0]["error"].get<std::string>();
  EXPECT_EQ(text.rfind(error, 0), 0u) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << "one line: " << text;
}

TEST(Grpc, HelpListsThePluginsOptions) {
  TempDir dir;
  Process p({LH_LOADHOST_BIN, "--plugin", "grpc", "--help"}, dir.path());
  ASSERT_TRUE(p.wait(kLimit));
  const std::string out = p.stdout_text();
  for (const char *flag : {"--proto FILE", "--import-path DIR", "--call METHOD", "-d,--data JSON",
                           "-M,--metadata KEY:VALUE", "--deadline DURATION", "--channel MODE"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag << " missing from:\n" << out;
}

TEST(Grpc, QuickModeUnaryWithProto) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "grpc", "-u", "10", "-t", "2s", "--proto", proto(), "--call",
                                       kUnary, "-d", R"({"message":"x"})", server.url()},
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_GT(requests(run, "grpc", kUnary), 1000u) << run.report.dump(1);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_LT(run.seconds, 6) << "stops on time";
}

TEST(Grpc, QuickModeByReflectionWithoutProto) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, {"-u", "10", "-t", "1500ms", "--call", kUnary, "-M", "x-echo:quick", server.url()}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_GT(requests(run, "grpc", kUnary), 500u) << run.report.dump(1);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

TEST(Grpc, WithoutProtoOrReflectionEveryCallSaysWhatToDo) {
  GrpcTestServer server({.reflection = false});
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", "--call", kUnary, server.url()}, kLimit);
  expect_all_failed_with(run, "UNIMPLEMENTED: the server offers no reflection service: give the service's .proto");
}

void expect_four_kinds(const LoadhostRun &run) {
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
  const uint64_t server_stream = requests(run, "grpc", "loadhost.test.Echo/ServerStream");
  const uint64_t client_stream = requests(run, "grpc", "loadhost.test.Echo/ClientStream");
  const uint64_t bidi = requests(run, "grpc", "loadhost.test.Echo/Bidi");
  const uint64_t bidi_raw = requests(run, "bidi-raw", "loadhost.test.Echo/Bidi");
  EXPECT_GT(requests(run, "grpc", kUnary), 50u) << run.report.dump(1);
  EXPECT_GT(requests(run, "unary-raw", kUnary), 50u);
  EXPECT_GT(server_stream, 50u);
  EXPECT_GT(client_stream, 50u);
  EXPECT_GT(bidi, 50u);
  EXPECT_GT(bidi_raw, 50u);
  // Every message a stream received is an event of its own: 3 per server
  // stream, 1 per client stream, 2 per bidi call (more by at most what the
  // stop cut short: 6 users).
  const uint64_t ss_messages = requests(run, "grpc-message", "loadhost.test.Echo/ServerStream");
  EXPECT_GE(ss_messages, 3 * server_stream);
  EXPECT_LE(ss_messages, 3 * server_stream + 12);
  const uint64_t cs_messages = requests(run, "grpc-message", "loadhost.test.Echo/ClientStream");
  EXPECT_GE(cs_messages, client_stream);
  EXPECT_LE(cs_messages, client_stream + 6);
  const uint64_t bidi_messages = requests(run, "grpc-message", "loadhost.test.Echo/Bidi");
  EXPECT_GE(bidi_messages, 2 * (bidi + bidi_raw));
  EXPECT_LE(bidi_messages, 2 * (bidi + bidi_raw) + 12);
  EXPECT_EQ(requests(run, "grpc-message", kUnary), 0u) << "a unary reply is the call itself";
}

// The scenario checks each answer (messages, counts, metadata echoed by the
// server, raw bytes) and fails the call on a mismatch.
TEST(Grpc, ScenarioFourKindsAndRawWithProto) {
  GrpcTestServer server;
  TempDir dir;
  expect_four_kinds(run_loadhost(
      dir, {"-f", scenario(), "-H", server.url(), "--proto", proto(), "-u", "6", "-r", "100", "-t", "2s"}, kLimit));
}

TEST(Grpc, ScenarioFourKindsAndRawByReflection) {
  GrpcTestServer server;
  TempDir dir;
  expect_four_kinds(
      run_loadhost(dir, {"-f", scenario(), "-H", server.url(), "-u", "6", "-r", "100", "-t", "2s"}, kLimit));
}

TEST(Grpc, SharedChannels) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "20", "-t", "1s", "--channel", "shared", "--channels", "2", "--proto",
                                       proto(), "--call", kUnary, server.url()},
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err;
  EXPECT_GT(requests(run, "grpc", kUnary), 500u);
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
}

TEST(Grpc, ChosenStatusIsTheFailureText) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", "--proto", proto(), "--call", "loadhost.test.Echo/Status",
                                       "-d", R"({"code":9,"message":"not today"})", server.url()},
                                 kLimit);
  expect_all_failed_with(run, "FAILED_PRECONDITION: not today");
  EXPECT_NE(run.err.find("every request failed; most often: FAILED_PRECONDITION: not today"), std::string::npos)
      << run.err;
}

TEST(Grpc, DeadlineExceeded) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "4", "-t", "1500ms", "--deadline", "100ms", "--proto", proto(), "--call",
                                       "loadhost.test.Echo/Slow", "-d", R"({"millis":2000})", server.url()},
                                 kLimit);
  expect_all_failed_with(run, "DEADLINE_EXCEEDED: Deadline Exceeded");
  const auto *slow = run.entry("grpc", "loadhost.test.Echo/Slow");
  ASSERT_TRUE(slow);
  EXPECT_GE((*slow)["min_response_time_ms"].get<double>(), 95.0);
  // Cut by the deadline, well before the server would answer (2 s); the
  // margin is for a loaded machine, not a speed claim.
  EXPECT_LT((*slow)["max_response_time_ms"].get<double>(), 1500.0);
}

TEST(Grpc, BadRequestJsonIsInvalidArgument) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, {"-u", "1", "-t", "500ms", "--proto", proto(), "--call", kUnary, "-d", R"({"nope":1})", server.url()},
      kLimit);
  expect_all_failed_with(run, "INVALID_ARGUMENT: the request is not a valid loadhost.test.EchoRequest in JSON");
}

TEST(Grpc, UnreachableServerFailsCleanly) {
  TempDir dir;
  std::string url = "grpc://127.0.0.1:" + std::to_string(free_port());
  LoadhostRun run = run_loadhost(dir, {"-u", "4", "-t", "1s", "--proto", proto(), "--call", kUnary, url}, kLimit);
  expect_all_failed_with(run, "UNAVAILABLE: ");
  EXPECT_LT(run.seconds, 6) << run.err;
}

TEST(Grpc, ServerStoppedMidTestCountsFailuresAndExitsCleanly) {
  GrpcTestServer server;
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"-u", "10", "-t", "3s", "--proto", proto(), "--call", kUnary, server.url()}, dir.path()),
            dir.path());
  std::this_thread::sleep_for(1200ms);
  server.stop();
  LoadhostRun run = finish_run(p, dir.path(), kLimit, started);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 8) << "no hang after the server went away";
  const auto *e = run.entry("grpc", kUnary);
  ASSERT_TRUE(e) << run.err;
  EXPECT_GT((*e)["num_requests"].get<uint64_t>(), (*e)["num_failures"].get<uint64_t>()) << "calls before the stop";
  EXPECT_GT((*e)["num_failures"].get<uint64_t>(), 0u);
  EXPECT_NE(run.failure_errors().find("UNAVAILABLE: "), std::string::npos) << run.failure_errors();
}

TEST(Grpc, TlsVerifiedWithRootCerts) {
  GrpcTestServer server({.tls = true});
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "4", "-t", "1s", "--proto", proto(), "--root-certs",
                                       server.cert_path().string(), "--call", kUnary, server.url()},
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests(run, "grpc", kUnary), 100u);
}

TEST(Grpc, TlsInsecureSkipsVerification) {
  GrpcTestServer server({.tls = true});
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, {"-u", "4", "-t", "1s", "--insecure", "--proto", proto(), "--call", kUnary, server.url()}, kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(requests(run, "grpc", kUnary), 100u);
}

TEST(Grpc, TlsUntrustedCertificateFails) {
  GrpcTestServer server({.tls = true});
  TempDir dir;
  LoadhostRun run =
      run_loadhost(dir, {"-u", "2", "-t", "1s", "--proto", proto(), "--call", kUnary, server.url()}, kLimit);
  expect_all_failed_with(run, "UNAVAILABLE: ");
}

TEST(Grpc, SetupErrorsStopTheTestWithOneLine) {
  GrpcTestServer server;
  TempDir dir;
  LoadhostRun no_call = run_loadhost(dir, {"-u", "3", "-t", "5s", server.url()}, kLimit);
  EXPECT_EQ(no_call.status.code, 1) << no_call.err;
  EXPECT_LT(no_call.seconds, 4) << "stopped at once, not after -t";
  EXPECT_NE(no_call.err.find("grpc quick mode needs the method to call: --call package.Service/Method"),
            std::string::npos)
      << no_call.err;

  // A --call that names no method failed every call, ~960,000 times a second.
  LoadhostRun bad_call = run_loadhost(dir, {"-u", "3", "-t", "5s", "--call", "x", server.url()}, kLimit);
  EXPECT_EQ(bad_call.status.code, 1) << bad_call.err;
  EXPECT_LT(bad_call.seconds, 4) << "stopped at once, not after -t";
  EXPECT_NE(bad_call.err.find("--call: 'x' is not a method name like package.Service/Method"), std::string::npos)
      << bad_call.err;
  EXPECT_LE(bad_call.total_requests(), 3u) << "one setup failure per user";

  LoadhostRun bad_proto = run_loadhost(
      dir, {"-u", "3", "-t", "5s", "--proto", "/nonexistent/x.proto", "--call", kUnary, server.url()}, kLimit);
  // A session that cannot open is the host's to stop: exit code 2, like any
  // target no plugin can open (broken_runs_test.cpp).
  EXPECT_EQ(bad_proto.status.code, 2) << bad_proto.err;
  EXPECT_LT(bad_proto.seconds, 4) << "stopped at once, not after -t";
  EXPECT_NE(bad_proto.err.find("proto file '/nonexistent/x.proto' not found"), std::string::npos) << bad_proto.err;
}

}  // namespace
}  // namespace loadhost::test
