// A fresh self-signed certificate for the TLS test servers: CN localhost,
// subjectAltName localhost and 127.0.0.1, valid two days, made by the
// openssl command. An EC (P-256) key: made in milliseconds, unlike RSA.
#pragma once

#include <filesystem>
#include <string>

namespace loadhost::test {

struct CertificateFiles {
  std::filesystem::path cert;  // PEM; also its own CA, for clients to trust
  std::filesystem::path key;   // PEM, unencrypted
};

// Writes cert.pem and key.pem into `dir`. Throws std::runtime_error naming
// `who` (the fixture) with openssl's stderr when openssl fails.
CertificateFiles make_self_signed_certificate(const std::filesystem::path &dir, const std::string &who);

}  // namespace loadhost::test
