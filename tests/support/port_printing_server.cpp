#include "support/port_printing_server.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include "support/self_signed_certificate.hpp"

namespace loadhost::test {

PortPrintingServer::PortPrintingServer(PortPrintingServerOptions options) : tls_(options.tls) {
  std::vector<std::string> argv{options.executable.string(), "--port", "0"};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  if (options.tls) {
    CertificateFiles files = make_self_signed_certificate(dir_.path(), options.who);
    cert_path_ = files.cert;
    argv.insert(argv.end(), {"--tls-cert", files.cert.string(), "--tls-key", files.key.string()});
  }
  process_ = std::make_unique<Process>(argv, dir_.path());
  std::optional<std::string> line = process_->wait_for_line("listening on ", options.start_timeout);
  if (line) {
    const std::size_t colon = line->rfind(':');
    if (colon != std::string::npos) std::from_chars(line->data() + colon + 1, line->data() + line->size(), port_);
  }
  if (port_ == 0) {
    process_->stop();
    throw std::runtime_error(options.who + ": " + options.executable.string() + " did not start:\n" +
                             process_->stdout_text() + process_->stderr_text());
  }
}

PortPrintingServer::~PortPrintingServer() { stop(); }

std::string PortPrintingServer::url(const std::string &scheme, const std::string &secure_scheme) const {
  return (tls_ ? secure_scheme : scheme) + "://127.0.0.1:" + std::to_string(port_);
}

void PortPrintingServer::stop() {
  if (process_) process_->stop();
}

}  // namespace loadhost::test
