#include "cookie_jar.hpp"

#include <algorithm>

#include "http_text.hpp"
#include "url.hpp"

namespace loadhost::http_common {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 6265 5.1.1 delimiters between date tokens.
bool is_date_delimiter(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x09 || (u >= 0x20 && u <= 0x2f) || (u >= 0x3b && u <= 0x40) ||
         (u >= 0x5b && u <= 0x60) || (u >= 0x7b && u <= 0x7e);
}

// Reads min..max digits at the start of `s` into `value`; the digits must be
// followed by a non-digit or the end. Advances `s` past them.
bool take_digits(std::string_view& s, size_t min, size_t max, int& value) {
  size_t n = 0;
  value = 0;
  while (n < s.size() && is_digit(s[n])) {
    if (n == max) return false;
    value = value * 10 + (s[n] - '0');
    ++n;
  }
  if (n < min) return false;
  s.remove_prefix(n);
  return true;
}

bool parse_time(std::string_view t, int& h, int& m, int& s) {
  return take_digits(t, 1, 2, h) && !t.empty() && t.front() == ':' && (t.remove_prefix(1), true) &&
         take_digits(t, 1, 2, m) && !t.empty() && t.front() == ':' && (t.remove_prefix(1), true) &&
         take_digits(t, 1, 2, s);
}

int parse_month(std::string_view t) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() < 3) return 0;
  for (int i = 0; i < 12; ++i)
    if (iequals(t.substr(0, 3), kMonths[i])) return i + 1;
  return 0;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil): no timegm(), which depends on the C library's TZ state.
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool iends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

// RFC 6265 5.1.3.
bool domain_match(std::string_view host, std::string_view domain) {
  if (iequals(host, domain)) return true;
  return host.size() > domain.size() && iends_with(host, domain) &&
         host[host.size() - domain.size() - 1] == '.' && !is_ip_literal(host);
}

// RFC 6265 5.1.4.
bool path_match(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  return request_path.starts_with(cookie_path) &&
         (cookie_path.back() == '/' || request_path[cookie_path.size()] == '/');
}

// The directory of the request path: where a cookie without Path applies.
std::string_view default_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "/";
  const size_t slash = path.rfind('/');
  return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

}  // namespace

bool parse_cookie_date(std::string_view text, int64_t& unix_seconds) {
  bool have_time = false, have_day = false, have_month = false, have_year = false;
  int hour = 0, minute = 0, second = 0, day = 0, month = 0, year = 0;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_date_delimiter(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !is_date_delimiter(text[j])) ++j;
    std::string_view token = text.substr(i, j - i);
    i = j;
    if (token.empty()) continue;
    std::string_view t = token;
    int v = 0;
    if (!have_time && parse_time(token, hour, minute, second)) {
      have_time = true;
    } else if (!have_day && take_digits(t, 1, 2, v)) {
      have_day = true;
      day = v;
    } else if (!have_month && (v = parse_month(token)) != 0) {
      have_month = true;
      month = v;
    } else if (t = token; !have_year && take_digits(t, 2, 4, v)) {
      have_year = true;
      year = v;
    }
  }
  if (year >= 70 && year <= 99) year += 1900;
  if (year >= 0 && year <= 69) year += 2000;
  if (!have_time || !have_day || !have_month || !have_year || day < 1 || day > 31 ||
      year < 1601 || hour > 23 || minute > 59 || second > 59)
    return false;
  unix_seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return true;
}

void CookieJar::store(std::string_view set_cookie, std::string_view host, std::string_view path,
                      int64_t now) {
  const size_t semi = set_cookie.find(';');
  const std::string_view pair = set_cookie.substr(0, semi);
  std::string_view attributes =
      semi == std::string_view::npos ? std::string_view{} : set_cookie.substr(semi + 1);
  const size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return;
  const std::string_view name = trim_ows(pair.substr(0, eq));
  const std::string_view value = trim_ows(pair.substr(eq + 1));
  if (name.empty()) return;

  int64_t expires = kSessionCookie;
  bool have_max_age = false, secure = false;
  std::string_view domain, cookie_path = default_path(path);
  while (!attributes.empty()) {
    const size_t next = attributes.find(';');
    const std::string_view av = attributes.substr(0, next);
    attributes.remove_prefix(next == std::string_view::npos ? attributes.size() : next + 1);
    const size_t aeq = av.find('=');
    const std::string_view key = trim_ows(av.substr(0, aeq));
    const std::string_view val =
        aeq == std::string_view::npos ? std::string_view{} : trim_ows(av.substr(aeq + 1));
    if (iequals(key, "max-age")) {
      // Max-Age wins over Expires whatever their order (RFC 6265 5.3).
      std::string_view digits = val.starts_with('-') ? val.substr(1) : val;
      int64_t seconds = 0;
      bool ok = !digits.empty() && digits.size() <= 12;
      for (char c : digits) {
        ok = ok && is_digit(c);
        seconds = seconds * 10 + (c - '0');
      }
      if (!ok) continue;
      have_max_age = true;
      expires = (val.starts_with('-') || seconds == 0) ? INT64_MIN : now + seconds;
    } else if (iequals(key, "expires")) {
      int64_t at = 0;
      if (!have_max_age && parse_cookie_date(val, at)) expires = at;
    } else if (iequals(key, "domain")) {
      domain = val.starts_with('.') ? val.substr(1) : val;
    } else if (iequals(key, "path")) {
      if (val.starts_with('/')) cookie_path = val;
    } else if (iequals(key, "secure")) {
      secure = true;
    }
  }

  const bool host_only = domain.empty();
  if (host_only) domain = host;
  else if (!domain_match(host, domain)) return;  // a host may not set another's cookies

  const bool expired = expires != kSessionCookie && expires <= now;
  for (auto it = cookies_.begin(); it != cookies_.end(); ++it) {
    if (it->name != name || !iequals(it->domain, domain) || it->path != cookie_path) continue;
    if (expired) {
      cookies_.erase(it);
    } else {
      it->value.assign(value);  // reuses the string's capacity
      it->expires = expires;
      it->host_only = host_only;
      it->secure = secure;
    }
    return;
  }
  if (expired || cookies_.size() >= kMaxCookies) return;

  Cookie c;
  c.name.assign(name);
  c.value.assign(value);
  c.domain.resize(domain.size());
  std::transform(domain.begin(), domain.end(), c.domain.begin(), ascii_lower);
  c.path.assign(cookie_path);
  c.expires = expires;
  c.host_only = host_only;
  c.secure = secure;
  // Longer paths first: RFC 6265 5.4 wants the more specific cookie sent first.
  auto at = std::find_if(cookies_.begin(), cookies_.end(),
                         [&](const Cookie& o) { return o.path.size() < c.path.size(); });
  cookies_.insert(at, std::move(c));
}

bool CookieJar::matches(const Cookie& c, std::string_view host, std::string_view path,
                        bool secure) {
  if (c.secure && !secure) return false;
  if (c.host_only ? !iequals(host, c.domain) : !domain_match(host, c.domain)) return false;
  return path_match(path.empty() ? std::string_view("/") : path, c.path);
}

void CookieJar::append_header(std::string& out, std::string_view host, std::string_view path,
                              bool secure, int64_t now) {
  std::erase_if(cookies_, [&](const Cookie& c) { return c.expires <= now; });
  bool first = true;
  for (const Cookie& c : cookies_) {
    if (!matches(c, host, path, secure)) continue;
    if (!first) out.append("; ");
    out.append(c.name).push_back('=');
    out.append(c.value);
    first = false;
  }
}

}  // namespace loadhost::http_common
