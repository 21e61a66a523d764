// loadhost over HTTPS against nginx with a self-signed certificate: with
// --insecure every request is served; without it every request fails with a
// one-line reason; and when the certificate is trusted, verification and the
// host-name check really run.
#include <gtest/gtest.h>

#include <thread>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 20s;  // no run here may come near it: a hang fails fast

std::string https_url(const char *host, const NginxServer &nginx) {
  return "https://" + std::string(host) + ":" + std::to_string(nginx.port()) + "/";
}

// A clean run: every request succeeded, and nginx logged each one, no more.
void expect_all_served(const LoadhostRun &run, const NginxServer &nginx) {
  ASSERT_EQ(run.status.code, 0) << run.err;
  const uint64_t requests = run.total_requests();
  ASSERT_GT(requests, 100u) << run.out;
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  ASSERT_TRUE(nginx.wait_for_access_log_lines(requests));
  std::this_thread::sleep_for(300ms);  // nothing more arrives late
  EXPECT_EQ(nginx.access_log_lines(), requests);
}

// A run where every request failed with one error containing `reason`.
void expect_all_failed(const LoadhostRun &run, const std::string &reason) {
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_LT(run.seconds, 10) << "failed handshakes must not hang the run";
  ASSERT_GT(run.total_requests(), 5u) << "users keep going after a failed handshake";
  EXPECT_EQ(run.total_failures(), run.total_requests());
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  const std::string error = run.report["failures"][0]["error"].get<std::string>();
  EXPECT_NE(error.find(reason), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;
}

TEST(Tls, InsecureQuickModeCountEqualsNginxAccessLog) {
  NginxServer nginx({.tls = true});
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "10", "-t", "2s", "--insecure", nginx.url() + "/"}, kLimit);
  expect_all_served(run, nginx);
}

TEST(Tls, InsecureByHostNameSendsSni) {
  NginxServer nginx({.tls = true});
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "4", "-t", "1s", "--insecure", https_url("localhost", nginx)}, kLimit);
  expect_all_served(run, nginx);
}

TEST(Tls, UntrustedCertificateFailsEveryRequest) {
  NginxServer nginx({.tls = true});
  TempDir dir;
  ScopedEnv no_extra_trust("SSL_CERT_FILE", std::nullopt);
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", nginx.url() + "/"}, kLimit);
  const std::string expected = "connect: TLS handshake with 127.0.0.1:" + std::to_string(nginx.port()) +
                               ": TLS: certificate verify failed (self-signed certificate)";
  expect_all_failed(run, expected);
  EXPECT_NE(run.err.find("every request failed; most often: " + expected), std::string::npos) << run.err;
  EXPECT_EQ(nginx.access_log_lines(), 0u) << "no request may be sent over an unverified connection";
}

TEST(Tls, TrustedCertificateIsVerifiedWithItsNames) {
  NginxServer nginx({.tls = true});
  TempDir dir;
  // OpenSSL's default verify paths (which loadhost uses) honour SSL_CERT_FILE.
  ScopedEnv trust("SSL_CERT_FILE", nginx.cert_path().string());

  // The names in the certificate: DNS localhost, and IP 127.0.0.1.
  expect_all_served(run_loadhost(dir, {"-u", "2", "-t", "1s", https_url("localhost", nginx)}, kLimit), nginx);
  const uint64_t served = nginx.access_log_lines();
  LoadhostRun by_ip = run_loadhost(dir, {"-u", "2", "-t", "1s", nginx.url() + "/"}, kLimit);
  ASSERT_EQ(by_ip.status.code, 0) << by_ip.err;
  EXPECT_EQ(by_ip.total_failures(), 0u) << by_ip.failure_errors();
  ASSERT_TRUE(nginx.wait_for_access_log_lines(served + by_ip.total_requests()));

  // "127.1" resolves to 127.0.0.1 (inet_aton) but is a name, not in the
  // certificate: the same trusted certificate must now be refused.
  LoadhostRun wrong_name = run_loadhost(dir, {"-u", "2", "-t", "1s", https_url("127.1", nginx)}, kLimit);
  expect_all_failed(wrong_name, "certificate verify failed (hostname mismatch)");
}

}  // namespace
}  // namespace loadhost::test
