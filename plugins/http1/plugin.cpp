// The http1 plugin's entry and its C glue: the only code the host calls
// directly. Every function here catches everything, because an exception
// must never unwind into the host (abi.h).
#include <cstring>
#include <new>
#include <memory>
#include <string>

#include "loadhost/loadhost.h"
#include "session.hpp"

namespace {

using loadhost::http1::Session;

const lh_host* g_host = nullptr;

const lh_descriptor kDescriptor = {
    sizeof(lh_descriptor),
    "http1",
    "HTTP/1.1",
    "loadhost",
    "0.1.0",
    "HTTP/1.1 over the host's TCP/TLS: keep-alive, cookies, redirects",
    "http,https",
};

void* session_create(const lh_protocol* /*protocol*/, const lh_session_config* config,
                     lh_str* error) {
  // Valid "until the next session_create on this loop" (protocol.h): one
  // buffer per loop thread.
  thread_local std::string reason;
  try {
    reason.clear();
    std::unique_ptr<Session> s = Session::create(g_host, *config, reason);
    if (!s) {
      *error = {reason.data(), reason.size()};
      return nullptr;
    }
    return s.release();
  } catch (const std::bad_alloc&) {
    static constexpr char kFailed[] = "http1: could not create a session (out of memory)";
    *error = {kFailed, sizeof kFailed - 1};
    return nullptr;
  } catch (...) {
    static constexpr char kFailed[] = "http1: could not create a session";
    *error = {kFailed, sizeof kFailed - 1};
    return nullptr;
  }
}

void session_destroy(void* session) { delete static_cast<Session*>(session); }

void call_start(void* session, lh_call* call, const lh_request* request) {
  auto* s = static_cast<Session*>(session);
  try {
    s->start(call, *request);
  } catch (...) {
    s->abort_call("http1: internal error (out of memory)");
  }
}

void call_cancel(void* session, lh_call* call) { static_cast<Session*>(session)->cancel(call); }

const void* protocol_extension(const lh_protocol* /*protocol*/, const char* /*id*/) {
  return nullptr;
}

const lh_protocol kProtocol = {
    &kDescriptor, &session_create, &session_destroy, &call_start, &call_cancel, &protocol_extension,
};

const lh_protocol* get_protocol(uint32_t index) { return index == 0 ? &kProtocol : nullptr; }

const lh_protocol_factory kFactory = {sizeof(lh_protocol_factory), 1, &get_protocol};

const char* init(const lh_host* host, const char* /*plugin_path*/) {
  if (host == nullptr || host->abi.major != LH_ABI_VERSION_MAJOR)
    return "http1: the host's ABI major version differs from the plugin's";
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
