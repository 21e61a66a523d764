#include "url.hpp"

#include <cstring>

#include "http_text.hpp"

namespace loadhost::http_common {
namespace {

constexpr kit::SchemePort kHttpSchemes[] = {{"http", 80}, {"https", 443}};

bool has_scheme(std::string_view ref) { return kit::scheme_length(ref) > 0; }

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

bool is_absolute_http_url(std::string_view text) {
  return istarts_with(text, "http://") || istarts_with(text, "https://");
}

bool parse_url(std::string_view text, UrlView& out, const char** error) {
  out = UrlView{};
  kit::Url url;
  if (const char* why = kit::parse_url(text, kHttpSchemes, url)) {
    const std::string_view reason = why;
    *error = reason == "unsupported scheme"    ? "unsupported scheme (only http and https)"
             : reason == "not an absolute URL" ? "not an absolute http(s) URL"
                                               : why;
    return false;
  }
  if (url.has_userinfo) {
    *error = "credentials in URLs are not supported (send an Authorization header)";
    return false;
  }
  out.tls = url.scheme == "https";
  out.origin = url.origin;
  out.host = url.host;
  out.authority_host = url.authority_host;
  out.port = url.port;
  out.default_port = url.default_port;
  out.path = url.path;
  out.query = url.query;
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

}  // namespace loadhost::http_common
