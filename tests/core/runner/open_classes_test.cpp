// Which classes run open, with what schedule and pool, and each loop's
// share; the open model's flag values (--arrival-rate, --arrival-stages).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/runner/arrival_options.hpp"
#include "core/runner/open_classes.hpp"

namespace loadhost::core {
namespace {

void run_iteration_stub(void *) {}

lh_user_class make_class(const char *name, uint32_t weight, double arrival_rate = 0, uint32_t fixed_count = 0) {
  lh_user_class c{};
  c.size = sizeof(c);
  c.name = name;
  c.weight = weight;
  c.fixed_count = fixed_count;
  c.run_iteration = &run_iteration_stub;
  c.arrival_rate = arrival_rate;
  return c;
}

lh_scenario make_scenario(const std::vector<const lh_user_class *> &classes) {
  lh_scenario s{};
  s.size = sizeof(s);
  s.class_count = uint32_t(classes.size());
  s.classes = classes.data();
  return s;
}

TEST(OpenClasses, FlagRateIsSharedByWeightAndFixedCountClassesStayClosed) {
  lh_user_class reader = make_class("Reader", 3), writer = make_class("Writer", 1),
                admin = make_class("Admin", 1, 0, 2);
  std::vector<const lh_user_class *> classes{&reader, &writer, &admin};
  lh_scenario scenario = make_scenario(classes);
  ArrivalOptions options{ArrivalPlan::constant(400), 0, 0};
  OpenClasses split = split_open_classes(scenario, options);
  ASSERT_TRUE(split.error.empty()) << split.error;
  ASSERT_EQ(split.open.size(), 2u);
  EXPECT_NEAR(split.open[0].plan.count_at(1.0), 300.0, 1e-9);
  EXPECT_NEAR(split.open[1].plan.count_at(1.0), 100.0, 1e-9);
  EXPECT_EQ(split.open[0].pre_allocated_users, 300u) << "default: the rate x 1 s";
  EXPECT_EQ(split.open[0].max_users, 300u) << "default: the pre-allocated users (k6's maxVUs)";
  ASSERT_EQ(split.closed.size(), 1u);
  EXPECT_EQ(split.closed[0], &admin);
}

TEST(OpenClasses, ClassOwnRateWithoutFlagsLeavesTheOthersClosed) {
  lh_user_class open = make_class("Open", 1, 20), closed = make_class("Closed", 1);
  open.pre_allocated_users = 2;
  open.max_users = 5;
  std::vector<const lh_user_class *> classes{&open, &closed};
  lh_scenario scenario = make_scenario(classes);
  OpenClasses split = split_open_classes(scenario, ArrivalOptions{});
  ASSERT_EQ(split.open.size(), 1u);
  EXPECT_EQ(split.open[0].index, 0u);
  EXPECT_EQ(split.open[0].pre_allocated_users, 2u);
  EXPECT_EQ(split.open[0].max_users, 5u);
  ASSERT_EQ(split.closed.size(), 1u);
  EXPECT_EQ(split.closed[0], &closed);
}

TEST(OpenClasses, AClassBuiltBeforeAbi13CannotRunOpen) {
  lh_user_class old = make_class("Old", 1);
  old.size = uint32_t(offsetof(lh_user_class, run_iteration));  // a 1.2 scenario's table
  std::vector<const lh_user_class *> classes{&old};
  lh_scenario scenario = make_scenario(classes);
  OpenClasses split = split_open_classes(scenario, ArrivalOptions{ArrivalPlan::constant(10), 0, 0});
  EXPECT_NE(split.error.find("user class Old cannot run by arrival rate"), std::string::npos) << split.error;
}

TEST(OpenClasses, LoopsShareSlotsAndPoolsAndEachCanRunOne) {
  lh_user_class c = make_class("C", 1);
  std::vector<const lh_user_class *> classes{&c};
  lh_scenario scenario = make_scenario(classes);
  OpenClasses split = split_open_classes(scenario, ArrivalOptions{ArrivalPlan::constant(100), 5, 7});
  ASSERT_EQ(split.open.size(), 1u);
  uint32_t pre = 0, max = 0;
  for (uint32_t l = 0; l < 3; ++l) {
    std::vector<ArrivalLaneConfig> lanes = lanes_for_loop(scenario, split.open, l, 3);
    ASSERT_EQ(lanes.size(), 1u);
    EXPECT_EQ(lanes[0].slot_offset, l);
    EXPECT_EQ(lanes[0].slot_stride, 3u);
    EXPECT_GE(lanes[0].max_users, 1u);
    pre += lanes[0].pre_allocated;
    max += lanes[0].max_users;
  }
  EXPECT_EQ(pre, 5u);
  EXPECT_EQ(max, 7u);
}

TEST(OpenClasses, NodesOfADistributedRunInterleaveTheirLoopsSlots) {
  lh_user_class c = make_class("C", 1);
  std::vector<const lh_user_class *> classes{&c};
  lh_scenario scenario = make_scenario(classes);
  OpenClasses split = split_open_classes(scenario, ArrivalOptions{ArrivalPlan::constant(100), 8, 16});
  std::vector<uint32_t> offsets;
  uint32_t pre = 0, max = 0;
  for (uint32_t node = 0; node < 2; ++node)
    for (uint32_t loop = 0; loop < 2; ++loop) {
      std::vector<ArrivalLaneConfig> lanes = lanes_for_loop(scenario, split.open, loop, 2, node, 2);
      ASSERT_EQ(lanes.size(), 1u);
      EXPECT_EQ(lanes[0].slot_stride, 4u) << "every node's loops share one sequence";
      offsets.push_back(lanes[0].slot_offset);
      pre += lanes[0].pre_allocated;
      max += lanes[0].max_users;
    }
  std::sort(offsets.begin(), offsets.end());
  EXPECT_EQ(offsets, (std::vector<uint32_t>{0, 1, 2, 3}));
  EXPECT_EQ(pre, 8u);
  EXPECT_EQ(max, 16u);
  EXPECT_TRUE(lanes_for_loop(scenario, split.open, 0, 2, 0, 0).empty()) << "a node with no share runs none";
}

TEST(ArrivalOptions, RatesInTheirUnits) {
  EXPECT_DOUBLE_EQ(*parse_rate("500/s"), 500.0);
  EXPECT_DOUBLE_EQ(*parse_rate("500"), 500.0);
  EXPECT_DOUBLE_EQ(*parse_rate("30/m"), 0.5);
  EXPECT_DOUBLE_EQ(*parse_rate("7200/h"), 2.0);
  EXPECT_DOUBLE_EQ(*parse_rate("2.5/s"), 2.5);
  for (const char *bad : {"", "abc", "-5/s", "5/x", "5/", "/s", "inf", "nan", "5 /s"})
    EXPECT_FALSE(parse_rate(bad)) << bad;
}

TEST(ArrivalOptions, StagesParseAndBadOnesNameTheFlag) {
  std::string error;
  auto stages = parse_arrival_stages("30s:100/s,2m:1000/s,30s:0/s", error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(stages.size(), 3u);
  EXPECT_DOUBLE_EQ(stages[1].duration_s, 120.0);
  EXPECT_DOUBLE_EQ(stages[1].rate, 1000.0);
  for (const char *bad : {"30s", "30s:", "x:10/s", "30s:ten", ""}) {
    error.clear();
    parse_arrival_stages(bad, error);
    EXPECT_NE(error.find("--arrival-stages"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace loadhost::core
