// The http2 plugin's entry and its C glue: the only code the host calls
// directly. Every function here catches everything, because an exception
// must never unwind into the host (abi.h).
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "loadhost/loadhost.h"
#include "session.hpp"

namespace {

using loadhost::http2::Session;

const lh_host* g_host = nullptr;

// No URL schemes: http:// and https:// stay http1's by default, and a
// scenario picks HTTP/2 by id (client.set_protocol("http2"), or the run
// option http-protocol read by HttpUser), so one setting switches protocol.
const lh_descriptor kDescriptor = {
    sizeof(lh_descriptor),
    "http2",
    "HTTP/2",
    "loadhost",
    "0.1.0",
    "HTTP/2 through libnghttp2: h2c (prior knowledge) or h2 over TLS, multiplexed calls, "
    "cookies, redirects",
    nullptr,
};

void* session_create(const lh_protocol* /*protocol*/, const lh_session_config* config,
                     lh_str* error) {
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
    static constexpr char kFailed[] = "http2: could not create a session (out of memory)";
    *error = {kFailed, sizeof kFailed - 1};
    return nullptr;
  }
}

void session_destroy(void* session) { delete static_cast<Session*>(session); }

constexpr std::string_view kOutOfMemory = "http2: internal error (out of memory)";

void call_start(void* session, lh_call* call, const lh_request* request) {
  auto* s = static_cast<Session*>(session);
  try {
    s->start(call, *request);
  } catch (...) {
    s->abort_all(kOutOfMemory);
  }
}

void call_cancel(void* session, lh_call* call) {
  auto* s = static_cast<Session*>(session);
  try {
    s->cancel(call);
  } catch (...) {
    s->abort_all(kOutOfMemory);
  }
}

// --http-protocol ID (LOADHOST_HTTP_PROTOCOL): the run option HttpUser reads,
// so a scenario, or quick mode, switches protocol with no rewrite. Declared
// here because it only means something once this plugin is loaded.
const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "http-protocol", nullptr, "ID",
     "Protocol of HttpUser clients and quick mode: http1 (the default) or http2", nullptr, 0},
};
const lh_plugin_options kPluginOptions = {sizeof(lh_plugin_options), 1, kOptions, nullptr};

const void* protocol_extension(const lh_protocol* /*protocol*/, const char* id) {
  if (id != nullptr && std::strcmp(id, LH_PLUGIN_OPTIONS_ID) == 0) return &kPluginOptions;
  return nullptr;
}

const lh_protocol kProtocol = {
    &kDescriptor, &session_create, &session_destroy, &call_start, &call_cancel, &protocol_extension,
};

const lh_protocol* get_protocol(uint32_t index) { return index == 0 ? &kProtocol : nullptr; }

const lh_protocol_factory kFactory = {sizeof(lh_protocol_factory), 1, &get_protocol};

const char* init(const lh_host* host, const char* /*plugin_path*/) {
  if (host == nullptr || host->abi.major != LH_ABI_VERSION_MAJOR)
    return "http2: the host's ABI major version differs from the plugin's";
  g_host = host;
  return nullptr;
}

void deinit() { g_host = nullptr; }

const void* get_factory(const char* factory_id) {
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
