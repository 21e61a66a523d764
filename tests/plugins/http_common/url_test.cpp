#include "http_common/url.hpp"

#include <gtest/gtest.h>

namespace loadhost::http_common {
namespace {

UrlView parse_ok(std::string_view text) {
  UrlView u;
  const char* error = "";
  EXPECT_TRUE(parse_url(text, u, &error)) << text << ": " << error;
  return u;
}

std::string parse_error(std::string_view text) {
  UrlView u;
  const char* error = "";
  EXPECT_FALSE(parse_url(text, u, &error)) << text;
  return error;
}

TEST(Url, ParsesHttpWithDefaults) {
  UrlView u = parse_ok("http://shop.example/cart/items?id=4#top");
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.origin, "http://shop.example");
  EXPECT_EQ(u.host, "shop.example");
  EXPECT_EQ(u.port, 80);
  EXPECT_TRUE(u.default_port);
  EXPECT_EQ(u.path, "/cart/items");
  EXPECT_EQ(u.query, "?id=4");
}

TEST(Url, ParsesHttpsWithPort) {
  UrlView u = parse_ok("HTTPS://Shop.Example:8443");
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.host, "Shop.Example");
  EXPECT_EQ(u.port, 8443);
  EXPECT_FALSE(u.default_port);
  EXPECT_EQ(u.path, "");
  EXPECT_EQ(u.query, "");
  EXPECT_TRUE(parse_ok("https://h:443/").default_port);
  EXPECT_TRUE(parse_ok("http://h:/x").default_port);
}

TEST(Url, ParsesIpv6Literal) {
  UrlView u = parse_ok("http://[::1]:8080/x");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.authority_host, "[::1]");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.origin, "http://[::1]:8080");
}

TEST(Url, QueryWithoutPath) {
  UrlView u = parse_ok("http://h?x=1");
  EXPECT_EQ(u.path, "");
  EXPECT_EQ(u.query, "?x=1");
}

TEST(Url, RejectsWithReason) {
  EXPECT_EQ(parse_error("ftp://h/x"), "unsupported scheme (only http and https)");
  EXPECT_EQ(parse_error("/relative"), "not an absolute http(s) URL");
  EXPECT_EQ(parse_error("http:///x"), "missing host");
  EXPECT_EQ(parse_error("http://h:99999/"), "invalid port (1-65535)");
  EXPECT_EQ(parse_error("http://h:8a/"), "invalid port (1-65535)");
  EXPECT_EQ(parse_error("http://h:0/"), "invalid port (1-65535)");
  EXPECT_EQ(parse_error("http://[::1/"), "invalid IPv6 address in host");
  EXPECT_EQ(parse_error("http://a b/"), "invalid character in host");
  EXPECT_NE(parse_error("http://user:pw@h/").find("credentials"), std::string::npos);
}

TEST(Url, ResolveTargetFollowsLocust) {
  std::string out;
  EXPECT_TRUE(resolve_target(out, "http://h:8080", "/a?b=1"));
  EXPECT_EQ(out, "http://h:8080/a?b=1");
  EXPECT_TRUE(resolve_target(out, "http://h/api", "items"));
  EXPECT_EQ(out, "http://h/api/items");
  EXPECT_TRUE(resolve_target(out, "http://h", "?q=1"));
  EXPECT_EQ(out, "http://h?q=1");
  EXPECT_TRUE(resolve_target(out, "http://h", ""));
  EXPECT_EQ(out, "http://h");
  EXPECT_TRUE(resolve_target(out, "http://h", "https://other/x"));
  EXPECT_EQ(out, "https://other/x");
  EXPECT_TRUE(resolve_target(out, "", "HTTP://other/x"));
  EXPECT_FALSE(resolve_target(out, "", "/x"));
}

std::string resolve(std::string_view base, std::string_view location) {
  std::string out;
  const char* error = "";
  EXPECT_TRUE(resolve_reference(out, base, location, &error)) << location << ": " << error;
  return out;
}

TEST(Url, ResolvesRedirectLocations) {
  const std::string_view base = "https://h:8443/a/b/c?x=1";
  EXPECT_EQ(resolve(base, "http://other/z"), "http://other/z");
  EXPECT_EQ(resolve(base, "//cdn.example/z"), "https://cdn.example/z");
  EXPECT_EQ(resolve(base, "/login?next=%2F"), "https://h:8443/login?next=%2F");
  EXPECT_EQ(resolve(base, "d"), "https://h:8443/a/b/d");
  EXPECT_EQ(resolve(base, "./d/"), "https://h:8443/a/b/d/");
  EXPECT_EQ(resolve(base, "../d"), "https://h:8443/a/d");
  EXPECT_EQ(resolve(base, "../../../../d"), "https://h:8443/d");
  EXPECT_EQ(resolve(base, ".."), "https://h:8443/a/");
  EXPECT_EQ(resolve(base, "/x/./y/../z"), "https://h:8443/x/z");
  EXPECT_EQ(resolve(base, "?y=2"), "https://h:8443/a/b/c?y=2");
  EXPECT_EQ(resolve(base, "#frag"), "https://h:8443/a/b/c?x=1");
  EXPECT_EQ(resolve("http://h", "d"), "http://h/d");
}

TEST(Url, RejectsRedirectToOtherSchemes) {
  std::string out;
  const char* error = "";
  EXPECT_FALSE(resolve_reference(out, "http://h/", "ftp://h/file", &error));
  EXPECT_STREQ(error, "unsupported scheme (only http and https)");
}

}  // namespace
}  // namespace loadhost::http_common
