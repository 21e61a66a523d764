// The postgres plugin's entry and its C glue: the only code the host calls
// directly. Every function here catches everything: an exception must never
// unwind into the host (abi.h).
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "loadhost/loadhost.h"
#include "quick_user.hpp"
#include "session.hpp"

namespace {

using loadhost::postgres::Session;

const lh_host *g_host = nullptr;

const lh_descriptor kDescriptor = {
    sizeof(lh_descriptor),
    "postgres",
    "PostgreSQL",
    "loadhost",
    "0.1.0",
    "PostgreSQL through libpq's non-blocking API: queries, prepared statements, transactions; a connection per user",
    "postgres,postgresql",
};

const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "sql", nullptr, "SQL", "Quick mode: the SQL each user runs in a loop", nullptr, 0},
    {sizeof(lh_option_spec), "param", nullptr, "VALUE", "Quick mode: the value of the next $n in --sql (repeatable)",
     nullptr, LH_OPTION_REPEATABLE},
    {sizeof(lh_option_spec), "prepared", nullptr, nullptr,
     "Quick mode: prepare --sql once per user, then execute it (else: a plain query each time)", nullptr,
     LH_OPTION_FLAG},
};

lh_plugin_options g_options = {sizeof(lh_plugin_options), sizeof kOptions / sizeof kOptions[0], kOptions, nullptr};

void *session_create(const lh_protocol *, const lh_session_config *config, lh_str *error) {
  // Valid "until the next session_create on this loop" (protocol.h).
  thread_local std::string reason;
  try {
    reason.clear();
    std::unique_ptr<Session> s = Session::create(*g_host, *config, reason);
    if (s) return s.release();
  } catch (const std::exception &e) {
    reason = std::string("postgres: could not create a session: ") + e.what();
  } catch (...) {
    reason = "postgres: could not create a session";
  }
  *error = {reason.data(), reason.size()};
  return nullptr;
}

void session_destroy(void *session) { delete static_cast<Session *>(session); }

void call_start(void *session, lh_call *call, const lh_request *request) {
  auto *s = static_cast<Session *>(session);
  try {
    s->start(call, *request);
  } catch (...) {
    s->abort(call, "postgres: internal error (out of memory)");
  }
}

void call_cancel(void *session, lh_call *call) {
  try {
    static_cast<Session *>(session)->cancel(call);
  } catch (...) {
    // Only a reconnect's allocation can throw here; the call is forgotten either way.
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
    return "postgres: the host's ABI major version differs from the plugin's";
  if (!host->get_extension(host, LH_HOST_FD_WATCH_ID))
    return "postgres: the host does not offer " LH_HOST_FD_WATCH_ID ", which the plugin needs";
  g_host = host;
  try {
    g_options.quick_user = loadhost::postgres::quick_user_class(host);
  } catch (...) {
    return "postgres: out of memory";
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
