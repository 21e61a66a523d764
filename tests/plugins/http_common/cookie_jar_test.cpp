#include "http_common/cookie_jar.hpp"

#include <gtest/gtest.h>

namespace loadhost::http_common {
namespace {

constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14

std::string header(CookieJar& jar, std::string_view host, std::string_view path, bool secure = false,
                   int64_t now = kNow) {
  std::string out;
  jar.append_header(out, host, path, secure, now);
  return out;
}

TEST(CookieJar, SessionCookieIsSentBack) {
  CookieJar jar;
  jar.store("sid=abc123; HttpOnly; SameSite=Lax", "shop.example", "/login", kNow);
  EXPECT_EQ(header(jar, "shop.example", "/cart"), "sid=abc123");
  EXPECT_EQ(header(jar, "other.example", "/cart"), "");
}

TEST(CookieJar, DefaultPathIsTheRequestDirectory) {
  CookieJar jar;
  jar.store("a=1", "h", "/login", kNow);          // directory "/"
  jar.store("b=2", "h", "/account/settings", kNow);  // directory "/account"
  EXPECT_EQ(header(jar, "h", "/"), "a=1");
  EXPECT_EQ(header(jar, "h", "/account"), "b=2; a=1");
  EXPECT_EQ(header(jar, "h", "/account/x"), "b=2; a=1");
  EXPECT_EQ(header(jar, "h", "/accounts"), "a=1");
}

TEST(CookieJar, PathAttributeAndMostSpecificFirst) {
  CookieJar jar;
  jar.store("root=1; Path=/", "h", "/", kNow);
  jar.store("api=2; Path=/api/", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/api/v1"), "api=2; root=1");
  EXPECT_EQ(header(jar, "h", "/api"), "root=1");  // "/api/" does not path-match "/api"
}

TEST(CookieJar, DomainAttribute) {
  CookieJar jar;
  jar.store("wide=1; Domain=.Example.com", "www.example.com", "/", kNow);
  jar.store("narrow=2", "www.example.com", "/", kNow);
  EXPECT_EQ(header(jar, "api.example.com", "/"), "wide=1");
  EXPECT_EQ(header(jar, "example.com", "/"), "wide=1");
  EXPECT_EQ(header(jar, "WWW.example.com", "/"), "wide=1; narrow=2");
  EXPECT_EQ(header(jar, "badexample.com", "/"), "");
  // A host may not set cookies for a domain it is not part of.
  jar.store("evil=1; Domain=other.com", "www.example.com", "/", kNow);
  EXPECT_EQ(header(jar, "other.com", "/"), "");
  EXPECT_EQ(jar.size(), 2u);
}

TEST(CookieJar, SecureOnlyOverHttps) {
  CookieJar jar;
  jar.store("s=1; Secure", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/", false), "");
  EXPECT_EQ(header(jar, "h", "/", true), "s=1");
}

TEST(CookieJar, ReplacedByNameAndDeletedWhenExpired) {
  CookieJar jar;
  jar.store("sid=one", "h", "/", kNow);
  jar.store("sid=two", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "sid=two");
  jar.store("sid=; Max-Age=0", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "");
  EXPECT_TRUE(jar.empty());
  jar.store("sid=three", "h", "/", kNow);
  jar.store("sid=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "h", "/", kNow);
  EXPECT_TRUE(jar.empty());
}

TEST(CookieJar, ExpiresWithTime) {
  CookieJar jar;
  jar.store("short=1; Max-Age=60", "h", "/", kNow);
  jar.store("dated=2; Expires=Wed, 15 Nov 2023 00:00:00 GMT", "h", "/", kNow);
  // Max-Age wins over Expires, in either order.
  jar.store("both=3; Max-Age=10; Expires=Wed, 01 Jan 2098 00:00:00 GMT", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "short=1; dated=2; both=3");
  EXPECT_EQ(header(jar, "h", "/", false, kNow + 30), "short=1; dated=2");
  EXPECT_EQ(header(jar, "h", "/", false, kNow + 61), "dated=2");
  EXPECT_EQ(header(jar, "h", "/", false, 1'700'006'400), "");
  EXPECT_TRUE(jar.empty());
}

TEST(CookieJar, IgnoresWhatDoesNotParse) {
  CookieJar jar;
  jar.store("no-equals-sign", "h", "/", kNow);
  jar.store("=value", "h", "/", kNow);
  jar.store("  spaced  =  value with spaces  ; Path=/", "h", "/", kNow);
  EXPECT_EQ(header(jar, "h", "/"), "spaced=value with spaces");
}

TEST(CookieJar, ParsesCookieDates) {
  int64_t t = 0;
  ASSERT_TRUE(parse_cookie_date("Sun, 06 Nov 1994 08:49:37 GMT", t));
  EXPECT_EQ(t, 784111777);
  ASSERT_TRUE(parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT", t));
  EXPECT_EQ(t, 784111777);
  ASSERT_TRUE(parse_cookie_date("Sun Nov  6 08:49:37 1994", t));
  EXPECT_EQ(t, 784111777);
  ASSERT_TRUE(parse_cookie_date("Thu, 01 Jan 1970 00:00:00 GMT", t));
  EXPECT_EQ(t, 0);
  ASSERT_TRUE(parse_cookie_date("Tue, 29 Feb 2028 23:59:59 GMT", t));
  EXPECT_EQ(t, 1835481599);
  EXPECT_FALSE(parse_cookie_date("tomorrow", t));
  EXPECT_FALSE(parse_cookie_date("Sun, 06 Nov 1994 25:49:37 GMT", t));
  EXPECT_FALSE(parse_cookie_date("Sun, 06 Foo 1994 08:49:37 GMT", t));
}

}  // namespace
}  // namespace loadhost::http_common
