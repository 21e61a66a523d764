// loadhost C++ SDK — HttpUser and its client, as Locust's HttpUser:
//
//   struct Shopper : loadhost::HttpUser {
//     Shopper() { task(1, &Shopper::browse); }
//     Task<> browse() { co_await client.get("/item/42", {.name = "/item/[id]"}); }
//   };
//
// The client speaks HTTP/1.1 through the bundled "http1" plugin (a later
// plugin, "http2", serves the same API). Keep-alive, cookies, redirects and
// TLS are the plugin's; the base URL is -H/--host, else the class's `host`.
#pragma once

#include <string>
#include <string_view>

#include "loadhost/client.hpp"

namespace loadhost {

// Per-request options: {.name = "/item/[id]", .params = {{"q", "shoes"}}}
using HttpOptions = CallOptions;

namespace detail {
inline void append_url_encoded(std::string &out, std::string_view s) {
  static const char *hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(char(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
}
inline std::string with_query(std::string_view path, const std::vector<Header> &params) {
  std::string target(path);
  char sep = target.find('?') == std::string::npos ? '?' : '&';
  for (const auto &[k, v] : params) {
    target.push_back(sep);
    append_url_encoded(target, k);
    target.push_back('=');
    append_url_encoded(target, v);
    sep = '&';
  }
  return target;
}
}  // namespace detail

inline CallAwaiter &&CallAwaiter::param(std::string_view name, std::string_view value) && {
  target_ = detail::with_query(target_, {Header{std::string(name), std::string(value)}});
  return std::move(*this);
}

class HttpClient : public Client {
 public:
  explicit HttpClient(std::string protocol = "") : Client(std::move(protocol)) {}

  CallAwaiter request(std::string_view method, std::string_view path, std::string_view body = {},
                      HttpOptions options = {}) {
    std::string target = options.params.empty() ? std::string(path) : detail::with_query(path, options.params);
    return call(method, std::move(target), body, std::move(options));
  }
  CallAwaiter get(std::string_view path, HttpOptions o = {}) { return request("GET", path, {}, std::move(o)); }
  CallAwaiter head(std::string_view path, HttpOptions o = {}) { return request("HEAD", path, {}, std::move(o)); }
  CallAwaiter options(std::string_view path, HttpOptions o = {}) { return request("OPTIONS", path, {}, std::move(o)); }
  CallAwaiter del(std::string_view path, HttpOptions o = {}) { return request("DELETE", path, {}, std::move(o)); }
  CallAwaiter post(std::string_view path, std::string_view body = {}, HttpOptions o = {}) {
    return request("POST", path, body, std::move(o));
  }
  CallAwaiter put(std::string_view path, std::string_view body = {}, HttpOptions o = {}) {
    return request("PUT", path, body, std::move(o));
  }
  CallAwaiter patch(std::string_view path, std::string_view body = {}, HttpOptions o = {}) {
    return request("PATCH", path, body, std::move(o));
  }
  // A JSON body: sets Content-Type: application/json.
  CallAwaiter post_json(std::string_view path, std::string_view json, HttpOptions o = {}) {
    o.headers.push_back(Header{"Content-Type", "application/json"});
    return request("POST", path, json, std::move(o));
  }
  CallAwaiter put_json(std::string_view path, std::string_view json, HttpOptions o = {}) {
    o.headers.push_back(Header{"Content-Type", "application/json"});
    return request("PUT", path, json, std::move(o));
  }
};

class HttpUser : public UserBase {
 public:
  HttpUser() {
    std::string_view h = target_host();
    if (!h.empty()) client.set_base_url(std::string(h));
    std::string_view proto = option("http-protocol");
    if (!proto.empty()) client.set_protocol(std::string(proto));
  }
  HttpClient client;
};

}  // namespace loadhost
