// The http1 plugin's entry: its descriptor and how a session is made. The C
// glue around it is the SDK's (loadhost/protocol_plugin.hpp).
#include <memory>
#include <string>

#include "loadhost/protocol_plugin.hpp"
#include "session.hpp"

namespace {

struct Http1Plugin : loadhost::plugin::Defaults {
  static constexpr lh_descriptor descriptor = {
      sizeof(lh_descriptor),
      "http1",
      "HTTP/1.1",
      "loadhost",
      "0.1.0",
      "HTTP/1.1 over the host's TCP/TLS: keep-alive, cookies, redirects",
      "http,https",
  };
  using Session = loadhost::http1::Session;

  static std::unique_ptr<Session> create_session(const lh_host &host, const lh_session_config &config,
                                                 std::string &error) {
    return Session::create(&host, config, error);
  }
  // One exchange at a time on the connection: the one that failed is it.
  static void fail_call(Session &s, lh_call *, const char *text) noexcept { s.abort_call(text); }
};

}  // namespace

LOADHOST_PROTOCOL_PLUGIN(Http1Plugin);
