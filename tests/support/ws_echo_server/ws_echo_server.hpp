// The WebSocket echo server (loadhost-ws-echo-server, server.cpp in this
// folder) started for a test on a port it picks itself, so no port race;
// over TLS with a fresh self-signed certificate for localhost and 127.0.0.1
// when asked. Paths: /echo, /close (drops the connection after the first
// message), /push?n=N (sends N messages on open); any other is a 404.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "support/port_printing_server.hpp"

namespace loadhost::test {

struct WsEchoServerOptions {
  bool tls = false;
  std::chrono::milliseconds start_timeout{10'000};
};

class WsEchoServer : public PortPrintingServer {
 public:
  // Starts the server and waits for its "listening on" line. Throws
  // std::runtime_error (with its output) when it does not come up.
  explicit WsEchoServer(WsEchoServerOptions options = {})
      : PortPrintingServer({"WsEchoServer", executable(), {}, options.tls, options.start_timeout}) {}

  // "ws://127.0.0.1:PORT" ("wss://" with tls), no trailing '/'.
  std::string url() const { return PortPrintingServer::url("ws", "wss"); }

  static std::filesystem::path executable() { return LH_WS_ECHO_SERVER; }
};

}  // namespace loadhost::test
