// A real mosquitto (MQTT broker) for tests, in a private temp dir, on
// 127.0.0.1:<free port>: anonymous clients allowed, no persistence; with
// tls, MQTT over TLS with a fresh self-signed certificate for localhost and
// 127.0.0.1. It writes its own mosquitto.conf; stop() and restart() (same
// port) let a test take the broker away mid-run.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace loadhost::test {

struct MosquittoOptions {
  std::filesystem::path executable = "/usr/sbin/mosquitto";
  std::uint32_t max_connections = 0;  // 0: mosquitto's default (unlimited)
  bool tls = false;
  std::chrono::milliseconds start_timeout{10'000};
};

class MosquittoServer {
 public:
  // Starts mosquitto and returns once its port accepts connections. Throws
  // std::runtime_error (with its output) when it does not come up.
  explicit MosquittoServer(MosquittoOptions options = {});
  // stop()
  ~MosquittoServer();
  MosquittoServer(const MosquittoServer &) = delete;
  MosquittoServer &operator=(const MosquittoServer &) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "mqtt://127.0.0.1:PORT" ("mqtts://" with tls)
  // The certificate with tls (PEM, its own CA), else empty.
  const std::filesystem::path &cert_path() const { return cert_path_; }
  const std::filesystem::path &dir() const { return dir_.path(); }
  // What mosquitto logged (it logs to stderr).
  std::string log() const;

  // Kills mosquitto (SIGTERM), cutting every connection. Idempotent.
  void stop();
  // Starts it again on the same port, after stop().
  void restart();

 private:
  void write_config();
  void start_on_port();  // one attempt on port_; throws with mosquitto's output

  MosquittoOptions options_;
  TempDir dir_{"loadhost-mosquitto"};
  std::uint16_t port_ = 0;
  std::filesystem::path cert_path_, key_path_;
  std::unique_ptr<Process> process_;
};

}  // namespace loadhost::test
