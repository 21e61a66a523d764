#include "support/mosquitto_server.hpp"

#include "support/free_port.hpp"
#include "support/loopback_client.hpp"
#include "support/self_signed_certificate.hpp"

#include <fstream>
#include <stdexcept>
#include <thread>

namespace loadhost::test {
namespace {

// Attempts when the free port was taken before mosquitto could bind it.
constexpr int kStartAttempts = 3;

}  // namespace

MosquittoServer::MosquittoServer(MosquittoOptions options) : options_(std::move(options)) {
  if (options_.tls) {
    CertificateFiles files = make_self_signed_certificate(dir_.path(), "MosquittoServer");
    cert_path_ = files.cert;
    key_path_ = files.key;
  }
  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = free_port();
    write_config();
    try {
      start_on_port();
      return;
    } catch (const std::runtime_error &e) {
      failure = e.what();
      if (failure.find("in use") == std::string::npos) break;
    }
  }
  throw std::runtime_error(failure);
}

MosquittoServer::~MosquittoServer() { stop(); }

void MosquittoServer::write_config() {
  std::ofstream conf(dir_.path() / "mosquitto.conf", std::ios::trunc);
  conf << "listener " << port_ << " 127.0.0.1\n"
       << "allow_anonymous true\n"
       << "persistence false\n"
       << "log_dest stderr\n"
       << "log_type error\nlog_type warning\nlog_type notice\n";
  if (options_.max_connections > 0) conf << "max_connections " << options_.max_connections << "\n";
  // As root mosquitto would switch to the user `mosquitto`, who cannot read
  // the key in our 0700 temp dir.
  if (options_.tls) conf << "certfile " << cert_path_.string() << "\nkeyfile " << key_path_.string() << "\nuser root\n";
  if (!conf.flush()) throw std::runtime_error("MosquittoServer: cannot write " + (dir_.path() / "mosquitto.conf").string());
}

void MosquittoServer::start_on_port() {
  process_ = std::make_unique<Process>(
      std::vector<std::string>{options_.executable.string(), "-c", (dir_.path() / "mosquitto.conf").string()},
      dir_.path());
  // Up once the port accepts; a bind failure makes mosquitto exit instead.
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (process_->running() && std::chrono::steady_clock::now() < deadline) {
    if (accepts_connections(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  process_->stop();
  throw std::runtime_error("MosquittoServer: mosquitto did not start on 127.0.0.1:" + std::to_string(port_) +
                           ":\n" + process_->stdout_text() + process_->stderr_text());
}

std::string MosquittoServer::url() const {
  return (cert_path_.empty() ? "mqtt://127.0.0.1:" : "mqtts://127.0.0.1:") + std::to_string(port_);
}

std::string MosquittoServer::log() const { return process_ ? process_->stderr_text() : std::string(); }

void MosquittoServer::stop() {
  if (process_) process_->stop();
}

void MosquittoServer::restart() {
  stop();
  start_on_port();
}

}  // namespace loadhost::test
