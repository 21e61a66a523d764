// The http2 plugin's entry: its descriptor, its one run option and how a
// session is made. The C glue around it is the SDK's
// (loadhost/protocol_plugin.hpp).
#include <memory>
#include <string>

#include "loadhost/protocol_plugin.hpp"
#include "session.hpp"

namespace {

// --http-protocol ID (LOADHOST_HTTP_PROTOCOL): the run option HttpUser reads,
// so a scenario, or quick mode, switches protocol with no rewrite. Declared
// here because it only means something once this plugin is loaded.
const lh_option_spec kOptions[] = {
    {sizeof(lh_option_spec), "http-protocol", nullptr, "ID",
     "Protocol of HttpUser clients and quick mode: http1 (the default) or http2", nullptr, 0},
};
const lh_plugin_options kPluginOptions = {sizeof(lh_plugin_options), 1, kOptions, nullptr};

struct Http2Plugin : loadhost::plugin::Defaults {
  // No URL schemes: http:// and https:// stay http1's by default, and a
  // scenario picks HTTP/2 by id (client.set_protocol("http2"), or the run
  // option http-protocol read by HttpUser), so one setting switches protocol.
  static constexpr lh_descriptor descriptor = {
      sizeof(lh_descriptor),
      "http2",
      "HTTP/2",
      "loadhost",
      "0.1.0",
      "HTTP/2 through libnghttp2: h2c (prior knowledge) or h2 over TLS, multiplexed calls, cookies, redirects",
      nullptr,
  };
  using Session = loadhost::http2::Session;

  static std::unique_ptr<Session> create_session(const lh_host &host, const lh_session_config &config,
                                                 std::string &error) {
    return Session::create(&host, config, error);
  }
  // nghttp2's state may be half-updated: fail every stream of the session.
  static void fail_call(Session &s, lh_call *, const char *text) noexcept { s.abort_all(text); }
  static void cancel_failed(Session &s) noexcept { s.abort_all("http2: internal error (out of memory)"); }
  static const lh_plugin_options *options() { return &kPluginOptions; }
};

}  // namespace

LOADHOST_PROTOCOL_PLUGIN(Http2Plugin);
