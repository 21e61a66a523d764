// The websocket plugin's entry and its C glue: the only code the host calls
// directly. Every function here catches everything, because an exception
// must never unwind into the host (abi.h).
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "loadhost/loadhost.h"
#include "loadhost/options.h"
#include "quick_user.hpp"
#include "session.hpp"

namespace {

using loadhost::websocket::Session;

const lh_host *g_host = nullptr;

const lh_descriptor kDescriptor = {
    sizeof(lh_descriptor),
    "websocket",
    "WebSocket",
    "loadhost",
    "0.1.0",
    "WebSocket (RFC 6455, websocketpp) over the host's TCP/TLS: connect, send, receive, request, ping, close",
    "ws,wss",
};

const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "message", nullptr, "TEXT", "Quick mode: the message of each round trip", "hello", 0},
    {sizeof(lh_option_spec), "message-size", nullptr, "N",
     "Quick mode: send N bytes ('x' repeated) instead of --message", nullptr, 0},
    {sizeof(lh_option_spec), "binary", nullptr, nullptr, "Quick mode: send binary messages, not text", nullptr,
     LH_OPTION_FLAG},
    {sizeof(lh_option_spec), "subprotocol", nullptr, "NAME", "Quick mode: the subprotocol to offer", nullptr, 0},
    {sizeof(lh_option_spec), "ws-header", nullptr, "NAME:VALUE", "Quick mode: a handshake header (repeatable)",
     nullptr, LH_OPTION_REPEATABLE},
    {sizeof(lh_option_spec), "queue-size", nullptr, "N",
     "Messages kept per user for a later receive when nobody awaits them; beyond, dropped and counted", "1000", 0},
    {sizeof(lh_option_spec), "report-messages", nullptr, nullptr,
     "Also count each message nobody awaited as a \"ws-message\" event", nullptr, LH_OPTION_FLAG},
};

lh_plugin_options g_options = {sizeof(lh_plugin_options), sizeof kOptions / sizeof kOptions[0], kOptions, nullptr};

void *session_create(const lh_protocol *, const lh_session_config *config, lh_str *error) {
  // Valid "until the next session_create on this loop" (protocol.h).
  thread_local std::string reason;
  try {
    reason.clear();
    std::unique_ptr<Session> s = Session::create(g_host, *config, reason);
    if (!s) {
      *error = {reason.data(), reason.size()};
      return nullptr;
    }
    return s.release();
  } catch (...) {
    static constexpr char kFailed[] = "websocket: could not create a session (out of memory)";
    *error = {kFailed, sizeof kFailed - 1};
    return nullptr;
  }
}

void session_destroy(void *session) { delete static_cast<Session *>(session); }

void call_start(void *session, lh_call *call, const lh_request *request) {
  auto *s = static_cast<Session *>(session);
  try {
    s->start(call, *request);
  } catch (...) {
    s->abort(call, "websocket: internal error (out of memory)");
  }
}

void call_cancel(void *session, lh_call *call) {
  try {
    static_cast<Session *>(session)->cancel(call);
  } catch (...) {
    // Forgetting a call allocates nothing; nothing to report.
  }
}

const void *protocol_extension(const lh_protocol *, const char *id) {
  if (id && std::strcmp(id, LH_PLUGIN_OPTIONS_ID) == 0) return &g_options;
  return nullptr;
}

const lh_protocol kProtocol = {
    &kDescriptor, &session_create, &session_destroy, &call_start, &call_cancel, &protocol_extension,
};

const lh_protocol *get_protocol(uint32_t index) { return index == 0 ? &kProtocol : nullptr; }

const lh_protocol_factory kFactory = {sizeof(lh_protocol_factory), 1, &get_protocol};

const char *init(const lh_host *host, const char *) {
  if (host == nullptr || host->abi.major != LH_ABI_VERSION_MAJOR)
    return "websocket: the host's ABI major version differs from the plugin's";
  try {
    g_host = host;
    g_options.quick_user = loadhost::websocket::quick_user_class(host);
  } catch (...) {
    return "websocket: out of memory";
  }
  return nullptr;
}

void deinit() { g_host = nullptr; }

const void *get_factory(const char *factory_id) {
  if (factory_id != nullptr && std::strcmp(factory_id, LH_PROTOCOL_FACTORY_ID) == 0) return &kFactory;
  return nullptr;
}

}  // namespace

extern "C" LH_EXPORT const lh_entry loadhost_entry = {
    {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR},
    &init,
    &deinit,
    &get_factory,
};
