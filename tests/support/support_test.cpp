// The fixtures really start their servers, and the servers really answer.
#include "support/bad_server.hpp"
#include "support/demo_target.hpp"
#include "support/free_port.hpp"
#include "support/loopback_client.hpp"
#include "support/nginx_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

// Processes of group `pgid` that are still alive (zombies not counted: who
// reaps an orphan is init's business, and a zombie runs nothing).
int living_processes_in_group(pid_t pgid) {
  int living = 0;
  for (const auto &entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so skip past ')'.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    char state = 0;
    pid_t ppid = 0, group = 0;
    fields >> state >> ppid >> group;
    living += group == pgid && state != 'Z';
  }
  return living;
}

// ---- Process ---------------------------------------------------------------

TEST(Process, WaitsForALineAndStopsWithSigterm) {
  TempDir dir;
  Process process({"/bin/sh", "-c", "echo starting; echo ready on 42; exec sleep 30"}, dir.path());
  EXPECT_EQ(process.wait_for_line("ready", 5s), "ready on 42");
  EXPECT_TRUE(process.running());
  const ExitStatus status = process.stop();
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_FALSE(process.running());
}

TEST(Process, KillsTheWholeGroupWhenSigtermIsIgnored) {
  TempDir dir;
  // sh and its sleep child both ignore SIGTERM (inherited disposition).
  Process process({"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30; true"}, dir.path());
  ASSERT_TRUE(process.wait_for_line("ready", 5s));
  const pid_t group = process.pid();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(process.stop(200ms).signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  // Nothing of the group is left running, not even the orphaned sleep
  // (SIGKILL is sent; the kernel may take a moment to finish it).
  int living = 1;
  for (int i = 0; i < 100 && living > 0; ++i, std::this_thread::sleep_for(10ms)) {
    living = living_processes_in_group(group);
  }
  EXPECT_EQ(living, 0);
}

TEST(Process, ReportsExitCodeAndOutput) {
  TempDir dir;
  Process process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, dir.path());
  const std::optional<ExitStatus> status = process.wait(5s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(process.stdout_text(), "out\n");
  EXPECT_EQ(process.stderr_text(), "err\n");
  // A line that never comes: gives up when the process has exited.
  EXPECT_FALSE(process.wait_for_line("never", 5s));
}

TEST(Process, ThrowsWhenTheProgramDoesNotExist) {
  TempDir dir;
  EXPECT_THROW(Process({"/nonexistent/program"}, dir.path()), std::runtime_error);
}

TEST(Process, RunsInTheGivenWorkingDirectory) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "work");
  Process process({"pwd", "-P"}, dir.path(), dir.path() / "work");
  ASSERT_TRUE(process.wait(5s));
  EXPECT_EQ(process.stdout_text(), std::filesystem::canonical(dir.path() / "work").string() + "\n");
}

TEST(FreePort, IsBindable) {
  const std::uint16_t port = free_port();
  EXPECT_NE(port, 0);
  EXPECT_FALSE(accepts_connections(port));
}

// ---- nginx -----------------------------------------------------------------

TEST(NginxServer, ServesItsLocationsAndLogsEachRequest) {
  NginxServer nginx;
  EXPECT_EQ(nginx.url(), "http://127.0.0.1:" + std::to_string(nginx.port()));

  std::optional<RawHttpResponse> hello = http_get(nginx.port(), "/");
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->status, 200);
  EXPECT_EQ(hello->body, NginxServer::kHelloBody);

  std::optional<RawHttpResponse> index = http_get(nginx.port(), "/index.html");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, NginxServer::kIndexHtml);

  EXPECT_EQ(http_get(nginx.port(), "/notfound")->status, 404);
  EXPECT_EQ(http_get(nginx.port(), "/unavailable")->status, 503);

  // Keep-alive: two requests on one connection.
  LoopbackClient client(nginx.port());
  for (int i = 0; i < 2; ++i) {
    client.send("GET /any/path HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::optional<RawHttpResponse> response = client.read_http_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "hello\n");
  }

  EXPECT_TRUE(nginx.wait_for_access_log_lines(6));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(nginx.access_log_lines(), 6u);
  nginx.stop();
  EXPECT_FALSE(accepts_connections(nginx.port()));
}

TEST(NginxServer, RunsSeveralWorkers) {
  NginxServer nginx({.worker_processes = 2});
  EXPECT_EQ(http_get(nginx.port(), "/")->status, 200);
}

// Whether `openssl s_client` completes a handshake with 127.0.0.1:`port`,
// trusting only `cert` and checking the certificate's names with `checks`.
bool openssl_verifies(std::uint16_t port, const std::filesystem::path &cert,
                      std::vector<std::string> checks) {
  TempDir dir;
  std::vector<std::string> argv{"openssl", "s_client", "-brief", "-verify_return_error",
                                "-connect", "127.0.0.1:" + std::to_string(port),
                                "-CAfile", cert.string()};
  argv.insert(argv.end(), checks.begin(), checks.end());
  Process client(argv, dir.path());  // stdin is /dev/null: it hangs up after the handshake
  const std::optional<ExitStatus> status = client.wait(10s);
  return status && status->exited_normally();
}

TEST(NginxServer, ServesHttpsWithASelfSignedCertificate) {
  NginxServer nginx({.tls = true});
  EXPECT_EQ(nginx.url(), "https://127.0.0.1:" + std::to_string(nginx.port()));
  ASSERT_TRUE(std::filesystem::is_regular_file(nginx.cert_path()));

  // The certificate names localhost and 127.0.0.1, and nothing else.
  EXPECT_TRUE(openssl_verifies(nginx.port(), nginx.cert_path(),
                               {"-servername", "localhost", "-verify_hostname", "localhost"}));
  EXPECT_TRUE(openssl_verifies(nginx.port(), nginx.cert_path(), {"-verify_ip", "127.0.0.1"}));
  EXPECT_FALSE(openssl_verifies(nginx.port(), nginx.cert_path(),
                                {"-servername", "example.com", "-verify_hostname", "example.com"}));

  // Plain HTTP on the TLS port: nginx's own 400, so the port really is TLS.
  std::optional<RawHttpResponse> plain = http_get(nginx.port(), "/");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 400);
}

TEST(NginxServer, PlainHttpHasNoCertificate) {
  NginxServer nginx;
  EXPECT_TRUE(nginx.cert_path().empty());
}

// ---- demo target -----------------------------------------------------------

TEST(DemoTarget, ServesTheShop) {
  DemoTarget target;
  EXPECT_EQ(http_get(target.port(), "/health")->body, "ok");
  EXPECT_EQ(http_get(target.port(), "/")->status, 200);
  EXPECT_EQ(http_get(target.port(), "/items/1000")->status, 200);
  EXPECT_EQ(http_get(target.port(), "/items/1001")->status, 404);
  std::optional<RawHttpResponse> redirect = http_get(target.port(), "/redirect");
  EXPECT_EQ(redirect->status, 302);
  EXPECT_EQ(redirect->header("location"), "/");

  // Log in, then fill the cart on the same keep-alive connection.
  LoopbackClient client(target.port());
  client.send("POST /cart HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"item\":7}");
  EXPECT_EQ(client.read_http_response()->status, 401);
  client.send("POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\nusername=alice");
  std::optional<RawHttpResponse> login = client.read_http_response();
  ASSERT_TRUE(login);
  const std::string cookie = login->header("set-cookie");
  ASSERT_TRUE(cookie.starts_with("session="));
  const std::string session = cookie.substr(0, cookie.find(';'));
  client.send("POST /cart HTTP/1.1\r\nHost: x\r\nCookie: " + session +
              "\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"item\":7}");
  EXPECT_EQ(client.read_http_response()->status, 200);
  client.send("GET /cart HTTP/1.1\r\nHost: x\r\nCookie: " + session + "\r\n\r\n");
  std::optional<RawHttpResponse> cart = client.read_http_response();
  ASSERT_TRUE(cart);
  EXPECT_EQ(cart->body, R"({"count":1,"items":[{"item":7,"quantity":1}],"user":"alice"})");
}

TEST(DemoTarget, SlowRequestsDoNotBlockItsOneThread) {
  DemoTarget target;
  std::vector<std::unique_ptr<LoopbackClient>> clients;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<LoopbackClient>(target.port()));
    clients.back()->send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  for (auto &client : clients) EXPECT_EQ(client->read_http_response()->status, 200);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 1000ms);  // 8 x 100..300 ms in sequence would be >= 800 ms
}

TEST(DemoTarget, FlakyFailsAboutOneInTen) {
  DemoTargetOptions options;
  options.threads = 2;
  options.seed = 7;
  DemoTarget target(options);
  LoopbackClient client(target.port());
  int failures = 0;
  for (int i = 0; i < 200; ++i) {
    client.send("GET /flaky HTTP/1.1\r\nHost: x\r\n\r\n");
    failures += client.read_http_response()->status == 500;
  }
  EXPECT_GT(failures, 5);
  EXPECT_LT(failures, 45);
}

TEST(DemoTarget, EchoesLines) {
  DemoTarget target;
  EXPECT_EQ(target.echo_url(), "lineecho://127.0.0.1:" + std::to_string(target.echo_port()));
  LoopbackClient client(target.echo_port());
  client.send("first line\nsecond");
  EXPECT_EQ(client.read_line(), "first line\n");
  client.send(" line\n");
  EXPECT_EQ(client.read_line(), "second line\n");
}

// ---- BadServer -------------------------------------------------------------

TEST(BadServer, GarbageAnswersNonHttpAndCloses) {
  BadServer server(BadServer::Mode::Garbage);
  LoopbackClient client(server.port());
  client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_until_closed(), BadServer::kGarbage);
  EXPECT_EQ(server.connections(), 1u);
}

TEST(BadServer, SilentNeverAnswersAndStopsPromptly) {
  auto server = std::make_unique<BadServer>(BadServer::Mode::Silent);
  LoopbackClient client(server->port());
  client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(client.read_until_closed(300ms));  // still open, nothing said
  const auto start = std::chrono::steady_clock::now();
  server.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(client.read_until_closed(1s), "");  // closed when the server stopped
}

TEST(BadServer, CloseImmediatelyHangsUp) {
  BadServer server(BadServer::Mode::CloseImmediately);
  LoopbackClient client(server.port());
  EXPECT_EQ(client.read_until_closed(), "");
  EXPECT_EQ(server.connections(), 1u);
}

}  // namespace
}  // namespace loadhost::test
