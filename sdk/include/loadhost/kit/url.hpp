// loadhost plugin kit — one URL parser for every plugin's base URL and targets.
//
//   scheme://[userinfo@]host[:port][/path][?query][#fragment]
//
// The caller gives the schemes it serves with their default ports (a table:
// {"http", 80}, {"https", 443}); the parser splits the text into views, with
// the IPv6 literal's brackets removed from `host` (kept in authority_host),
// and the port made effective. Percent-encoding is left as written: what a
// path or query means is the protocol's business, and re-encoding would
// change what is sent. Nothing is allocated, so a plugin can parse a URL per
// request. Header-only, C++17.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "loadhost/kit/text.hpp"

namespace loadhost {
namespace kit {

// A scheme the caller serves, and the port a URL without one means.
struct SchemePort {
  std::string_view scheme;  // lower case: "https"
  uint16_t default_port;
};

// A parsed absolute URL; every view points into the parsed text.
struct Url {
  std::string_view scheme;          // as in the caller's table (lower case)
  std::string_view origin;          // "https://shop.example:8443", as written (userinfo included)
  std::string_view userinfo;        // "user:secret" (before '@'), empty when none
  bool has_userinfo = false;        // '@' present, even "http://@host"
  std::string_view host;            // "shop.example", "::1" (no brackets)
  std::string_view authority_host;  // host as written: "[::1]" keeps its brackets
  uint16_t port = 0;                // effective port: the scheme's default when omitted
  bool port_given = false;          // a non-empty port was written
  bool default_port = true;         // port omitted or equal to the scheme's default
  std::string_view path;            // "/a/b", may be empty (means "/")
  std::string_view query;           // "?x=1" including '?', or empty
  std::string_view fragment;        // "#top" including '#', or empty
  bool ipv6 = false;                // host was a bracketed IPv6 literal
};

namespace url_detail {

constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Anything printable except what would end or corrupt the authority.
constexpr bool is_host_char(char c) {
  return c > ' ' && c != 0x7f && c != '/' && c != '?' && c != '#' && c != '@' && c != '[' && c != ']' && c != ':';
}

constexpr bool is_ipv6_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

}  // namespace url_detail

// The length of the scheme when `text` starts with one followed by ':'
// (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )), else 0.
constexpr size_t scheme_length(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (url_detail::is_alpha(text[i]) ||
                             (i > 0 && (url_detail::is_digit(text[i]) || text[i] == '+' || text[i] == '-' ||
                                        text[i] == '.'))))
    ++i;
  return i > 0 && i < text.size() && text[i] == ':' ? i : 0;
}

// A port: 1 to 65535, digits only.
constexpr bool parse_port(std::string_view digits, uint16_t &port) {
  if (digits.empty() || digits.size() > 5) return false;
  uint32_t value = 0;
  for (char c : digits) {
    if (!url_detail::is_digit(c)) return false;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value == 0 || value > 65535) return false;
  port = uint16_t(value);
  return true;
}

// Parses an absolute URL whose scheme (any case) is one of `schemes`.
// Returns nullptr on success, else a static one-line reason:
//   "not an absolute URL", "unsupported scheme", "missing host",
//   "invalid character in host", "invalid IPv6 address in host",
//   "invalid port (1-65535)".
// A scheme-relative or relative reference is "not an absolute URL"; an empty
// port ("http://h:/") means the default, as RFC 3986 allows.
inline const char *parse_url(std::string_view text, const SchemePort *schemes, size_t scheme_count, Url &out) {
  using namespace url_detail;
  out = Url{};
  const size_t scheme_len = scheme_length(text);
  if (scheme_len == 0) return "not an absolute URL";
  const std::string_view scheme = text.substr(0, scheme_len);
  const SchemePort *known = nullptr;
  for (size_t i = 0; i < scheme_count; ++i)
    if (iequals(schemes[i].scheme, scheme)) known = &schemes[i];
  if (known == nullptr) return "unsupported scheme";
  if (text.substr(scheme_len, 3) != "://") return "not an absolute URL";
  out.scheme = known->scheme;
  out.port = known->default_port;

  const std::string_view rest = text.substr(scheme_len + 3);
  size_t authority_end = 0;  // a plain loop: find_first_of probes the set per byte
  while (authority_end < rest.size() && rest[authority_end] != '/' && rest[authority_end] != '?' &&
         rest[authority_end] != '#')
    ++authority_end;
  std::string_view authority = rest.substr(0, authority_end);
  out.origin = text.substr(0, scheme_len + 3 + authority_end);

  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out.has_userinfo = true;
    out.userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return "invalid IPv6 address in host";
    out.ipv6 = true;
    out.host = authority.substr(1, close - 1);
    out.authority_host = authority.substr(0, close + 1);
    for (char c : out.host)
      if (!is_ipv6_char(c)) return "invalid IPv6 address in host";
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "invalid character in host";
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = authority.substr(0, colon);
    out.authority_host = out.host;
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (out.host.empty()) return "missing host";
    for (char c : out.host)
      if (!is_host_char(c)) return "invalid character in host";
  }
  if (!port_text.empty()) {
    if (!parse_port(port_text, out.port)) return "invalid port (1-65535)";
    out.port_given = true;
    out.default_port = out.port == known->default_port;
  }

  std::string_view tail = rest.substr(authority_end);
  const size_t hash = tail.find('#');
  if (hash != std::string_view::npos) {
    out.fragment = tail.substr(hash);
    tail = tail.substr(0, hash);
  }
  const size_t q = tail.find('?');
  out.path = tail.substr(0, q);
  if (q != std::string_view::npos) out.query = tail.substr(q);
  return nullptr;
}

template <size_t N>
const char *parse_url(std::string_view text, const SchemePort (&schemes)[N], Url &out) {
  return parse_url(text, schemes, N, out);
}

// "http or https" from a scheme table, for error texts.
inline std::string scheme_list(const SchemePort *schemes, size_t scheme_count) {
  std::string out;
  for (size_t i = 0; i < scheme_count; ++i) {
    if (i > 0) out.append(i + 1 == scheme_count ? " or " : ", ");
    out.append(schemes[i].scheme).append("://");
  }
  return out;
}

template <size_t N>
std::string scheme_list(const SchemePort (&schemes)[N]) {
  return scheme_list(schemes, N);
}

// True for an IPv4 or IPv6 address as in Url::host (no brackets): such hosts
// get no TLS server name (SNI) and no domain cookies.
constexpr bool is_ip_literal(std::string_view host) {
  if (host.empty()) return false;
  bool ipv4 = true;
  for (char c : host) {
    if (c == ':') return true;  // IPv6
    if (!url_detail::is_digit(c) && c != '.') ipv4 = false;
  }
  return ipv4;
}

}  // namespace kit
}  // namespace loadhost
