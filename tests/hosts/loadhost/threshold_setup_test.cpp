// Where the run's thresholds come from (hosts/loadhost/threshold_setup.hpp):
// --threshold, repeatable and one expression per flag; the scenario's
// lh_scenario.thresholds, read only when its size covers them (ABI 1.3); the
// line a malformed one stops the run with.
#include "hosts/loadhost/threshold_setup.hpp"

#include <gtest/gtest.h>

#include <cstddef>

#include "parse_args.hpp"

namespace loadhost::cli {
namespace {

std::vector<std::string> expressions(const std::vector<thresholds::Threshold> &list) {
  std::vector<std::string> out;
  for (const auto &t : list) out.push_back(t.expression);
  return out;
}

TEST(ThresholdFlag, RepeatableOneExpressionEachAndTheUrlStaysPositional) {
  int code = 0;
  auto o = parse_args({"--threshold", "p(95)<300ms", "--threshold", "GET /cart: fail_ratio<1% abort-on-fail",
                       "http://127.0.0.1:8080/"},
                      code);
  ASSERT_TRUE(o) << code;
  EXPECT_EQ(o->thresholds, (std::vector<std::string>{"p(95)<300ms", "GET /cart: fail_ratio<1% abort-on-fail"}));
  EXPECT_EQ(o->url, "http://127.0.0.1:8080/");
}

TEST(CollectThresholds, CommandLineThenScenarioEachOnce) {
  CliOptions o;
  o.thresholds = {"p(95)<300ms", "avg<1s"};
  const char *declared[] = {"GET /cart: max<2s", "p(95)<300ms"};
  lh_scenario s{};
  s.size = sizeof(s);
  s.thresholds = declared;
  s.threshold_count = 2;
  std::vector<thresholds::Threshold> out;
  EXPECT_EQ(collect_thresholds(o, s, "shop.cpp", out), "");
  EXPECT_EQ(expressions(out), (std::vector<std::string>{"p(95)<300ms", "avg<1s", "GET /cart: max<2s"}));
}

TEST(CollectThresholds, AnOlderScenarioHasNone) {
  // A scenario built against ABI 1.2: its struct ends before the thresholds,
  // whatever lies beyond it in memory.
  const char *declared[] = {"not read"};
  lh_scenario s{};
  s.size = uint32_t(offsetof(lh_scenario, thresholds));
  s.thresholds = declared;
  s.threshold_count = 1;
  std::vector<thresholds::Threshold> out;
  EXPECT_EQ(collect_thresholds(CliOptions{}, s, "old.so", out), "");
  EXPECT_TRUE(out.empty());
}

TEST(CollectThresholds, MalformedOnesNameTheirSource) {
  std::vector<thresholds::Threshold> out;
  CliOptions o;
  o.thresholds = {"p(95)<3xs"};
  lh_scenario none{};
  none.size = sizeof(none);
  EXPECT_EQ(collect_thresholds(o, none, "shop.cpp", out),
            "threshold 'p(95)<3xs': '3xs' is not a duration like 300ms, 1.5s or 250us");
  const char *declared[] = {"p95<1s"};
  lh_scenario s{};
  s.size = sizeof(s);
  s.thresholds = declared;
  s.threshold_count = 1;
  EXPECT_EQ(collect_thresholds(CliOptions{}, s, "shop.cpp", out),
            "scenario shop.cpp: threshold 'p95<1s': unknown metric 'p95'; did you mean p(95)?");
}

}  // namespace
}  // namespace loadhost::cli
