#include "request_writer.hpp"

#include <charconv>

#include "http_common/http_text.hpp"

namespace loadhost::http1 {

using namespace http_common;  // tokens, views, valid_header, append_request_target

namespace {

void append_number(std::string& out, uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, size_t(end - digits));
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

// Methods whose requests carry a body by convention: they get
// "Content-Length: 0" even when empty, as requests (and curl) send.
bool expects_body(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

bool write_request(std::string& out, const RequestHead& r, std::string& error) {
  if (!is_token(r.method)) {
    error.assign("http1: invalid method \"").append(r.method).append("\"");
    return false;
  }
  bool user_host = false, user_cookie = false, user_framing = false;
  for (const lh_kv& h : r.headers) {
    const std::string_view name = view(h.key);
    if (!valid_header(name, view(h.value))) {
      error.assign("http1: invalid request header \"").append(name).append(
          "\" (the name must be a token, the value may not contain CR, LF or NUL)");
      return false;
    }
    user_host |= iequals(name, "host");
    user_cookie |= iequals(name, "cookie");
    user_framing |= iequals(name, "content-length") || iequals(name, "transfer-encoding");
  }

  out.clear();
  out.append(r.method).push_back(' ');
  append_request_target(out, r.path, r.query);
  out.append(" HTTP/1.1\r\n");

  if (!user_host) {
    out.append("Host: ").append(r.host);
    if (r.port != 0) {
      out.push_back(':');
      append_number(out, r.port);
    }
    out.append("\r\n");
  }
  for (const Header& d : r.defaults) {
    bool overridden = false;
    for (const lh_kv& h : r.headers) overridden |= iequals(view(h.key), d.name);
    if (!overridden) append_header(out, d.name, d.value);
  }
  for (const lh_kv& h : r.headers) append_header(out, view(h.key), view(h.value));
  if (!r.cookie.empty() && !user_cookie) append_header(out, "Cookie", r.cookie);
  if (!user_framing && (!r.body.empty() || expects_body(r.method))) {
    out.append("Content-Length: ");
    append_number(out, r.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(r.body);
  return true;
}

}  // namespace loadhost::http1
