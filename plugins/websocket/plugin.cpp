// The websocket plugin's entry: its descriptor, its quick-mode options and
// how a session is made. The C glue around it is the SDK's
// (loadhost/protocol_plugin.hpp), which is C++17 like this plugin.
#include <memory>
#include <string>

#include "loadhost/protocol_plugin.hpp"
#include "quick_user.hpp"
#include "session.hpp"

namespace {

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

struct WebSocketPlugin : loadhost::plugin::Defaults {
  static constexpr lh_descriptor descriptor = {
      sizeof(lh_descriptor),
      "websocket",
      "WebSocket",
      "loadhost",
      "0.1.0",
      "WebSocket (RFC 6455, websocketpp) over the host's TCP/TLS: connect, send, receive, request, ping, close",
      "ws,wss",
  };
  using Session = loadhost::websocket::Session;

  static const char *init(const lh_host &host) {
    g_options.quick_user = loadhost::websocket::quick_user_class(&host);
    return nullptr;
  }
  static std::unique_ptr<Session> create_session(const lh_host &host, const lh_session_config &config,
                                                 std::string &error) {
    return Session::create(&host, config, error);
  }
  static void fail_call(Session &s, lh_call *call, const char *text) noexcept { s.abort(call, text); }
  static const lh_plugin_options *options() { return &g_options; }
};

}  // namespace

LOADHOST_PROTOCOL_PLUGIN(WebSocketPlugin);
