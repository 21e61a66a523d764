#include "support/self_signed_certificate.hpp"

#include <chrono>
#include <optional>
#include <stdexcept>

#include "support/process.hpp"

namespace loadhost::test {

CertificateFiles make_self_signed_certificate(const std::filesystem::path &dir, const std::string &who) {
  CertificateFiles files{dir / "cert.pem", dir / "key.pem"};
  Process openssl({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                   "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                   "-keyout", files.key.string(), "-out", files.cert.string()},
                  dir);
  const std::optional<ExitStatus> status = openssl.wait(std::chrono::seconds(30));
  if (!status || !status->exited_normally())
    throw std::runtime_error(who + ": openssl could not make a self-signed certificate:\n" + openssl.stderr_text());
  return files;
}

}  // namespace loadhost::test
