#include "request_writer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace loadhost::http1 {
namespace {

lh_kv kv(std::string_view k, std::string_view v) { return {{k.data(), k.size()}, {v.data(), v.size()}}; }

const std::vector<Header> kDefaults = {{"User-Agent", "loadhost/0.1"}};

std::string write(RequestHead r) {
  std::string out, error;
  EXPECT_TRUE(write_request(out, r, error)) << error;
  return out;
}

TEST(RequestWriter, SimpleGet) {
  RequestHead r;
  r.method = "GET";
  r.path = "/item/42";
  r.query = "?color=red";
  r.host = "shop.example";
  r.defaults = kDefaults;
  EXPECT_EQ(write(r),
            "GET /item/42?color=red HTTP/1.1\r\n"
            "Host: shop.example\r\n"
            "User-Agent: loadhost/0.1\r\n"
            "\r\n");
}

TEST(RequestWriter, PostWithBodyHeadersCookieAndPort) {
  const std::vector<lh_kv> headers = {kv("Content-Type", "application/json"), kv("X-Trace", "1")};
  RequestHead r;
  r.method = "POST";
  r.path = "/cart";
  r.host = "[::1]";
  r.port = 8080;
  r.defaults = kDefaults;
  r.headers = headers;
  r.cookie = "sid=abc; lang=en";
  r.body = "{\"sku\":1}";
  EXPECT_EQ(write(r),
            "POST /cart HTTP/1.1\r\n"
            "Host: [::1]:8080\r\n"
            "User-Agent: loadhost/0.1\r\n"
            "Content-Type: application/json\r\n"
            "X-Trace: 1\r\n"
            "Cookie: sid=abc; lang=en\r\n"
            "Content-Length: 9\r\n"
            "\r\n"
            "{\"sku\":1}");
}

TEST(RequestWriter, EmptyPostGetsContentLengthZeroAndEmptyPathIsSlash) {
  RequestHead r;
  r.method = "POST";
  r.host = "h";
  EXPECT_EQ(write(r), "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  r.method = "DELETE";
  EXPECT_EQ(write(r), "DELETE / HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST(RequestWriter, CallerHeadersReplaceOurs) {
  const std::vector<lh_kv> headers = {kv("user-agent", "locust"), kv("HOST", "virtual.example"),
                                      kv("Cookie", "mine=1"), kv("Transfer-Encoding", "chunked")};
  RequestHead r;
  r.method = "PUT";
  r.path = "/x";
  r.host = "h";
  r.defaults = kDefaults;
  r.headers = headers;
  r.cookie = "jar=1";
  r.body = "1\r\na\r\n0\r\n\r\n";
  EXPECT_EQ(write(r),
            "PUT /x HTTP/1.1\r\n"
            "user-agent: locust\r\n"
            "HOST: virtual.example\r\n"
            "Cookie: mine=1\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "1\r\na\r\n0\r\n\r\n");
}

TEST(RequestWriter, PercentEncodesUnsafeTargetBytes) {
  RequestHead r;
  r.method = "GET";
  r.path = "/search results/\xC3\xA9";
  r.query = "?q=a b|c&ok=%20";
  r.host = "h";
  EXPECT_EQ(write(r), "GET /search%20results/%C3%A9?q=a%20b%7Cc&ok=%20 HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST(RequestWriter, RejectsWhatWouldBreakTheFraming) {
  std::string out, error;
  RequestHead r;
  r.method = "GET";
  r.host = "h";
  const std::vector<lh_kv> bad_value = {kv("X-Evil", "a\r\nInjected: 1")};
  r.headers = bad_value;
  EXPECT_FALSE(write_request(out, r, error));
  EXPECT_EQ(error,
            "http1: invalid request header \"X-Evil\" (the name must be a token, the value may not "
            "contain CR, LF or NUL)");
  const std::vector<lh_kv> bad_name = {kv("Bad Name", "v")};
  r.headers = bad_name;
  EXPECT_FALSE(write_request(out, r, error));
  r.headers = {};
  r.method = "GE T";
  EXPECT_FALSE(write_request(out, r, error));
  EXPECT_EQ(error, "http1: invalid method \"GE T\"");
}

TEST(RequestWriter, ReusesTheBuffer) {
  RequestHead r;
  r.method = "GET";
  r.path = "/a";
  r.host = "h";
  std::string out, error;
  ASSERT_TRUE(write_request(out, r, error));
  const size_t capacity = out.capacity();
  const char* data = out.data();
  ASSERT_TRUE(write_request(out, r, error));
  EXPECT_EQ(out.capacity(), capacity);
  EXPECT_EQ(out.data(), data);
}

}  // namespace
}  // namespace loadhost::http1
