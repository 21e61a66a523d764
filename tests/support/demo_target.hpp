// The bundled demo server (examples/target: loadhost-demo-target) started for
// a test: HTTP shop routes on one port, the line-echo protocol on another,
// both chosen by the server itself (port 0), so no port race.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace loadhost::test {

struct DemoTargetOptions {
  // Empty: the loadhost-demo-target built in this build tree.
  std::filesystem::path executable;
  unsigned threads = 1;
  std::uint64_t seed = 1;
  std::chrono::milliseconds start_timeout{10'000};
};

class DemoTarget {
 public:
  // Starts the server and waits for its two "listening on" lines. Throws
  // std::runtime_error (with its stderr) when it does not come up.
  explicit DemoTarget(DemoTargetOptions options = {});
  // stop()
  ~DemoTarget();
  DemoTarget(const DemoTarget &) = delete;
  DemoTarget &operator=(const DemoTarget &) = delete;

  std::uint16_t port() const { return port_; }
  std::uint16_t echo_port() const { return echo_port_; }
  std::string url() const;       // "http://127.0.0.1:PORT"
  std::string echo_url() const;  // "lineecho://127.0.0.1:ECHO_PORT"
  Process &process() { return *process_; }

  // Stops the server (SIGTERM, then SIGKILL). Idempotent.
  void stop();

  // The executable used when options.executable is empty ("" when this
  // build has no loadhost-demo-target).
  static std::filesystem::path built_executable();

 private:
  TempDir dir_{"loadhost-demo-target"};
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
  std::uint16_t echo_port_ = 0;
};

}  // namespace loadhost::test
