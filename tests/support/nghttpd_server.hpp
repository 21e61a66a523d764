// A real nghttpd (nghttp2's HTTP/2 server) for tests, in a private temp dir,
// on 127.0.0.1:<free port>: h2c with prior knowledge (--no-tls), or h2 over
// TLS (ALPN) with a fresh self-signed certificate made by the `openssl` CLI.
// Its document root:
//
//   /index.html   200, a small HTML file (kIndexHtml)
//   /hello.txt    200 "hello\n"
//   /big.bin      200, big_body(): 2 MiB + 1 bytes, a position-dependent pattern
//   anything else 404
//
// With echo_upload (the default), a POST or PUT to an existing file answers
// with the request body (--echo-upload): uploads can be checked byte for
// byte. With verbose (the default), nghttpd logs every frame (-v) and
// request_count() / connection_count() read that log.
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

struct NghttpdOptions {
  bool tls = false;
  bool verbose = true;
  bool echo_upload = true;
  std::uint32_t max_concurrent_streams = 100;
  std::filesystem::path executable = "/usr/sbin/nghttpd";
  std::chrono::milliseconds start_timeout{10'000};
};

class NghttpdServer {
 public:
  static constexpr std::string_view kHelloBody = "hello\n";
  static constexpr std::string_view kIndexHtml =
      "<!doctype html><html><body><h1>loadhost h2 test page</h1></body></html>\n";
  static constexpr std::size_t kBigSize = 2 * 1024 * 1024 + 1;

  // Starts nghttpd and returns once its port accepts connections. Throws
  // std::runtime_error (with its output) when it does not come up.
  explicit NghttpdServer(NghttpdOptions options = {});
  // stop()
  ~NghttpdServer();
  NghttpdServer(const NghttpdServer &) = delete;
  NghttpdServer &operator=(const NghttpdServer &) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT", or "https://..." with tls
  const std::filesystem::path &dir() const { return dir_.path(); }

  // The contents of /big.bin.
  static std::string big_body();

  // Request HEADERS received so far, and distinct connections that sent
  // one, from the frame log (verbose only; the log lags a little behind).
  std::size_t request_count() const;
  std::size_t connection_count() const;

  // Kills nghttpd (SIGTERM: it exits at once, cutting every connection).
  // Idempotent.
  void stop();
  // Starts it again on the same port, after stop().
  void restart();

 private:
  struct LogCounts {
    std::size_t requests = 0;
    std::size_t connections = 0;
  };
  void start_on_port();  // one attempt on port_; throws with nghttpd's output
  LogCounts count_log() const;

  NghttpdOptions options_;
  TempDir dir_{"loadhost-nghttpd"};
  std::uint16_t port_ = 0;
  std::unique_ptr<Process> process_;
  LogCounts before_restart_;  // of the runs before restart()
};

}  // namespace loadhost::test
