// The start form's decoding (parse_form). The routes themselves are tested
// against the real binary (tests/integration/web_api_test.cpp), next to
// Locust's answers.
#include "hosts/loadhost/web/web_ui.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace loadhost::web {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(ParseForm, DecodesPlusAndPercentEscapes) {
  EXPECT_EQ(parse_form("user_count=2&spawn_rate=1.5&host=http%3A%2F%2Fa.example%3A8080%2Fx+y"),
            (Fields{{"user_count", "2"}, {"spawn_rate", "1.5"}, {"host", "http://a.example:8080/x y"}}));
  // Names are decoded too; lower- and upper-case hex; a literal %2B is '+'.
  EXPECT_EQ(parse_form("run%5ftime=1m%2B30s&x=%e2%82%AC"), (Fields{{"run_time", "1m+30s"}, {"x", "\u20ac"}}));
  // A byte that is not text still decodes (the caller validates).
  EXPECT_EQ(parse_form("n=%00%ff"), (Fields{{"n", std::string("\0\xff", 2)}}));
}

TEST(ParseForm, KeepsOrderRepeatsAndEmptyValues) {
  EXPECT_EQ(parse_form("a=1&b=&a=2&flag"), (Fields{{"a", "1"}, {"b", ""}, {"a", "2"}, {"flag", ""}}));
  EXPECT_EQ(parse_form("=v"), (Fields{{"", "v"}}));
  EXPECT_EQ(parse_form("a=x=y"), (Fields{{"a", "x=y"}})) << "only the first '=' splits";
}

TEST(ParseForm, SkipsEmptyPairsAndKeepsBadEscapesLiteral) {
  EXPECT_TRUE(parse_form("").empty());
  EXPECT_EQ(parse_form("&&a=1&"), (Fields{{"a", "1"}}));
  // '%' not followed by two hex digits is kept as it is, at the end too.
  EXPECT_EQ(parse_form("a=100%&b=%zz&c=%4&d=%41"), (Fields{{"a", "100%"}, {"b", "%zz"}, {"c", "%4"}, {"d", "A"}}));
}

}  // namespace
}  // namespace loadhost::web
