// Where a "connect" goes: the session's base URL joined with the call's
// target, split into what the host's transport needs (host, port, TLS) and
// what websocketpp needs (the URL, with the ws:// scheme: TLS is the host's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loadhost::websocket {

struct WsUrl {
  std::string host;     // name or address, without brackets
  uint16_t port = 0;
  bool tls = false;     // wss://
  std::string resource; // path and query: "/chat?room=1"
  std::string url;      // as given ("wss://h:443/chat"), for messages
};

// `target`: a path ("/echo"), a full ws:// or wss:// URL, or empty (the base
// URL itself). A path is appended to the base URL (no double '/').
std::string join_url(std::string_view base_url, std::string_view target);

// Parses a ws:// or wss:// URL with the plugin kit's parser (default ports
// 80 and 443); false with a one-line reason in `error`.
bool parse_ws_url(std::string_view url, WsUrl &out, std::string &error);

}  // namespace loadhost::websocket
