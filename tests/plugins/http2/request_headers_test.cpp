#include "http2/request_headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace loadhost::http2 {
namespace {

lh_str str(std::string_view s) { return {s.data(), s.size()}; }

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields(const RequestHeaders& h) {
  Fields out;
  for (size_t i = 0; i < h.size(); ++i) {
    const nghttp2_nv& nv = h.data()[i];
    out.emplace_back(std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                     std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen));
  }
  return out;
}

TEST(RequestHeaders, PseudoHeadersThenDefaultsThenCallersThenCookieAndLength) {
  const std::vector<Header> defaults = {{"User-Agent", "loadhost/0.1"}, {"X-Tenant", "acme"}};
  const std::vector<lh_kv> headers = {{str("Accept"), str("*/*")}, {str("X-Tenant"), str("beta")}};
  RequestHead head;
  head.method = "POST";
  head.tls = true;
  head.host = "[::1]";
  head.port = 8443;
  head.path = "/cart items";
  head.query = "?q=1";
  head.defaults = defaults;
  head.headers = headers;
  head.cookie = "sid=1";
  head.body_size = 12;
  RequestHeaders h;
  h.build(head);
  const Fields expected = {{":method", "POST"},         {":scheme", "https"},
                           {":authority", "[::1]:8443"}, {":path", "/cart%20items?q=1"},
                           {"user-agent", "loadhost/0.1"}, {"accept", "*/*"},
                           {"x-tenant", "beta"},         {"cookie", "sid=1"},
                           {"content-length", "12"}};
  EXPECT_EQ(fields(h), expected);
}

TEST(RequestHeaders, HostBecomesAuthorityAndConnectionHeadersAreDropped) {
  const std::vector<lh_kv> headers = {{str("Host"), str("api.example")},   {str("Connection"), str("keep-alive")},
                                      {str("Keep-Alive"), str("300")},     {str("Transfer-Encoding"), str("chunked")},
                                      {str("Upgrade"), str("h2c")},        {str("TE"), str("gzip")},
                                      {str("Cookie"), str("mine=1")},      {str("Content-Length"), str("0")}};
  RequestHead head;
  head.method = "PUT";
  head.host = "127.0.0.1";
  head.headers = headers;
  head.cookie = "jar=2";
  RequestHeaders h;
  h.build(head);
  const Fields expected = {{":method", "PUT"},   {":scheme", "http"},     {":authority", "api.example"},
                           {":path", "/"},       {"cookie", "mine=1"},    {"content-length", "0"}};
  EXPECT_EQ(fields(h), expected);
}

TEST(RequestHeaders, GetWithoutBodyHasNoContentLength) {
  RequestHead head;
  head.method = "GET";
  head.host = "h";
  RequestHeaders h;
  h.build(head);
  EXPECT_EQ(h.size(), 4u);
}

TEST(RequestHeaders, RejectsWhatCannotBeSent) {
  std::string error;
  EXPECT_TRUE(check_request("GET", {}, error));
  EXPECT_FALSE(check_request("GE T", {}, error));
  EXPECT_EQ(error, "http2: invalid method \"GE T\"");
  const std::vector<lh_kv> headers = {{str("X-A"), str("line\r\nbreak")}};
  EXPECT_FALSE(check_request("GET", headers, error));
  EXPECT_EQ(error,
            "http2: invalid request header \"X-A\" (the name must be a token, the value may not contain CR, "
            "LF or NUL)");
}

TEST(RequestHeaders, ConnectionSpecific) {
  EXPECT_TRUE(is_connection_specific("Connection", "close"));
  EXPECT_TRUE(is_connection_specific("te", "deflate"));
  EXPECT_FALSE(is_connection_specific("TE", " trailers "));
  EXPECT_FALSE(is_connection_specific("accept", "*/*"));
}

}  // namespace
}  // namespace loadhost::http2
