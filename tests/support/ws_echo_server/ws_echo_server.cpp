#include "support/ws_echo_server/ws_echo_server.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

namespace loadhost::test {

std::filesystem::path WsEchoServer::executable() { return LH_WS_ECHO_SERVER; }

WsEchoServer::WsEchoServer(WsEchoServerOptions options) : tls_(options.tls) {
  std::vector<std::string> argv{executable().string(), "--port", "0"};
  if (options.tls) {
    make_certificate();
    argv.insert(argv.end(), {"--tls-cert", cert_path_.string(), "--tls-key", key_path_.string()});
  }
  process_ = std::make_unique<Process>(argv, dir_.path());
  std::optional<std::string> line = process_->wait_for_line("listening on ", options.start_timeout);
  if (line) {
    const std::size_t colon = line->rfind(':');
    if (colon != std::string::npos) std::from_chars(line->data() + colon + 1, line->data() + line->size(), port_);
  }
  if (port_ == 0) {
    process_->stop();
    throw std::runtime_error("WsEchoServer: " + executable().string() + " did not start:\n" +
                             process_->stdout_text() + process_->stderr_text());
  }
}

WsEchoServer::~WsEchoServer() { stop(); }

std::string WsEchoServer::url() const {
  return std::string(tls_ ? "wss" : "ws") + "://127.0.0.1:" + std::to_string(port_);
}

void WsEchoServer::stop() {
  if (process_) process_->stop();
}

void WsEchoServer::make_certificate() {
  cert_path_ = dir_.path() / "cert.pem";
  key_path_ = dir_.path() / "key.pem";
  Process openssl({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                   "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                   key_path_.string(), "-out", cert_path_.string()},
                  dir_.path());
  const std::optional<ExitStatus> status = openssl.wait(std::chrono::seconds(30));
  if (!status || !status->exited_normally())
    throw std::runtime_error("WsEchoServer: openssl could not make a certificate:\n" + openssl.stderr_text());
}

}  // namespace loadhost::test
