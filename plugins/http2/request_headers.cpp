#include "request_headers.hpp"

#include <charconv>

#include "http_common/http_text.hpp"

namespace loadhost::http2 {
namespace {

using http_common::iequals;
using http_common::view;

// Methods whose requests carry a body by convention: they get
// "content-length: 0" even when empty, as http1 sends "Content-Length: 0".
bool expects_body(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

bool is_connection_specific(std::string_view name, std::string_view value) {
  if (iequals(name, "te")) return !iequals(http_common::trim_ows(value), "trailers");
  return iequals(name, "connection") || iequals(name, "keep-alive") ||
         iequals(name, "proxy-connection") || iequals(name, "transfer-encoding") ||
         iequals(name, "upgrade");
}

void RequestHeaders::add(std::string_view name, std::string_view value, bool lower_name) {
  Field f{uint32_t(bytes_.size()), uint32_t(name.size()), 0, uint32_t(value.size())};
  if (lower_name) {
    for (char c : name) bytes_.push_back(http_common::ascii_lower(c));
  } else {
    bytes_.append(name);
  }
  f.value_at = uint32_t(bytes_.size());
  bytes_.append(value);
  fields_.push_back(f);
}

bool check_request(std::string_view method, std::span<const lh_kv> headers, std::string& error) {
  if (!http_common::is_token(method)) {
    error.assign("http2: invalid method \"").append(method).append("\"");
    return false;
  }
  for (const lh_kv& h : headers) {
    if (!http_common::valid_header(view(h.key), view(h.value))) {
      error.assign("http2: invalid request header \"").append(view(h.key)).append(
          "\" (the name must be a token, the value may not contain CR, LF or NUL)");
      return false;
    }
  }
  return true;
}

void RequestHeaders::build(const RequestHead& r) {
  std::string_view user_host;
  bool user_cookie = false, user_length = false;
  for (const lh_kv& h : r.headers) {
    const std::string_view name = view(h.key);
    if (iequals(name, "host")) user_host = view(h.value);
    user_cookie |= iequals(name, "cookie");
    user_length |= iequals(name, "content-length");
  }

  bytes_.clear();
  fields_.clear();
  add(":method", r.method, false);
  add(":scheme", r.tls ? "https" : "http", false);
  if (!user_host.empty()) {
    add(":authority", user_host, false);
  } else {
    // The authority is built in place: name first, then host[:port].
    Field f{uint32_t(bytes_.size()), 10, 0, 0};
    bytes_.append(":authority");
    f.value_at = uint32_t(bytes_.size());
    bytes_.append(r.host);
    if (r.port != 0) {
      char digits[8];
      const auto end = std::to_chars(digits, digits + sizeof digits, r.port).ptr;
      bytes_.push_back(':');
      bytes_.append(digits, size_t(end - digits));
    }
    f.value_len = uint32_t(bytes_.size() - f.value_at);
    fields_.push_back(f);
  }
  {
    Field f{uint32_t(bytes_.size()), 5, 0, 0};
    bytes_.append(":path");
    f.value_at = uint32_t(bytes_.size());
    http_common::append_request_target(bytes_, r.path, r.query);
    f.value_len = uint32_t(bytes_.size() - f.value_at);
    fields_.push_back(f);
  }

  for (const Header& d : r.defaults) {
    bool overridden = false;
    for (const lh_kv& h : r.headers) overridden |= iequals(view(h.key), d.name);
    if (!overridden && !is_connection_specific(d.name, d.value)) add(d.name, d.value, true);
  }
  for (const lh_kv& h : r.headers) {
    const std::string_view name = view(h.key), value = view(h.value);
    if (iequals(name, "host") || is_connection_specific(name, value)) continue;
    add(name, value, true);
  }
  if (!r.cookie.empty() && !user_cookie) add("cookie", r.cookie, false);
  if (!user_length && (r.body_size > 0 || expects_body(r.method))) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, r.body_size).ptr;
    add("content-length", {digits, size_t(end - digits)}, false);
  }

  nv_.clear();
  auto* base = reinterpret_cast<uint8_t*>(bytes_.data());
  for (const Field& f : fields_) {
    // NO_COPY_NAME/VALUE would let nghttp2 keep pointers into bytes_ until
    // the HEADERS frame is sent, but it is sent later (after the next
    // build) when the connection is busy: nghttp2 copies.
    nv_.push_back(nghttp2_nv{base + f.name_at, base + f.value_at, f.name_len, f.value_len,
                             NGHTTP2_NV_FLAG_NONE});
  }
}

}  // namespace loadhost::http2
