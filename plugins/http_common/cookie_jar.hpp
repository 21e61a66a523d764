// A user's cookies (RFC 6265, the parts a load test needs): Set-Cookie is
// stored per domain and path, sent back on matching requests, replaced by
// name, dropped when it expires (Max-Age or Expires). Enough for login and
// session cookies; no public-suffix list, no third-party rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost::http_common {

class CookieJar {
 public:
  // Jar size cap: a server that sets endless cookies cannot grow a user's
  // memory without bound (browsers cap too); cookies beyond it are ignored.
  static constexpr size_t kMaxCookies = 1000;

  // Takes one Set-Cookie value received in answer to a request for
  // host + path (path without the query). `now` is Unix time in seconds.
  // A cookie that does not parse, or names a Domain the host is not part of,
  // is ignored (as browsers do). An already expired one deletes its match.
  void store(std::string_view set_cookie, std::string_view host, std::string_view path,
             int64_t now);

  // Appends "a=1; b=2" with the cookies for a request to host + path (most
  // specific path first); `secure` is true for https. Expired cookies are
  // dropped on the way. Appends nothing when none match.
  void append_header(std::string& out, std::string_view host, std::string_view path, bool secure,
                     int64_t now);

  bool empty() const { return cookies_.empty(); }
  size_t size() const { return cookies_.size(); }

 private:
  static constexpr int64_t kSessionCookie = INT64_MAX;  // no expiry: lives with the user

  struct Cookie {
    std::string name;
    std::string value;
    std::string domain;  // lower case, no leading dot
    std::string path;
    int64_t expires = kSessionCookie;  // Unix seconds
    bool host_only = true;             // no Domain attribute: exact host only
    bool secure = false;
  };

  static bool matches(const Cookie& c, std::string_view host, std::string_view path, bool secure);

  std::vector<Cookie> cookies_;  // ordered by path length, longest first
};

// Parses a cookie date with RFC 6265's tolerant algorithm (5.1.1): any of
// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994". Returns false when it is not a date.
bool parse_cookie_date(std::string_view text, int64_t& unix_seconds);

}  // namespace loadhost::http_common
