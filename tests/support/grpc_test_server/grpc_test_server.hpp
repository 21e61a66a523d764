// The gRPC test server (loadhost-grpc-test-server, built from echo.proto in
// this folder) started for a test on a port it picks itself, so no port
// race; with reflection unless asked not to, and over TLS with a fresh
// self-signed certificate for localhost and 127.0.0.1 when asked.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/port_printing_server.hpp"

namespace loadhost::test {

struct GrpcTestServerOptions {
  bool reflection = true;
  bool tls = false;
  std::chrono::milliseconds start_timeout{10'000};
};

class GrpcTestServer : public PortPrintingServer {
 public:
  // Starts the server and waits for its "listening on" line. Throws
  // std::runtime_error (with its output) when it does not come up.
  explicit GrpcTestServer(GrpcTestServerOptions options = {})
      : PortPrintingServer({"GrpcTestServer", executable(),
                            options.reflection ? std::vector<std::string>{} : std::vector<std::string>{"--no-reflection"},
                            options.tls, options.start_timeout}) {}

  // "grpc://127.0.0.1:PORT" ("grpcs://" with tls).
  std::string url() const { return PortPrintingServer::url("grpc", "grpcs"); }

  // The server's .proto (package loadhost.test, service Echo) and the
  // server executable of this build.
  static std::filesystem::path proto_path() { return LH_GRPC_TEST_PROTO; }
  static std::filesystem::path executable() { return LH_GRPC_TEST_SERVER; }
};

}  // namespace loadhost::test
