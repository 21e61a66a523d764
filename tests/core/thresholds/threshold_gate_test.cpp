// ThresholdGate (core/thresholds/threshold_gate.hpp): abort-on-fail only past
// its delay and only on data; the verdict marks the threshold that stopped the
// test; the summary and JSON carry every threshold.
#include "core/thresholds/threshold_gate.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/thresholds/threshold_parser.hpp"
#include "core/thresholds/threshold_report.hpp"

namespace loadhost::thresholds {
namespace {

constexpr double kStart = 1'700'000'000.0;

ThresholdGate gate_of(std::initializer_list<const char *> texts) {
  std::vector<Threshold> list;
  for (const char *text : texts) {
    std::string error;
    std::optional<Threshold> t = parse_threshold(text, error);
    EXPECT_TRUE(t) << error;
    if (t) list.push_back(*t);
  }
  return ThresholdGate(std::move(list));
}

// 10 requests of 400 ms to GET /slow.
stats::StatsTable slow_table() {
  stats::StatsTable table(kStart);
  for (int i = 0; i < 10; ++i) table.record("GET", "/slow", 400'000, 0, "", kStart + i);
  return table;
}

TEST(ThresholdGate, AbortsOnlyPastTheDelay) {
  ThresholdGate gate = gate_of({"p(95)<300ms abort-on-fail delay 10s"});
  stats::StatsTable table = slow_table();
  EXPECT_FALSE(gate.check_abort(table, 9.9));
  std::optional<std::string> reason = gate.check_abort(table, 10.0);
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, "threshold p(95)<300ms failed: 400 ms");
  EXPECT_FALSE(gate.check_abort(table, 11.0)) << "one abort per test";
}

TEST(ThresholdGate, NeverAbortsWithoutTheOptionOrWithoutData) {
  ThresholdGate gate = gate_of({"p(95)<300ms", "GET /later: avg<1ms abort-on-fail", "GET /slow: avg<1s abort-on-fail"});
  EXPECT_FALSE(gate.check_abort(slow_table(), 100));
  EXPECT_FALSE(gate.check_abort(stats::StatsTable(kStart), 100));
}

TEST(ThresholdGate, VerdictMarksTheThresholdThatStoppedTheTest) {
  ThresholdGate gate = gate_of({"GET /slow: requests>0", "max<300ms abort-on-fail", "GET /nothing: avg<1s"});
  stats::StatsTable table = slow_table();
  ASSERT_TRUE(gate.check_abort(table, 1));
  std::vector<ThresholdResult> results = gate.verdict(table);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_FALSE(results[0].aborted);
  EXPECT_FALSE(results[1].ok());
  EXPECT_TRUE(results[1].aborted);
  EXPECT_EQ(results[1].abort_reason, "threshold max<300ms failed: 400 ms");
  EXPECT_FALSE(results[2].ok());
  EXPECT_FALSE(all_ok(results));
  EXPECT_TRUE(all_ok({}));
}

TEST(ThresholdGate, AMistypedNameGetsTheClosestOne) {
  stats::StatsTable table = slow_table();
  table.record("POST", "/checkout", 1000, 0, "", kStart + 1);
  std::vector<ThresholdResult> results =
      gate_of({"GET /slwo: avg<1s", "/chekout: avg<1s", "GET /completely-else: avg<1s"}).verdict(table);
  EXPECT_EQ(results[0].outcome.shown, "no requests named 'GET /slwo' (did you mean 'GET /slow'?)");
  EXPECT_EQ(results[1].outcome.shown, "no requests named '/chekout' (did you mean '/checkout'?)");
  EXPECT_EQ(results[2].outcome.shown, "no requests named 'GET /completely-else'");
  EXPECT_EQ(closest_name(table, "GET /slow"), "GET /slow");
}

TEST(ThresholdGate, SummaryListsEachWithItsMarkAndValue) {
  ThresholdGate gate = gate_of({"p(95)<1s", "GET /slow: max<300ms", "GET /nothing: avg<1s"});
  std::string text = summary_text(gate.verdict(slow_table()));
  EXPECT_EQ(text,
            "Thresholds\n"
            "  ✓ p(95)<1s              (400 ms)\n"
            "  ✗ GET /slow: max<300ms  (400 ms)\n"
            "  ✗ GET /nothing: avg<1s  (no requests named 'GET /nothing')\n"
            "thresholds: 2 of 3 failed\n");
  EXPECT_EQ(summary_text(gate_of({"p(95)<1s"}).verdict(slow_table())),
            "Thresholds\n  ✓ p(95)<1s  (400 ms)\nthresholds: all 1 passed\n");
  EXPECT_EQ(summary_text({}), "");
}

TEST(ThresholdGate, JsonCarriesEveryThreshold) {
  ThresholdGate gate = gate_of({"p(95)<1s", "GET /slow: fail_ratio<1% abort-on-fail", "GET /nothing: avg<1s"});
  nlohmann::json json = results_json(gate.verdict(slow_table()));
  ASSERT_EQ(json.size(), 3u);
  EXPECT_EQ(json[0]["expression"], "p(95)<1s");
  EXPECT_TRUE(json[0]["name"].is_null());
  EXPECT_EQ(json[0]["metric"], "p(95)");
  EXPECT_EQ(json[0]["comparison"], "<");
  EXPECT_DOUBLE_EQ(json[0]["limit"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(json[0]["value"].get<double>(), 400.0);
  EXPECT_EQ(json[0]["unit"], "ms");
  EXPECT_EQ(json[0]["ok"], true);
  EXPECT_EQ(json[0]["aborted"], false);
  EXPECT_EQ(json[1]["name"], "GET /slow");
  EXPECT_EQ(json[1]["unit"], "ratio");
  EXPECT_DOUBLE_EQ(json[1]["limit"].get<double>(), 0.01);
  EXPECT_DOUBLE_EQ(json[1]["value"].get<double>(), 0.0);
  EXPECT_EQ(json[1]["abort_on_fail"], true);
  EXPECT_TRUE(json[2]["value"].is_null());
  EXPECT_EQ(json[2]["ok"], false);
  EXPECT_EQ(json[2]["shown"], "no requests named 'GET /nothing'");
}

}  // namespace
}  // namespace loadhost::thresholds
