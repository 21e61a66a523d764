// http(s) URLs as both HTTP plugins need them: where to connect (scheme,
// host, port), what to put on the request line or :path (path and query),
// how a target joins the base URL and where a redirect leads. The parsing is
// the plugin kit's (loadhost/kit/url.hpp); this adds HTTP's rules.
//
// Everything here works on views and caller-owned strings so that resolving
// a request's target costs no allocation once the strings have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadhost/kit/url.hpp"

namespace loadhost::http_common {

// A parsed absolute http(s) URL; every view points into the parsed text.
struct UrlView {
  bool tls = false;                 // https
  std::string_view origin;          // "https://shop.example:8443", as written
  std::string_view host;            // "shop.example", "::1" (no brackets)
  std::string_view authority_host;  // host as written: "[::1]" keeps brackets
  uint16_t port = 0;                // effective port (80/443 when omitted)
  bool default_port = true;         // port omitted or equal to the scheme's
  std::string_view path;            // "/a/b", may be empty (means "/")
  std::string_view query;           // "?x=1" including '?', or empty
};

// Parses an absolute http(s) URL (the fragment is dropped). On failure
// returns false and sets *error to a static reason: the kit's
// ("invalid port (1-65535)"), "unsupported scheme (only http and https)",
// or, for a URL with userinfo, that credentials belong in a header.
bool parse_url(std::string_view text, UrlView& out, const char** error);

// True when `text` starts with "http://" or "https://" (any case): a target
// that names its own origin instead of being relative to the base URL.
bool is_absolute_http_url(std::string_view text);

// Locust's rule for a request target: an absolute URL is used as is,
// anything else is appended to the session's base URL (`base`, no trailing
// '/'), with a '/' inserted when the target does not start with '/' or '?'.
// Returns false when the target is relative and there is no base URL.
bool resolve_target(std::string& out, std::string_view base, std::string_view target);

// Resolves a redirect's Location against the URL that answered (RFC 3986
// section 5.2, including dot-segment removal). `out` must not alias `base`.
// Returns false with *error when the result is not an http(s) URL.
bool resolve_reference(std::string& out, std::string_view base, std::string_view location,
                       const char** error);

// True for an IPv4 or IPv6 address (as in UrlView::host, no brackets): such
// hosts get no SNI and no domain cookies.
using kit::is_ip_literal;

}  // namespace loadhost::http_common
