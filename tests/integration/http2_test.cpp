// loadhost's http2 plugin against real HTTP/2 servers: nghttpd (h2c and h2
// over TLS) and nginx (h2c). Nothing lost, calls really multiplexed, 1 MB
// both ways, and a server that goes away mid-test costs failures with clear
// errors, never a hang.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "integration/loadhost_run.hpp"
#include "support/demo_target.hpp"
#include "support/nghttpd_server.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

const std::string kScenario = std::string(LH_SCENARIO_DIR) + "/http2.so";

// Runs the http2 scenario's tasks tagged `tags` against `host`.
LoadhostRun run_http2(const TempDir &dir, const std::string &host, const std::string &tags,
                      std::vector<std::string> more = {}) {
  std::vector<std::string> args{"-f", kScenario, "-H", host, "-T", tags, "-r", "1000"};
  args.insert(args.end(), more.begin(), more.end());
  return run_loadhost(dir, args, 25s);
}

bool wait_for(const std::function<bool()> &done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(Http2, CountEqualsNghttpdFrameLogAndOneConnectionPerUser) {
  NghttpdServer server;
  TempDir dir;
  LoadhostRun run = run_http2(dir, server.url(), "get", {"-u", "10", "-t", "2s"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  const uint64_t requests = run.total_requests();
  ASSERT_GT(requests, 500u) << run.out;
  EXPECT_EQ(run.total_failures(), 0u);
  ASSERT_TRUE(wait_for([&] { return server.request_count() >= requests; }));
  std::this_thread::sleep_for(300ms);  // nothing more arrives late
  EXPECT_EQ(server.request_count(), requests);
  EXPECT_EQ(server.connection_count(), 10u) << "each user keeps its one connection";
}

TEST(Http2, CountEqualsNginxAccessLogOverH2c) {
  NginxOptions options;
  options.http2 = true;
  NginxServer nginx(options);
  TempDir dir;
  LoadhostRun run = run_http2(dir, nginx.url(), "index", {"-u", "20", "-t", "2s"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  const uint64_t requests = run.total_requests();
  ASSERT_GT(requests, 1000u);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(requests));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), requests);
  std::ifstream log(nginx.dir() / "access.log");
  std::string line;
  std::getline(log, line);
  EXPECT_NE(line.find("\"GET / HTTP/2.0\" 200"), std::string::npos) << line;
}

TEST(Http2, OneOptionSwitchesQuickModeAndScenariosToHttp2) {
  NginxOptions options;
  options.http2 = true;
  NginxServer nginx(options);  // its h2c port answers HTTP/2 only
  TempDir dir;
  LoadhostRun quick = run_loadhost(dir, {"--http-protocol", "http2", "-u", "5", "-t", "1s", nginx.url() + "/"});
  ASSERT_EQ(quick.status.code, 0) << quick.err << quick.failure_errors();
  ASSERT_GT(quick.total_requests(), 100u);
  // A scenario written for HTTP/1.1, unchanged.
  TempDir dir2;
  LoadhostRun weights = run_loadhost(dir2, {"-f", std::string(LH_SCENARIO_DIR) + "/weights.so", "-H", nginx.url(),
                                            "-u", "5", "-t", "1s", "--http-protocol", "http2"});
  ASSERT_EQ(weights.status.code, 0) << weights.err << weights.failure_errors();
  EXPECT_TRUE(weights.entry("GET", "/a") && weights.entry("GET", "/b")) << weights.report.dump(1);
  const uint64_t total = quick.total_requests() + weights.total_requests();
  ASSERT_TRUE(nginx.wait_for_access_log_lines(total));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), total);
}

// nginx (h2c) in front of the demo target's /slow (100-300 ms), adding the
// number of the client connection each response came over.
NginxOptions slow_proxy_options(const DemoTarget &target) {
  NginxOptions options;
  options.http2 = true;
  options.extra_server_config = "    location = /slow { proxy_pass http://127.0.0.1:" +
                                std::to_string(target.port()) +
                                "; add_header X-Connection $connection always; }\n";
  return options;
}

TEST(Http2, WhenAllOfTenSlowRequestsTakesOneRoundTripOnOneConnection) {
  DemoTarget target;
  NginxServer nginx(slow_proxy_options(target));
  TempDir dir;
  LoadhostRun run = run_http2(dir, nginx.url(), "multiplex", {"-u", "1", "-t", "2500ms"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  const auto *all = run.entry("when_all", "10 x /slow");
  ASSERT_TRUE(all) << run.report.dump(1);
  const auto rounds = (*all)["num_requests"].get<uint64_t>();
  ASSERT_GE(rounds, 3u);
  // One at a time, ten take 1-3 s (100-300 ms each); at once, the slowest of
  // ten: about 300 ms (more on a loaded machine, never a full second).
  EXPECT_LT((*all)["max_response_time_ms"].get<double>(), 900.0);
  const auto *slow = run.entry("GET", "/slow");
  ASSERT_TRUE(slow);
  EXPECT_GE((*slow)["num_requests"].get<uint64_t>(), rounds * 10);
  EXPECT_EQ((*slow)["num_failures"].get<uint64_t>(), 0u);
  EXPECT_GE((*slow)["min_response_time_ms"].get<double>(), 95.0);
}

TEST(Http2, WhenAllOverHttp1RunsTheCallsOnExtraSessions) {
  DemoTarget target;
  TempDir dir;
  LoadhostRun run = run_http2(dir, target.url(), "multiplex_http1", {"-u", "1", "-t", "2500ms"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  const auto *all = run.entry("when_all http1", "10 x /slow");
  ASSERT_TRUE(all) << run.report.dump(1);
  EXPECT_GE((*all)["num_requests"].get<uint64_t>(), 3u);
  EXPECT_LT((*all)["max_response_time_ms"].get<double>(), 900.0);
}

TEST(Http2, OneMegabyteBothWaysAndTheTupleForm) {
  NghttpdServer server;
  TempDir dir;
  LoadhostRun run = run_http2(dir, server.url(), "upload,download,assets", {"-u", "4", "-t", "2s"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
  const auto *upload = run.entry("POST", "upload");
  const auto *download = run.entry("GET", "/big.bin");
  const auto *big = run.entry("GET", "/big");
  ASSERT_TRUE(upload && download && big) << run.report.dump(1);
  EXPECT_GT((*upload)["num_requests"].get<uint64_t>(), 5u);
  EXPECT_GT((*download)["num_requests"].get<uint64_t>(), 5u);
  EXPECT_EQ((*upload)["avg_content_length"].get<double>(), 1024.0 * 1024.0) << "the echo";
  EXPECT_EQ((*download)["avg_content_length"].get<double>(), double(NghttpdServer::kBigSize));
  EXPECT_EQ(run.total_failures(), 0u);
}

TEST(Http2, WhenAllWithACallThatCannotStartStillRunsTheOthers) {
  NghttpdServer server;
  TempDir dir;
  LoadhostRun run = run_http2(dir, server.url(), "start_error", {"-u", "1", "-t", "1s"});
  const auto *hello = run.entry("GET", "/hello.txt");
  ASSERT_TRUE(hello) << run.report.dump(1);
  EXPECT_EQ((*hello)["num_failures"].get<uint64_t>(), 0u);
  ASSERT_FALSE(run.report["exceptions"].empty());
  const auto &e = run.report["exceptions"][0];
  EXPECT_NE(e["message"].get<std::string>().find("no protocol plugin with id 'no-such-protocol'"), std::string::npos)
      << e.dump();
  // One per round, but the last: the test stopped it before it resumed.
  EXPECT_NEAR(double(e["count"].get<uint64_t>()), double((*hello)["num_requests"].get<uint64_t>()), 1.0);
}

TEST(Http2, TlsWithAlpnH2) {
  NghttpdOptions options;
  options.tls = true;
  NghttpdServer server(options);
  TempDir dir;
  LoadhostRun run = run_http2(dir, server.url(), "get,assets", {"-u", "3", "-t", "1500ms", "--insecure"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_GT(run.total_requests(), 100u);
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();

  // Verified by default: a self-signed certificate is refused, clearly.
  TempDir dir2;
  LoadhostRun strict = run_http2(dir2, server.url(), "get", {"-u", "1", "-t", "1s"});
  EXPECT_EQ(strict.status.code, 1) << strict.err;
  EXPECT_NE(strict.failure_errors().find("connect: TLS handshake with 127.0.0.1:"), std::string::npos)
      << strict.failure_errors();
}

TEST(Http2, ServerStoppedMidTestFailsClearlyThenUsersReconnect) {
  NghttpdServer server;
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"-f", kScenario, "-H", server.url(), "-T", "get", "-u", "5", "-r", "1000", "-t", "4s"},
                          dir.path()),
            dir.path());
  std::this_thread::sleep_for(1s);
  server.stop();
  std::this_thread::sleep_for(1s);
  server.restart();
  const size_t before_restart = server.request_count();
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  EXPECT_LT(run.seconds, 10) << "no hang";
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_GT(run.total_failures(), 0u);
  EXPECT_LT(run.total_failures(), run.total_requests());
  EXPECT_NE(run.failure_errors().find("connect: connect to 127.0.0.1:" + std::to_string(server.port()) +
                                      ": Connection refused"),
            std::string::npos)
      << run.failure_errors();
  for (const auto &f : run.report["failures"]) {
    const std::string error = f["error"].get<std::string>();
    EXPECT_TRUE(error.starts_with("connect: ") || error.starts_with("http2: connection closed before response"))
        << error;
  }
  EXPECT_GT(server.request_count(), before_restart + 100) << "the users came back";
}

TEST(Http2, NginxReloadSendsGoawayAndNothingIsLost) {
  NginxOptions options;
  options.http2 = true;
  NginxServer nginx(options);
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv({"-f", kScenario, "-H", nginx.url(), "-T", "index", "-u", "10", "-r", "1000", "-t", "3s"},
                          dir.path()),
            dir.path());
  std::this_thread::sleep_for(1s);
  // A reload: the old worker sends GOAWAY(NO_ERROR) on its connections and
  // finishes the streams it took; streams above GOAWAY's last id are sent
  // again on a new connection.
  std::ifstream pid_file(nginx.dir() / "nginx.pid");
  pid_t master = 0;
  pid_file >> master;
  ASSERT_GT(master, 0);
  ASSERT_EQ(::kill(master, SIGHUP), 0);
  LoadhostRun run = finish_run(p, dir.path(), 20s, started);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  const uint64_t requests = run.total_requests();
  ASSERT_GT(requests, 1000u);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(requests));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(nginx.access_log_lines(), requests);
}

}  // namespace
}  // namespace loadhost::test
