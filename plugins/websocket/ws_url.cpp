#include "ws_url.hpp"

#include <websocketpp/uri.hpp>

namespace loadhost::websocket {

namespace {
bool has_scheme(std::string_view s) { return s.find("://") != std::string_view::npos; }
}  // namespace

std::string join_url(std::string_view base_url, std::string_view target) {
  if (has_scheme(target)) return std::string(target);
  std::string out(base_url);
  if (target.empty()) return out;
  if (!out.empty() && out.back() == '/' && target.front() == '/') out.pop_back();
  else if (!out.empty() && out.back() != '/' && target.front() != '/') out.push_back('/');
  out.append(target);
  return out;
}

bool parse_ws_url(std::string_view url, WsUrl &out, std::string &error) {
  if (url.empty()) {
    error = "websocket: no server to connect to: give a ws://HOST:PORT/PATH URL (-H/--host, or the connect target)";
    return false;
  }
  const bool ws = url.rfind("ws://", 0) == 0, wss = url.rfind("wss://", 0) == 0;
  websocketpp::uri uri{std::string(url)};
  if (!(ws || wss) || !uri.get_valid() || uri.get_host().empty()) {
    error = "websocket: '" + std::string(url) + "' is not a ws:// or wss:// URL";
    return false;
  }
  out.host = uri.get_host();
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  out.port = uri.get_port();
  out.tls = wss;
  out.resource = uri.get_resource();
  out.url = std::string(url);
  return true;
}

}  // namespace loadhost::websocket
