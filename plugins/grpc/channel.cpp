#include "channel.hpp"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/support/channel_arguments.h>

#include <fstream>
#include <sstream>

namespace loadhost::grpc_plugin {

namespace {

std::shared_ptr<grpc::ChannelCredentials> credentials(const Settings& s, std::string& error) {
  if (!s.tls) return grpc::InsecureChannelCredentials();
  if (!s.tls_verify) {
    grpc::experimental::TlsChannelCredentialsOptions options;
    options.set_verify_server_certs(false);
    options.set_check_call_host(false);
    options.set_certificate_verifier(std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    return grpc::experimental::TlsCredentials(options);
  }
  grpc::SslCredentialsOptions options;
  if (!s.root_certs_file.empty()) {
    std::ifstream in(s.root_certs_file, std::ios::binary);
    std::ostringstream pem;
    if (!(in && pem << in.rdbuf())) {
      error = "cannot read the root certificates '" + s.root_certs_file + "'";
      return nullptr;
    }
    options.pem_root_certs = pem.str();
  }
  return grpc::SslCredentials(options);
}

}  // namespace

std::shared_ptr<grpc::Channel> make_channel(const Settings& settings, std::string& error) {
  std::shared_ptr<grpc::ChannelCredentials> creds = credentials(settings, error);
  if (!creds) return nullptr;
  grpc::ChannelArguments args;
  // A subchannel pool of its own: otherwise gRPC would give every channel to
  // the same address one shared connection.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // A load test sees the server come back within seconds, not gRPC's 120 s.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetMaxReceiveMessageSize(-1);
  // No transparent retries: a load test counts what happened (and the retry
  // machinery costs every call a little).
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetString(GRPC_ARG_PRIMARY_USER_AGENT_STRING, "loadhost");
  if (settings.tls && !settings.tls_server_name.empty()) args.SetSslTargetNameOverride(settings.tls_server_name);
  return grpc::CreateCustomChannel(settings.target, creds, args);
}

std::string channel_key(const Settings& s) {
  return s.target + '\n' + (s.tls ? "tls" : "plain") + '\n' + (s.tls_verify ? "verify" : "insecure") + '\n' +
         s.root_certs_file + '\n' + s.tls_server_name;
}

}  // namespace loadhost::grpc_plugin
