// loadhost C++ SDK — a protocol plugin's C glue, written once.
//
// A plugin in C++ describes itself in a traits struct and gets its entry,
// protocol table and factory from this header; the extern "C" functions
// here are the only code the host calls, and every one of them catches
// everything, because an exception must never unwind into the host (abi.h).
//
//   struct Http1Plugin : loadhost::plugin::Defaults {
//     static constexpr lh_descriptor descriptor = {sizeof(lh_descriptor), "http1", "HTTP/1.1", "loadhost",
//                                                  "0.1.0", "HTTP/1.1 over the host's TCP/TLS", "http,https"};
//     using Session = http1::Session;
//     // [loop-thread] A new session, or null with a one-line reason in `error`.
//     static std::unique_ptr<Session> create_session(const lh_host &host, const lh_session_config &config,
//                                                    std::string &error);
//     // [loop-thread] Session::start threw (out of memory): complete `call` with `text`.
//     static void fail_call(Session &s, lh_call *call, const char *text) noexcept;
//   };
//   LOADHOST_PROTOCOL_PLUGIN(Http1Plugin);
//
// Session needs `void start(lh_call *, const lh_request &)` and
// `void cancel(lh_call *)`; its destructor is session_destroy (protocol.h
// gives the contract of each). Optional, from Defaults unless redefined:
//   static const char *init(const lh_host &host);  // [control-thread] after the ABI check;
//                                                  // a one-line reason or null
//   static void deinit();                          // [control-thread] join threads, free state
//   static const lh_plugin_options *options();     // plugin options + quick user (options.h)
//   static void cancel_failed(Session &) noexcept; // Session::cancel threw
//
// C++17 on purpose: a plugin built against a library that is not C++20-clean
// (websocketpp) uses it too.
#pragma once

#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "loadhost/loadhost.h"
#include "loadhost/options.h"

namespace loadhost {
namespace plugin {

struct Defaults {
  static const char *init(const lh_host &) { return nullptr; }
  static void deinit() {}
  static const lh_plugin_options *options() { return nullptr; }
  // [loop-thread] Session::cancel threw: the call is forgotten anyway; a
  // plugin whose session state may now be inconsistent fails the rest here.
  template <class Session>
  static void cancel_failed(Session &) noexcept {}
};

template <class P>
struct ProtocolPlugin {
  using Session = typename P::Session;

  // The host handed to init; null before init and after deinit.
  static inline const lh_host *host = nullptr;

  static void *session_create(const lh_protocol *, const lh_session_config *config, lh_str *error) {
    // Valid "until the next session_create on this loop" (protocol.h).
    thread_local std::string reason;
    try {
      reason.clear();
      std::unique_ptr<Session> s = P::create_session(*host, *config, reason);
      if (s) return s.release();
      if (reason.empty()) reason = std::string(P::descriptor.id) + ": could not create a session";
    } catch (const std::exception &e) {
      reason = std::string(P::descriptor.id) + ": could not create a session: " + e.what();
    } catch (...) {
      reason = std::string(P::descriptor.id) + ": could not create a session";
    }
    *error = lh_str{reason.data(), reason.size()};
    return nullptr;
  }

  static void session_destroy(void *session) { delete static_cast<Session *>(session); }

  static void call_start(void *session, lh_call *call, const lh_request *request) {
    auto *s = static_cast<Session *>(session);
    try {
      s->start(call, *request);
    } catch (...) {
      P::fail_call(*s, call, out_of_memory_text());
    }
  }

  static void call_cancel(void *session, lh_call *call) {
    try {
      static_cast<Session *>(session)->cancel(call);
    } catch (...) {
      P::cancel_failed(*static_cast<Session *>(session));
    }
  }

  static const void *get_extension(const lh_protocol *, const char *id) {
    if (id && std::strcmp(id, LH_PLUGIN_OPTIONS_ID) == 0) return P::options();
    return nullptr;
  }

  static inline const lh_protocol protocol = {
      &P::descriptor, &session_create, &session_destroy, &call_start, &call_cancel, &get_extension,
  };

  static const lh_protocol *get_protocol(uint32_t index) { return index == 0 ? &protocol : nullptr; }

  static inline const lh_protocol_factory factory = {sizeof(lh_protocol_factory), 1, &get_protocol};

  static const char *init(const lh_host *h, const char *) {
    if (h == nullptr || h->abi.major != LH_ABI_VERSION_MAJOR) return abi_mismatch_text();
    host = h;  // P::init may build objects that use it
    const char *why = nullptr;
    try {
      (void)out_of_memory_text();  // built now, not when memory has run out
      why = P::init(*h);
    } catch (...) {
      why = "plugin initialisation failed (out of memory)";
    }
    if (why) host = nullptr;
    return why;
  }

  static void deinit() {
    P::deinit();
    host = nullptr;
  }

  static const void *get_factory(const char *factory_id) {
    if (factory_id != nullptr && std::strcmp(factory_id, LH_PROTOCOL_FACTORY_ID) == 0) return &factory;
    return nullptr;
  }

  static constexpr lh_entry entry = {
      {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR}, &init, &deinit, &get_factory,
  };

 private:
  static const char *out_of_memory_text() {
    static const std::string text = std::string(P::descriptor.id) + ": internal error (out of memory)";
    return text.c_str();
  }
  static const char *abi_mismatch_text() {
    static const std::string text =
        std::string(P::descriptor.id) + ": the host's ABI major version differs from the plugin's";
    return text.c_str();
  }
};

}  // namespace plugin
}  // namespace loadhost

// The plugin's one exported symbol (abi.h), at file scope, once per plugin.
#define LOADHOST_PROTOCOL_PLUGIN(Traits) \
  extern "C" LH_EXPORT const lh_entry loadhost_entry = ::loadhost::plugin::ProtocolPlugin<Traits>::entry
