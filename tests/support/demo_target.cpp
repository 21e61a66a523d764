#include "support/demo_target.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace loadhost::test {
namespace {

// The port at the end of "…listening on 127.0.0.1:PORT".
std::uint16_t port_of(const std::optional<std::string> &line) {
  std::uint16_t port = 0;
  if (!line) return 0;
  const std::size_t colon = line->rfind(':');
  if (colon == std::string::npos) return 0;
  std::from_chars(line->data() + colon + 1, line->data() + line->size(), port);
  return port;
}

}  // namespace

std::filesystem::path DemoTarget::built_executable() {
#ifdef LH_DEMO_TARGET_PATH
  return LH_DEMO_TARGET_PATH;
#else
  return {};
#endif
}

DemoTarget::DemoTarget(DemoTargetOptions options) {
  const std::filesystem::path executable =
      options.executable.empty() ? built_executable() : options.executable;
  if (executable.empty()) {
    throw std::runtime_error("DemoTarget: no loadhost-demo-target in this build; pass its path");
  }
  process_ = std::make_unique<Process>(
      std::vector<std::string>{executable.string(), "--port", "0", "--echo-port", "0", "--threads",
                               std::to_string(options.threads), "--seed",
                               std::to_string(options.seed)},
      dir_.path());
  // The server prints the HTTP line first, then the echo line.
  port_ = port_of(process_->wait_for_line("listening on ", options.start_timeout));
  echo_port_ = port_of(process_->wait_for_line("echo listening on ", options.start_timeout));
  if (port_ == 0 || echo_port_ == 0) {
    process_->stop();
    throw std::runtime_error("DemoTarget: " + executable.string() + " did not start:\n" +
                             process_->stdout_text() + process_->stderr_text());
  }
}

DemoTarget::~DemoTarget() { stop(); }

std::string DemoTarget::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string DemoTarget::echo_url() const {
  return "lineecho://127.0.0.1:" + std::to_string(echo_port_);
}

void DemoTarget::stop() {
  if (process_) process_->stop();
}

}  // namespace loadhost::test
