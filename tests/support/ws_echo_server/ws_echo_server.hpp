// The WebSocket echo server (loadhost-ws-echo-server, server.cpp in this
// folder) started for a test on a port it picks itself, so no port race;
// over TLS with a fresh self-signed certificate for localhost and 127.0.0.1
// when asked. Paths: /echo, /close (drops the connection after the first
// message), /push?n=N (sends N messages on open); any other is a 404.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace loadhost::test {

struct WsEchoServerOptions {
  bool tls = false;
  std::chrono::milliseconds start_timeout{10'000};
};

class WsEchoServer {
 public:
  // Starts the server and waits for its "listening on" line. Throws
  // std::runtime_error (with its output) when it does not come up.
  explicit WsEchoServer(WsEchoServerOptions options = {});
  ~WsEchoServer();  // stop()
  WsEchoServer(const WsEchoServer &) = delete;
  WsEchoServer &operator=(const WsEchoServer &) = delete;

  std::uint16_t port() const { return port_; }
  // "ws://127.0.0.1:PORT" ("wss://" with tls), no trailing '/'.
  std::string url() const;
  Process &process() { return *process_; }

  // SIGTERM, then SIGKILL. Idempotent.
  void stop();

  static std::filesystem::path executable();

 private:
  void make_certificate();

  TempDir dir_{"loadhost-ws-server"};
  bool tls_ = false;
  std::filesystem::path cert_path_;
  std::filesystem::path key_path_;
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace loadhost::test
