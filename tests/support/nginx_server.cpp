#include "support/nginx_server.hpp"

#include "support/free_port.hpp"
#include "support/loopback_client.hpp"
#include "support/self_signed_certificate.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <thread>

namespace loadhost::test {
namespace {

// Attempts when the free port was taken before nginx could bind it.
constexpr int kStartAttempts = 3;
// A 2048-bit RSA key takes well under a second; this only bounds a stuck CLI.

void write_file(const std::filesystem::path &path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("NginxServer: cannot write " + path.string());
}

std::string read_file(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

NginxServer::NginxServer(NginxOptions options) {
  const std::filesystem::path &d = dir_.path();
  std::filesystem::create_directories(d / "html");
  std::filesystem::create_directories(d / "temp");
  write_file(d / "html" / "index.html", kIndexHtml);
  if (options.tls) {
    CertificateFiles files = make_self_signed_certificate(dir_.path(), "NginxServer");
    cert_path_ = files.cert;
    key_path_ = files.key;
  }

  std::string failure;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = free_port();
    write_config(options);
    process_ = std::make_unique<Process>(
        std::vector<std::string>{options.executable.string(), "-p", d.string(), "-c",
                                 (d / "nginx.conf").string(), "-e", (d / "error.log").string()},
        d);
    // Up once the port accepts; a bind failure makes nginx exit instead.
    const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
    while (process_->running() && std::chrono::steady_clock::now() < deadline) {
      if (accepts_connections(port_)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    process_->stop();
    failure = read_file(d / "error.log") + process_->stderr_text();
    if (failure.find("Address already in use") == std::string::npos) break;
  }
  throw std::runtime_error("NginxServer: nginx did not start on 127.0.0.1:" +
                           std::to_string(port_) + ":\n" + failure);
}

NginxServer::~NginxServer() { stop(); }

void NginxServer::write_config(const NginxOptions &options) const {
  const std::string d = dir_.path().string();
  std::string conf;
  // As root nginx would switch workers to `nobody`, who cannot read our 0700 dir.
  if (::geteuid() == 0) conf += "user root;\n";
  conf += "worker_processes " + std::to_string(options.worker_processes) + ";\n";
  conf += "daemon off;\nmaster_process on;\n";
  conf += "pid " + d + "/nginx.pid;\n";
  conf += "error_log " + d + "/error.log warn;\n";
  conf += "events { worker_connections 4096; }\n";
  conf += "http {\n";
  for (const char *kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += std::string("  ") + kind + "_temp_path " + d + "/temp/" + kind + ";\n";
  }
  conf += "  log_format loadhost '$remote_addr \"$request\" $status $body_bytes_sent';\n";
  conf += "  access_log " + d + "/access.log loadhost;\n";
  conf += "  keepalive_requests 1000000;\n";
  conf += "  keepalive_timeout 75s;\n";
  conf += "  server {\n";
  // `ssl` alone speaks HTTP/1.1 only, like the plain port; `http2` switches either to h2.
  conf += "    listen 127.0.0.1:" + std::to_string(port_) + (options.tls ? " ssl" : "") +
          (options.http2 ? " http2" : "") + ";\n";
  if (options.tls) {
    conf += "    ssl_certificate " + cert_path_.string() + ";\n";
    conf += "    ssl_certificate_key " + key_path_.string() + ";\n";
  }
  conf += "    root " + d + "/html;\n";
  conf += "    location / { default_type text/plain; return 200 \"hello\\n\"; }\n";
  conf += "    location = /index.html { }\n";
  conf += "    location = /notfound { return 404; }\n";
  conf += "    location = /unavailable { return 503; }\n";
  conf += options.extra_server_config;
  conf += "  }\n}\n";
  write_file(dir_.path() / "nginx.conf", conf);
}

std::string NginxServer::url() const {
  return (cert_path_.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port_);
}

std::size_t NginxServer::access_log_lines() const {
  const std::string log = read_file(dir_.path() / "access.log");
  return static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n'));
}

bool NginxServer::wait_for_access_log_lines(std::size_t count,
                                            std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (access_log_lines() < count) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void NginxServer::stop() {
  if (process_) process_->stop();
}

}  // namespace loadhost::test
