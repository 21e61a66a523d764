// The kit's lh_str conversions and ASCII helpers (sdk/include/loadhost/kit/
// str.hpp, text.hpp).
#include <gtest/gtest.h>

#include <loadhost/kit/str.hpp>
#include <loadhost/kit/text.hpp>

namespace loadhost::kit {
namespace {

TEST(KitStr, AbsentAndEmptyBothReadAsEmptyWithData) {
  EXPECT_EQ(view(lh_str{nullptr, 0}), "");
  EXPECT_NE(view(lh_str{nullptr, 0}).data(), nullptr);  // safe to hand to APIs that reject null
  EXPECT_TRUE(absent(lh_str{nullptr, 0}));
  EXPECT_FALSE(absent(lh_str{"", 0}));
  EXPECT_EQ(view(lh_str{"abcdef", 3}), "abc");
}

TEST(KitStr, OptionalStrWritesEmptyAsAbsent) {
  EXPECT_EQ(optional_str("").data, nullptr);
  const lh_str s = optional_str("boom");
  ASSERT_NE(s.data, nullptr);
  EXPECT_EQ(view(s), "boom");
  EXPECT_EQ(view(str("xy")), "xy");
}

TEST(KitText, CaseInsensitiveAndTrim) {
  EXPECT_TRUE(iequals("HTTP", "http"));
  EXPECT_FALSE(iequals("http", "https"));
  EXPECT_TRUE(istarts_with("HTTPS://x", "https://"));
  EXPECT_FALSE(istarts_with("ht", "http"));
  EXPECT_EQ(trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(trim("   "), "");
}

TEST(KitText, SplitListDropsEmptiesAndTrims) {
  const auto items = split_list(" a.proto, ,b.proto\nc.proto\n");
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], "a.proto");
  EXPECT_EQ(items[1], "b.proto");
  EXPECT_EQ(items[2], "c.proto");
  EXPECT_TRUE(split_list("").empty());
  // Newlines only: commas stay inside an item.
  const auto lines = split_list("k: a,b\nz: c", "\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "k: a,b");
}

}  // namespace
}  // namespace loadhost::kit
