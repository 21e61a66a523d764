// A real nginx for tests, in a private temp dir: its own nginx.conf, pid file,
// logs and temp paths, listening on 127.0.0.1:<free port> — over HTTPS (HTTP/1.1
// only) with `tls`, using a fresh self-signed certificate. What it serves:
//
//   /             200 "hello\n" (text/plain) — and every path not below
//   /index.html   200, a small static HTML file (kIndexHtml)
//   /notfound     404
//   /unavailable  503
//
// One access-log line per request (format: `$remote_addr "$request" $status
// $body_bytes_sent`), written unbuffered; keepalive_requests 1000000.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace loadhost::test {

struct NginxOptions {
  int worker_processes = 1;
  std::filesystem::path executable = "/usr/sbin/nginx";
  std::chrono::milliseconds start_timeout{10'000};
  // HTTPS with a self-signed certificate for localhost and 127.0.0.1, made
  // by the `openssl` CLI (found in PATH) in the temp dir.
  bool tls = false;
  // HTTP/2 instead of HTTP/1.1: h2c with prior knowledge on the plain port
  // (nginx 1.22 then answers no HTTP/1.1 there), h2 via ALPN with tls.
  bool http2 = false;
  // Directives appended inside the server block: a test's own locations.
  std::string extra_server_config = {};
};

class NginxServer {
 public:
  static constexpr std::string_view kHelloBody = "hello\n";
  static constexpr std::string_view kIndexHtml =
      "<!doctype html><html><body><h1>loadhost test page</h1></body></html>\n";

  // Starts nginx and returns once its port accepts connections. Throws
  // std::runtime_error (with nginx's error log) when it does not come up.
  explicit NginxServer(NginxOptions options = {});
  // stop()
  ~NginxServer();
  NginxServer(const NginxServer &) = delete;
  NginxServer &operator=(const NginxServer &) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT", or "https://..." with tls
  const std::filesystem::path &dir() const { return dir_.path(); }
  // The server's certificate (PEM; it is its own CA), or "" without tls.
  const std::filesystem::path &cert_path() const { return cert_path_; }

  // Requests logged so far. nginx writes a line when a request finishes,
  // which may be just after the client got the response: to count requests
  // a test has made, use wait_for_access_log_lines.
  std::size_t access_log_lines() const;
  // Waits until at least `count` lines are logged; false on timeout.
  bool wait_for_access_log_lines(std::size_t count,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  // Stops nginx (SIGTERM, then SIGKILL). Idempotent.
  void stop();

 private:
  void write_config(const NginxOptions &options) const;

  TempDir dir_{"loadhost-nginx"};
  std::filesystem::path cert_path_;
  std::filesystem::path key_path_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
};

}  // namespace loadhost::test
