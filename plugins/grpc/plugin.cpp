// The grpc plugin's entry: its descriptor, its options and its process-wide
// state (the completion-queue pump thread). The C glue around it is the
// SDK's (loadhost/protocol_plugin.hpp).
#include <absl/synchronization/mutex.h>

#include <memory>
#include <string>

#include "loadhost/protocol_plugin.hpp"
#include "plugin_state.hpp"
#include "quick_user.hpp"
#include "session.hpp"

namespace {

using loadhost::grpc_plugin::PluginState;

PluginState* g_state = nullptr;

constexpr uint32_t kRepeatable = LH_OPTION_REPEATABLE;
const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "proto", nullptr, "FILE",
     "The .proto file with the service (repeatable); none: ask the server (reflection)", nullptr, kRepeatable},
    {sizeof(lh_option_spec), "import-path", nullptr, "DIR", "Where the .proto's imports are found (repeatable)",
     nullptr, kRepeatable},
    {sizeof(lh_option_spec), "call", nullptr, "METHOD", "Quick mode: the method to call, package.Service/Method",
     nullptr, 0},
    {sizeof(lh_option_spec), "data", "d", "JSON", "Quick mode: the request message as JSON", "{}", 0},
    {sizeof(lh_option_spec), "metadata", "M", "KEY:VALUE", "Quick mode: request metadata (repeatable)", nullptr,
     kRepeatable},
    {sizeof(lh_option_spec), "stream-messages", nullptr, "N",
     "Quick mode: send the -d message N times per client-streaming or bidi call", "1", 0},
    {sizeof(lh_option_spec), "deadline", nullptr, "DURATION",
     "gRPC deadline of each call without a timeout of its own (e.g. 500ms, 2s)", nullptr, 0},
    {sizeof(lh_option_spec), "channel", nullptr, "MODE",
     "per-user: a connection per user; shared: a pool of --channels per loop thread", "per-user", 0},
    {sizeof(lh_option_spec), "channels", nullptr, "N", "Channels in the shared pool of each loop thread", "1", 0},
    {sizeof(lh_option_spec), "root-certs", nullptr, "FILE",
     "grpcs: PEM root certificates to verify the server with (default: gRPC's)", nullptr, 0},
    {sizeof(lh_option_spec), "tls-server-name", nullptr, "NAME",
     "grpcs: the name the server's certificate must carry (default: the URL's host)", nullptr, 0},
};

lh_plugin_options g_options = {sizeof(lh_plugin_options), sizeof kOptions / sizeof kOptions[0], kOptions,
                               nullptr};

struct GrpcPlugin : loadhost::plugin::Defaults {
  static constexpr lh_descriptor descriptor = {
      sizeof(lh_descriptor),
      "grpc",
      "gRPC",
      "loadhost",
      "0.1.0",
      "gRPC over HTTP/2 (grpc++): unary and streaming calls, messages from .proto files or server "
      "reflection as JSON, or raw bytes",
      "grpc,grpcs",
  };
  using Session = loadhost::grpc_plugin::Session;

  static const char* init(const lh_host& host) {
    // Debian builds abseil without NDEBUG, which leaves absl::Mutex's
    // lock-order (deadlock) detection on: a graph update on every lock gRPC
    // takes, measured at 5-8 % of the client's CPU per unary call. It is a
    // debugging aid for gRPC's own developers; a load generator turns it off.
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    auto state = std::make_unique<PluginState>(&host);
    g_options.quick_user = loadhost::grpc_plugin::quick_user_class(&host);
    g_state = state.release();
    return nullptr;
  }
  static void deinit() {
    delete g_state;  // stops the pump thread and shuts gRPC down
    g_state = nullptr;
  }
  static std::unique_ptr<Session> create_session(const lh_host&, const lh_session_config& config,
                                                 std::string& error) {
    return Session::create(*g_state, config, error);
  }
  static void fail_call(Session& s, lh_call* call, const char*) noexcept {
    s.abort(call, "INTERNAL: grpc plugin error (out of memory)");
  }
  static const lh_plugin_options* options() { return &g_options; }
};

}  // namespace

LOADHOST_PROTOCOL_PLUGIN(GrpcPlugin);
