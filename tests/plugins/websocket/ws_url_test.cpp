#include "websocket/ws_url.hpp"

#include <gtest/gtest.h>

namespace loadhost::websocket {
namespace {

TEST(JoinUrl, PathIsAppendedToTheBaseWithOneSlash) {
  EXPECT_EQ(join_url("ws://h:1", "/echo"), "ws://h:1/echo");
  EXPECT_EQ(join_url("ws://h:1/", "/echo"), "ws://h:1/echo");
  EXPECT_EQ(join_url("ws://h:1/api", "echo"), "ws://h:1/api/echo");
}

TEST(JoinUrl, EmptyTargetIsTheBaseAndAFullUrlWins) {
  EXPECT_EQ(join_url("ws://h:1/chat", ""), "ws://h:1/chat");
  EXPECT_EQ(join_url("ws://h:1", "wss://other:2/x"), "wss://other:2/x");
  EXPECT_EQ(join_url("", "/echo"), "/echo");
}

TEST(ParseWsUrl, SplitsHostPortTlsAndResource) {
  WsUrl u;
  std::string error;
  ASSERT_TRUE(parse_ws_url("ws://127.0.0.1:8080/echo?x=1", u, error)) << error;
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8080);
  EXPECT_FALSE(u.tls);
  EXPECT_EQ(u.resource, "/echo?x=1");
  ASSERT_TRUE(parse_ws_url("wss://example.com", u, error)) << error;
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_TRUE(u.tls);
  EXPECT_EQ(u.resource, "/");
  ASSERT_TRUE(parse_ws_url("ws://[::1]:9/", u, error)) << error;
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 9);
}

TEST(ParseWsUrl, RejectsOtherSchemesWithOneLine) {
  WsUrl u;
  std::string error;
  EXPECT_FALSE(parse_ws_url("http://h/", u, error));
  EXPECT_EQ(error, "websocket: 'http://h/' is not a ws:// or wss:// URL: unsupported scheme");
  EXPECT_FALSE(parse_ws_url("ws://h:70000/", u, error));
  EXPECT_EQ(error, "websocket: 'ws://h:70000/' is not a ws:// or wss:// URL: invalid port (1-65535)");
  EXPECT_FALSE(parse_ws_url("ws://u:p@h/", u, error));
  EXPECT_NE(error.find("has credentials"), std::string::npos) << error;
  EXPECT_FALSE(parse_ws_url("/echo", u, error));
  EXPECT_FALSE(parse_ws_url("", u, error));
  EXPECT_NE(error.find("no server to connect to"), std::string::npos) << error;
}

}  // namespace
}  // namespace loadhost::websocket
