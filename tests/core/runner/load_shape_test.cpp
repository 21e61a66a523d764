#include "core/runner/load_shape.hpp"

#include <gtest/gtest.h>

namespace loadhost::core {
namespace {

TEST(ParseDuration, AcceptsLocustForms) {
  EXPECT_DOUBLE_EQ(*parse_duration("30s"), 30);
  EXPECT_DOUBLE_EQ(*parse_duration("90"), 90);
  EXPECT_DOUBLE_EQ(*parse_duration("1h30m"), 5400);
  EXPECT_DOUBLE_EQ(*parse_duration("1m5s"), 65);
  EXPECT_DOUBLE_EQ(*parse_duration("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*parse_duration("1.5s"), 1.5);
}

TEST(ParseDuration, RejectsGarbage) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("abc"));
  EXPECT_FALSE(parse_duration("10x"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("."));
  EXPECT_FALSE(parse_duration("1.2.3s"));
  EXPECT_FALSE(parse_duration(std::string(400, '9') + "s")) << "out of a double's range";
}

TEST(Stages, RejectStagesOutOfRange) {
  std::string error;
  EXPECT_TRUE(parse_stages("3000000h:5", error).empty());
  EXPECT_EQ(error, "--stages: '3000000h:5' lasts longer than 366 days");
  error.clear();
  EXPECT_TRUE(parse_stages("10s:99999999999", error).empty()) << "more users than a uint32";
  EXPECT_EQ(error, "--stages: '10s:99999999999' is not DURATION:USERS (e.g. 30s:50)");
}

TEST(Stages, ParseAndRampLinearly) {
  std::string error;
  auto stages = parse_stages("10s:50,30s:50,10s:0", error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(stages.size(), 3u);
  LoadShape shape = make_stages_shape(stages);
  EXPECT_EQ(shape(0, 0)->users, 0u);
  EXPECT_EQ(shape(5, 0)->users, 25u);
  EXPECT_EQ(shape(10, 0)->users, 50u);
  EXPECT_EQ(shape(39.9, 0)->users, 50u);
  EXPECT_EQ(shape(45, 0)->users, 25u);
  EXPECT_FALSE(shape(50, 0).has_value()) << "after the last stage the test stops";
}

TEST(Stages, BadTextNamesTheItem) {
  std::string error;
  EXPECT_TRUE(parse_stages("10s:50,oops", error).empty());
  EXPECT_NE(error.find("'oops'"), std::string::npos) << error;
  error.clear();
  EXPECT_TRUE(parse_stages("10s:-3", error).empty());
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace loadhost::core
