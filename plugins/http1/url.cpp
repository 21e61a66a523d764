#include "url.hpp"

#include <algorithm>
#include <cstring>

namespace loadhost::http1 {
namespace {

constexpr std::string_view kHttp = "http://";
constexpr std::string_view kHttps = "https://";

bool parse_port(std::string_view digits, uint16_t& port) {
  if (digits.empty() || digits.size() > 5) return false;
  uint32_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  port = uint16_t(value);
  return true;
}

bool valid_host_char(char c) {
  // Anything printable except what would end or corrupt the authority.
  return c > ' ' && c != 0x7f && c != '/' && c != '?' && c != '#' && c != '@' && c != '[' &&
         c != ']';
}

// A scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':'.
bool has_scheme(std::string_view ref) {
  size_t colon = ref.find_first_of(":/?#");
  if (colon == std::string_view::npos || colon == 0 || ref[colon] != ':') return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = ref[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))
      return false;
  }
  return true;
}

// RFC 3986 5.2.4 over s[start..] (a path that starts with '/'), in place:
// the output never outgrows the input, so writing behind the read position
// is safe and a redirect costs no scratch string.
void remove_dot_segments(std::string& s, size_t start) {
  const size_t end = s.size();
  size_t r = start, w = start;
  while (r < end) {
    size_t next = s.find('/', r + 1);
    if (next == std::string::npos) next = end;
    const size_t len = next - r - 1;
    const bool last = next == end;
    const bool dot = len == 1 && s[r + 1] == '.';
    const bool dotdot = len == 2 && s[r + 1] == '.' && s[r + 2] == '.';
    if (dot) {
      if (last) s[w++] = '/';
    } else if (dotdot) {
      while (w > start) {
        if (s[--w] == '/') break;
      }
      if (last) s[w++] = '/';
    } else {
      s[w] = '/';
      std::memmove(&s[w + 1], &s[r + 1], len);
      w += 1 + len;
    }
    r = next;
  }
  if (w == start) s[w++] = '/';
  s.resize(w);
}

std::string_view strip_fragment(std::string_view ref) { return ref.substr(0, ref.find('#')); }

}  // namespace

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool is_absolute_http_url(std::string_view text) {
  return istarts_with(text, kHttp) || istarts_with(text, kHttps);
}

bool parse_url(std::string_view text, UrlView& out, const char** error) {
  out = UrlView{};
  std::string_view rest;
  if (istarts_with(text, kHttps)) {
    out.tls = true;
    out.port = 443;
    rest = text.substr(kHttps.size());
  } else if (istarts_with(text, kHttp)) {
    out.port = 80;
    rest = text.substr(kHttp.size());
  } else {
    *error = has_scheme(text) ? "unsupported scheme (only http and https)"
                              : "not an absolute http(s) URL";
    return false;
  }

  // A plain loop: find_first_of probes the set once per byte.
  size_t authority_end = 0;
  while (authority_end < rest.size() && rest[authority_end] != '/' && rest[authority_end] != '?' &&
         rest[authority_end] != '#')
    ++authority_end;
  std::string_view authority = rest.substr(0, authority_end);
  out.origin = text.substr(0, text.size() - rest.size() + authority_end);
  if (authority.find('@') != std::string_view::npos) {
    *error = "credentials in URLs are not supported (send an Authorization header)";
    return false;
  }

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) {
      *error = "invalid IPv6 address in host";
      return false;
    }
    out.host = authority.substr(1, close - 1);
    out.authority_host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        *error = "invalid host";
        return false;
      }
      has_port = true;
      port_text = after.substr(1);
    }
    for (char c : out.host)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
            c == ':' || c == '.')) {
        *error = "invalid IPv6 address in host";
        return false;
      }
  } else {
    const size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    out.authority_host = out.host;
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (out.host.empty()) {
      *error = "missing host";
      return false;
    }
    for (char c : out.host)
      if (!valid_host_char(c) || c == ':') {
        *error = "invalid character in host";
        return false;
      }
  }

  // "http://h:/" is allowed by RFC 3986 and means the default port.
  if (has_port && !port_text.empty()) {
    const uint16_t scheme_port = out.port;
    if (!parse_port(port_text, out.port)) {
      *error = "invalid port";
      return false;
    }
    out.default_port = out.port == scheme_port;
  }

  std::string_view tail = strip_fragment(rest.substr(authority_end));
  const size_t q = tail.find('?');
  out.path = tail.substr(0, q);
  if (q != std::string_view::npos) out.query = tail.substr(q);
  // Spaces and other unsafe bytes stay: the request writer percent-encodes
  // them, as Python's requests does for Locust users.
  return true;
}

bool resolve_target(std::string& out, std::string_view base, std::string_view target) {
  if (is_absolute_http_url(target)) {
    out.assign(target);
    return true;
  }
  if (base.empty()) return false;
  out.assign(base);
  if (!target.empty() && target.front() != '/' && target.front() != '?') out.push_back('/');
  out.append(target);
  return true;
}

bool resolve_reference(std::string& out, std::string_view base, std::string_view location,
                       const char** error) {
  location = strip_fragment(location);
  UrlView b;
  if (has_scheme(location)) {
    out.assign(location);
  } else if (!parse_url(base, b, error)) {
    return false;
  } else if (location.starts_with("//")) {
    out.assign(b.tls ? "https:" : "http:");
    out.append(location);
  } else if (location.empty()) {
    out.assign(b.origin).append(b.path).append(b.query);
  } else if (location.front() == '?') {
    out.assign(b.origin).append(b.path.empty() ? "/" : b.path).append(location);
  } else {
    const size_t q = location.find('?');
    std::string_view path = location.substr(0, q);
    std::string_view query = q == std::string_view::npos ? "" : location.substr(q);
    out.assign(b.origin);
    const size_t path_start = out.size();
    if (path.front() != '/') {
      // Merge (5.2.3): the base path up to its last '/', then the reference.
      const size_t slash = b.path.rfind('/');
      out.append(slash == std::string_view::npos ? "/" : b.path.substr(0, slash + 1));
    }
    out.append(path);
    remove_dot_segments(out, path_start);
    out.append(query);
  }
  UrlView check;
  return parse_url(out, check, error);
}

}  // namespace loadhost::http1
