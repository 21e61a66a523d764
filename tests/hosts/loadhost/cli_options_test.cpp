// The command line's parsing, without a process: the mistyped-flag
// suggestion, positionals (a URL, or user classes after -f), and the flags
// Locust users bring (-l, --show-task-ratio, --reset-stats, --logfile).
#include "hosts/loadhost/cli_options.hpp"

#include <gtest/gtest.h>

#include "parse_args.hpp"

namespace loadhost::cli {
namespace {

TEST(ClosestOption, NearTyposAndCutFlags) {
  const std::vector<std::string> known{"--users", "-u", "--spawn-rate", "--headless", "--host", "--html", "--help"};
  EXPECT_EQ(closest_option("--user", known), "--users");
  EXPECT_EQ(closest_option("--hedless", known), "--headless");
  EXPECT_EQ(closest_option("--uesrs", known), "--users");  // two letters swapped
  EXPECT_EQ(closest_option("--spawn", known), "--spawn-rate");
  EXPECT_EQ(closest_option("--frobnicate", known), "");
  EXPECT_EQ(closest_option("-x", known), "") << "every short flag is near";
}

TEST(CliParse, PositionalIsTheUrlWithoutAScenario) {
  int code = 0;
  auto o = parse_args({"http://127.0.0.1:8080/"}, code);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->url, "http://127.0.0.1:8080/");
  EXPECT_TRUE(o->user_classes.empty());
}

TEST(CliParse, PositionalsAreUserClassesWithAScenario) {
  int code = 0;
  auto o = parse_args({"-f", "shop.so", "Shopper", "Admin"}, code);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->url, "");
  EXPECT_EQ(o->user_classes, (std::vector<std::string>{"Shopper", "Admin"}));
}

TEST(CliParse, LocustFlags) {
  int code = 0;
  auto o = parse_args({"-f", "shop.so", "-l", "--show-task-ratio", "--show-task-ratio-json", "--reset-stats",
                       "--logfile", "run.log"},
                      code);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->list);
  EXPECT_TRUE(o->show_task_ratio);
  EXPECT_TRUE(o->show_task_ratio_json);
  EXPECT_TRUE(o->reset_stats);
  EXPECT_EQ(o->logfile, "run.log");
  EXPECT_FALSE(o->users_given);
  auto with_users = parse_args({"-f", "shop.so", "-u", "7"}, code);
  ASSERT_TRUE(with_users);
  EXPECT_TRUE(with_users->users_given);
}

TEST(CliParse, UnknownFlagIsAUsageError) {
  int code = 0;
  testing::internal::CaptureStderr();
  auto o = parse_args({"--user", "5", "http://127.0.0.1:8080/"}, code);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(o);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(err, "loadhost: unknown option --user; did you mean --users? (see loadhost --help)\n");
}

}  // namespace
}  // namespace loadhost::cli
