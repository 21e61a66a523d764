// A test server executable of this build that takes `--port 0` (and, for
// TLS, `--tls-cert FILE --tls-key FILE`), binds 127.0.0.1 on a port the
// kernel picks, so no port race, and prints "listening on 127.0.0.1:PORT".
// The gRPC test server and the WebSocket echo server are such servers; their
// fixtures add the URL scheme and their own flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace loadhost::test {

struct PortPrintingServerOptions {
  std::string who;                       // the fixture's name, for errors
  std::filesystem::path executable;
  std::vector<std::string> extra_args;   // after --port 0
  bool tls = false;                      // a fresh self-signed certificate
  std::chrono::milliseconds start_timeout{10'000};
};

class PortPrintingServer {
 public:
  // Starts the server and waits for its "listening on" line. Throws
  // std::runtime_error (with the server's output) when it does not come up.
  explicit PortPrintingServer(PortPrintingServerOptions options);
  ~PortPrintingServer();  // stop()
  PortPrintingServer(const PortPrintingServer &) = delete;
  PortPrintingServer &operator=(const PortPrintingServer &) = delete;

  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_; }
  // "<scheme or secure_scheme>://127.0.0.1:PORT".
  std::string url(const std::string &scheme, const std::string &secure_scheme) const;
  // The certificate with tls (PEM, its own CA), else empty.
  const std::filesystem::path &cert_path() const { return cert_path_; }
  Process &process() { return *process_; }

  // SIGTERM, then SIGKILL. Idempotent.
  void stop();

 private:
  TempDir dir_{"loadhost-test-server"};
  bool tls_ = false;
  std::filesystem::path cert_path_;
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

}  // namespace loadhost::test
