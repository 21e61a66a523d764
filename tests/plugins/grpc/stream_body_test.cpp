#include "grpc/stream_body.hpp"

#include <gtest/gtest.h>

namespace loadhost::grpc_plugin {
namespace {

std::vector<std::string> split(std::string_view body) {
  std::vector<std::string_view> parts;
  std::string error;
  EXPECT_TRUE(split_json_messages(body, parts, error)) << error;
  return {parts.begin(), parts.end()};
}

std::string split_error(std::string_view body) {
  std::vector<std::string_view> parts;
  std::string error;
  EXPECT_FALSE(split_json_messages(body, parts, error)) << body;
  return error;
}

TEST(StreamBody, JsonArrayOfMessages) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split(R"([{"a":1},{"b":[1,2]}])"), (V{R"({"a":1})", R"({"b":[1,2]})"}));
  EXPECT_EQ(split(" [ {\"a\":1} ,\n {} ] \n"), (V{R"({"a":1})", "{}"}));
  EXPECT_EQ(split("[]"), V{});
  EXPECT_EQ(split(""), V{});
  EXPECT_EQ(split("  \n"), V{});
}

TEST(StreamBody, MessagesOnePerLine) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split("{\"a\":1}\n{\"a\":2}\n"), (V{R"({"a":1})", R"({"a":2})"}));
  EXPECT_EQ(split(R"({"a":1}{"a":2})"), (V{R"({"a":1})", R"({"a":2})"}));
  EXPECT_EQ(split(R"({"a":1})"), (V{R"({"a":1})"}));
}

TEST(StreamBody, BracketsAndQuotesInsideStringsDoNotCount) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split(R"([{"s":"]},{["},{"s":"a\"}b"}])"), (V{R"({"s":"]},{["})", R"({"s":"a\"}b"})"}));
}

TEST(StreamBody, UnbalancedBodiesAreErrors) {
  EXPECT_NE(split_error(R"([{"a":1})").find("not closed"), std::string::npos);
  EXPECT_NE(split_error(R"({"a":1}})").find("not valid JSON"), std::string::npos);
  EXPECT_NE(split_error(R"({"s":"open)").find("not valid JSON"), std::string::npos);
  EXPECT_NE(split_error(R"([{"a":1},])").find("trailing comma"), std::string::npos);
  EXPECT_NE(split_error(R"({"a":1},{"a":2})").find("commas"), std::string::npos);
  EXPECT_NE(split_error(R"([{"a":1}] x)").find("after the JSON array"), std::string::npos);
}

TEST(StreamBody, LengthPrefixedRawMessages) {
  std::vector<std::string_view> parts;
  std::string error;
  const std::string body = std::string("\0\0\0\2ab\0\0\0\0\0\0\0\1c", 15);
  ASSERT_TRUE(split_framed_messages(body, parts, error)) << error;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "ab");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "c");
  EXPECT_FALSE(split_framed_messages(std::string("\0\0\0\5ab", 6), parts, error));
  EXPECT_NE(error.find("shorter than its length"), std::string::npos);
  EXPECT_FALSE(split_framed_messages(std::string("\0\0", 2), parts, error));
  EXPECT_NE(error.find("cut short"), std::string::npos);
}

}  // namespace
}  // namespace loadhost::grpc_plugin
