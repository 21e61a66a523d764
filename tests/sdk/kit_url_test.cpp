// The kit's URL parser (sdk/include/loadhost/kit/url.hpp): a table of good
// and bad URLs, each checked field by field or by its reason.
#include <gtest/gtest.h>

#include <loadhost/kit/url.hpp>

namespace loadhost::kit {
namespace {

constexpr SchemePort kHttp[] = {{"http", 80}, {"https", 443}};

struct Good {
  const char *text;
  const char *scheme, *userinfo, *host, *authority_host;
  uint16_t port;
  bool port_given, default_port;
  const char *path, *query, *fragment;
};

TEST(KitUrl, GoodUrlsSplitIntoTheirParts) {
  const Good cases[] = {
      {"http://example.com", "http", "", "example.com", "example.com", 80, false, true, "", "", ""},
      {"HTTPS://Example.com/a/b?x=1#top", "https", "", "Example.com", "Example.com", 443, false, true, "/a/b", "?x=1",
       "#top"},
      {"http://127.0.0.1:8080/", "http", "", "127.0.0.1", "127.0.0.1", 8080, true, false, "/", "", ""},
      {"https://h:443/p", "https", "", "h", "h", 443, true, true, "/p", "", ""},
      {"http://[::1]:8443/x", "http", "", "::1", "[::1]", 8443, true, false, "/x", "", ""},
      {"https://[2001:db8::7]", "https", "", "2001:db8::7", "[2001:db8::7]", 443, false, true, "", "", ""},
      {"http://user:secret@h:81/", "http", "user:secret", "h", "h", 81, true, false, "/", "", ""},
      {"http://h:/p", "http", "", "h", "h", 80, false, true, "/p", "", ""},  // empty port = default (RFC 3986)
      {"http://h?q", "http", "", "h", "h", 80, false, true, "", "?q", ""},
      // Percent-encoding is left exactly as written.
      {"http://h/a%20b?c=%2F", "http", "", "h", "h", 80, false, true, "/a%20b", "?c=%2F", ""},
  };
  for (const Good &c : cases) {
    Url u;
    ASSERT_EQ(parse_url(c.text, kHttp, u), nullptr) << c.text;
    EXPECT_EQ(u.scheme, c.scheme) << c.text;
    EXPECT_EQ(u.userinfo, c.userinfo) << c.text;
    EXPECT_EQ(u.host, c.host) << c.text;
    EXPECT_EQ(u.authority_host, c.authority_host) << c.text;
    EXPECT_EQ(u.port, c.port) << c.text;
    EXPECT_EQ(u.port_given, c.port_given) << c.text;
    EXPECT_EQ(u.default_port, c.default_port) << c.text;
    EXPECT_EQ(u.path, c.path) << c.text;
    EXPECT_EQ(u.query, c.query) << c.text;
    EXPECT_EQ(u.fragment, c.fragment) << c.text;
  }
}

TEST(KitUrl, OriginIsTheTextUpToThePath) {
  Url u;
  ASSERT_EQ(parse_url("https://shop.example:8443/cart?id=1", kHttp, u), nullptr);
  EXPECT_EQ(u.origin, "https://shop.example:8443");
  ASSERT_EQ(parse_url("http://[::1]?q", kHttp, u), nullptr);
  EXPECT_EQ(u.origin, "http://[::1]");
  EXPECT_TRUE(u.ipv6);
}

TEST(KitUrl, BadUrlsSayWhy) {
  const std::pair<const char *, const char *> cases[] = {
      {"", "not an absolute URL"},
      {"/relative/path", "not an absolute URL"},
      {"//h/p", "not an absolute URL"},
      {"example.com:80", "unsupported scheme"},  // "example.com" reads as a scheme
      {"ftp://h/", "unsupported scheme"},
      {"http:/h", "not an absolute URL"},
      {"http://", "missing host"},
      {"http://:80/", "missing host"},
      {"http://user@/", "missing host"},
      {"http://h:0/", "invalid port (1-65535)"},
      {"http://h:65536/", "invalid port (1-65535)"},
      {"http://h:8o/", "invalid port (1-65535)"},
      {"http://h:-1/", "invalid port (1-65535)"},
      {"http://[::1/", "invalid IPv6 address in host"},
      {"http://[]/", "invalid IPv6 address in host"},
      {"http://[fe80::1%eth0]/", "invalid IPv6 address in host"},
      {"http://[::1]x/", "invalid character in host"},
      {"http://a b/", "invalid character in host"},
      {"http://h:1:2/", "invalid port (1-65535)"},
  };
  for (const auto &[text, why] : cases) {
    Url u;
    const char *reason = parse_url(text, kHttp, u);
    ASSERT_NE(reason, nullptr) << text;
    EXPECT_STREQ(reason, why) << text;
  }
}

TEST(KitUrl, SchemeTableGivesPortsAndTheErrorText) {
  constexpr SchemePort kMqtt[] = {{"mqtt", 1883}, {"mqtts", 8883}};
  Url u;
  ASSERT_EQ(parse_url("mqtts://broker", kMqtt, u), nullptr);
  EXPECT_EQ(u.port, 8883);
  EXPECT_NE(parse_url("http://broker", kMqtt, u), nullptr);
  EXPECT_EQ(scheme_list(kMqtt), "mqtt:// or mqtts://");
  constexpr SchemePort kThree[] = {{"a", 1}, {"b", 2}, {"c", 3}};
  EXPECT_EQ(scheme_list(kThree), "a://, b:// or c://");
}

TEST(KitUrl, IpLiterals) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("example.com"));
  EXPECT_FALSE(is_ip_literal(""));
}

}  // namespace
}  // namespace loadhost::kit
