#include "ws_url.hpp"

#include "loadhost/kit/url.hpp"

namespace loadhost::websocket {

namespace {

constexpr kit::SchemePort kWsSchemes[] = {{"ws", 80}, {"wss", 443}};

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
  kit::Url parsed;
  if (const char *why = kit::parse_url(url, kWsSchemes, parsed)) {
    error = "websocket: '" + std::string(url) + "' is not a " + kit::scheme_list(kWsSchemes) + " URL: " + why;
    return false;
  }
  if (parsed.has_userinfo) {
    error = "websocket: '" + std::string(url) + "' has credentials: send an Authorization header (--ws-header)";
    return false;
  }
  out.host = std::string(parsed.host);
  out.port = parsed.port;
  out.tls = parsed.scheme == "wss";
  out.resource.assign(parsed.path.empty() ? std::string_view("/") : parsed.path).append(parsed.query);
  out.url = std::string(url);
  return true;
}

}  // namespace loadhost::websocket
