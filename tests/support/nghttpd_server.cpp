#include "support/nghttpd_server.hpp"

#include "support/free_port.hpp"
#include "support/loopback_client.hpp"
#include "support/self_signed_certificate.hpp"

#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace loadhost::test {
namespace {

// Attempts when the free port was taken before nghttpd could bind it.
constexpr int kStartAttempts = 3;

void write_file(const std::filesystem::path &path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("NghttpdServer: cannot write " + path.string());
}

}  // namespace

std::string NghttpdServer::big_body() {
  std::string body(kBigSize, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = char('a' + (i * 7 + i / 4096) % 26);
  return body;
}

NghttpdServer::NghttpdServer(NghttpdOptions options) : options_(std::move(options)) {
  const std::filesystem::path root = dir_.path() / "htdocs";
  std::filesystem::create_directories(root);
  write_file(root / "index.html", kIndexHtml);
  write_file(root / "hello.txt", kHelloBody);
  write_file(root / "big.bin", big_body());
  if (options_.tls) make_self_signed_certificate(dir_.path(), "NghttpdServer");  // cert.pem, key.pem

  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = free_port();
    try {
      start_on_port();
      return;
    } catch (const std::runtime_error &e) {
      failure = e.what();
      if (failure.find("Address already in use") == std::string::npos) break;
    }
  }
  throw std::runtime_error(failure);
}

NghttpdServer::~NghttpdServer() { stop(); }

void NghttpdServer::start_on_port() {
  std::vector<std::string> argv{options_.executable.string(), "-a", "127.0.0.1", "-d",
                                (dir_.path() / "htdocs").string(), "-m",
                                std::to_string(options_.max_concurrent_streams)};
  if (options_.verbose) argv.push_back("-v");
  if (options_.echo_upload) argv.push_back("--echo-upload");
  if (!options_.tls) argv.push_back("--no-tls");
  argv.push_back(std::to_string(port_));
  if (options_.tls) {
    argv.push_back((dir_.path() / "key.pem").string());
    argv.push_back((dir_.path() / "cert.pem").string());
  }
  process_ = std::make_unique<Process>(argv, dir_.path());
  // Up once the port accepts; a bind failure makes nghttpd exit instead.
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (process_->running() && std::chrono::steady_clock::now() < deadline) {
    if (accepts_connections(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  process_->stop();
  throw std::runtime_error("NghttpdServer: nghttpd did not start on 127.0.0.1:" + std::to_string(port_) +
                           ":\n" + process_->stdout_text() + process_->stderr_text());
}

std::string NghttpdServer::url() const {
  return (options_.tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
}

NghttpdServer::LogCounts NghttpdServer::count_log() const {
  LogCounts counts = before_restart_;
  if (!process_) return counts;
  // "[id=N] [  0.607] recv HEADERS frame <...>": one per request (nghttpd
  // gets no trailers from loadhost); N numbers the connections of one run.
  std::istringstream log(process_->stdout_text());
  std::set<std::string> ids;
  for (std::string line; std::getline(log, line);) {
    if (!line.starts_with("[id=") || line.find("] recv HEADERS frame ") == std::string::npos) continue;
    ++counts.requests;
    ids.insert(line.substr(0, line.find(']')));
  }
  counts.connections += ids.size();
  return counts;
}

std::size_t NghttpdServer::request_count() const { return count_log().requests; }
std::size_t NghttpdServer::connection_count() const { return count_log().connections; }

void NghttpdServer::stop() {
  if (process_) process_->stop();
}

void NghttpdServer::restart() {
  stop();
  before_restart_ = count_log();  // the new process numbers connections from 1 again
  start_on_port();
}

}  // namespace loadhost::test
