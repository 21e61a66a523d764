// Thresholds over a stats table filled by hand (core/thresholds): the values
// are the reports' own (the same histogram percentiles, the same rates), names
// pick entries as documented, and an entry without requests fails.
#include "core/thresholds/threshold_evaluator.hpp"

#include <gtest/gtest.h>

#include "core/thresholds/threshold_parser.hpp"

namespace loadhost::thresholds {
namespace {

Threshold parsed(const std::string &text) {
  std::string error;
  std::optional<Threshold> t = parse_threshold(text, error);
  EXPECT_TRUE(t.has_value()) << error;
  return t.value_or(Threshold{});
}

constexpr double kStart = 1'700'000'000.0;

// GET /cart: 100 requests of 1..100 ms, 10 of them failed, over 10 s;
// POST /cart: 10 of 500 ms; GET /home: 50 of 2 ms.
stats::StatsTable shop_table() {
  stats::StatsTable table(kStart);
  for (int i = 1; i <= 100; ++i)
    table.record("GET", "/cart", uint64_t(i) * 1000, 10, i % 10 == 0 ? "HTTP 500" : "", kStart + i / 10.0);
  for (int i = 0; i < 10; ++i) table.record("POST", "/cart", 500'000, 10, "", kStart + 1 + i);
  for (int i = 0; i < 50; ++i) table.record("GET", "/home", 2000, 10, "", kStart + i / 5.0);
  return table;
}

TEST(ThresholdEvaluator, DurationMetricsAreTheEntrysOwn) {
  stats::StatsTable table = shop_table();
  const stats::StatsEntry &cart = *table.find("GET", "/cart");
  struct Case {
    const char *text;
    double expected_us;
  };
  for (Case c : {Case{"GET /cart: p(95)<1s", cart.percentile(0.95)}, Case{"GET /cart: p(99.9)<1s", cart.percentile(0.999)},
                 Case{"GET /cart: avg<1s", cart.average_response_time()},
                 Case{"GET /cart: min<1s", double(cart.min_response_time_us())},
                 Case{"GET /cart: max<1s", double(cart.max_response_time_us())},
                 Case{"GET /cart: med<1s", cart.median_response_time()}}) {
    Outcome o = evaluate(parsed(c.text), table);
    EXPECT_TRUE(o.has_data) << c.text;
    EXPECT_DOUBLE_EQ(o.value, c.expected_us) << c.text;
    EXPECT_TRUE(o.ok) << c.text;
  }
  // And the figures are what was recorded: 1..100 ms, mean 50.5 ms.
  EXPECT_DOUBLE_EQ(evaluate(parsed("GET /cart: min<1s"), table).value, 1000);
  EXPECT_DOUBLE_EQ(evaluate(parsed("GET /cart: max<1s"), table).value, 100'000);
  EXPECT_DOUBLE_EQ(evaluate(parsed("GET /cart: avg<1s"), table).value, 50'500);
  EXPECT_EQ(evaluate(parsed("GET /cart: avg<1s"), table).shown, "50.5 ms");
}

TEST(ThresholdEvaluator, CountsRatiosAndRates) {
  stats::StatsTable table = shop_table();
  Outcome ratio = evaluate(parsed("GET /cart: fail_ratio<0.05"), table);
  EXPECT_DOUBLE_EQ(ratio.value, 0.1);
  EXPECT_FALSE(ratio.ok);
  EXPECT_EQ(ratio.shown, "0.1 (10%)");
  EXPECT_TRUE(evaluate(parsed("GET /cart: fail_ratio<=10%"), table).ok);
  EXPECT_DOUBLE_EQ(evaluate(parsed("GET /cart: failures==10"), table).value, 10);
  EXPECT_TRUE(evaluate(parsed("GET /cart: failures==10"), table).ok);
  EXPECT_DOUBLE_EQ(evaluate(parsed("requests==160"), table).value, 160);
  EXPECT_EQ(evaluate(parsed("requests==160"), table).shown, "160");
  // Rates over the table's span, as the JSON report's total_rps.
  const stats::StatsEntry &total = table.total();
  Outcome rps = evaluate(parsed("rps>1"), table);
  EXPECT_DOUBLE_EQ(rps.value, total.total_rps(table.start_time(), table.last_request_time()));
  EXPECT_DOUBLE_EQ(rps.value, 16.0);  // 160 requests over 10 s
  EXPECT_EQ(rps.shown, "16/s");
  EXPECT_DOUBLE_EQ(evaluate(parsed("fail_rps<1"), table).value, 1.0);  // 10 failures over 10 s
}

TEST(ThresholdEvaluator, NoNameIsTheAggregatedRow) {
  stats::StatsTable table = shop_table();
  EXPECT_DOUBLE_EQ(evaluate(parsed("p(95)<1s"), table).value, table.total().percentile(0.95));
  EXPECT_DOUBLE_EQ(evaluate(parsed("Aggregated: p(95)<1s"), table).value, table.total().percentile(0.95));
  EXPECT_DOUBLE_EQ(evaluate(parsed("max<1s"), table).value, 500'000);
}

TEST(ThresholdEvaluator, TypeAndNameOrNameAcrossTypes) {
  stats::StatsTable table = shop_table();
  // "GET /cart": the GET entry alone.
  EXPECT_DOUBLE_EQ(evaluate(parsed("GET /cart: requests>0"), table).value, 100);
  EXPECT_DOUBLE_EQ(evaluate(parsed("POST /cart: requests>0"), table).value, 10);
  // "/cart": GET and POST merged, exactly (max from POST, failures from GET).
  Outcome both = evaluate(parsed("/cart: requests>0"), table);
  EXPECT_DOUBLE_EQ(both.value, 110);
  EXPECT_DOUBLE_EQ(evaluate(parsed("/cart: max<1s"), table).value, 500'000);
  EXPECT_DOUBLE_EQ(evaluate(parsed("/cart: failures<100"), table).value, 10);
  stats::StatsEntry merged("", "/cart");
  merged.merge(*table.find("GET", "/cart"));
  merged.merge(*table.find("POST", "/cart"));
  EXPECT_DOUBLE_EQ(evaluate(parsed("/cart: p(90)<1s"), table).value, merged.percentile(0.9));
}

TEST(ThresholdEvaluator, NamesWithSpacesAndColons) {
  stats::StatsTable table(kStart);
  table.record("grpc", "echo.Echo/Say", 3000, 0, "", kStart + 1);
  table.record("GET", "http://127.0.0.1:8080/a b", 4000, 0, "", kStart + 1);
  table.record("WS", "send hello world", 5000, 0, "", kStart + 1);
  EXPECT_DOUBLE_EQ(evaluate(parsed("grpc echo.Echo/Say: fail_ratio==0"), table).value, 0);
  EXPECT_TRUE(evaluate(parsed("grpc echo.Echo/Say: fail_ratio==0"), table).ok);
  EXPECT_DOUBLE_EQ(evaluate(parsed("GET http://127.0.0.1:8080/a b: max<1s"), table).value, 4000);
  EXPECT_DOUBLE_EQ(evaluate(parsed("WS send hello world: max<1s"), table).value, 5000);
  EXPECT_DOUBLE_EQ(evaluate(parsed("send hello world: max<1s"), table).value, 5000);
}

TEST(ThresholdEvaluator, AnEntryWithoutRequestsFails) {
  stats::StatsTable table = shop_table();
  Outcome typo = evaluate(parsed("GET /crat: p(99)<500ms"), table);
  EXPECT_FALSE(typo.has_data);
  EXPECT_FALSE(typo.ok);
  EXPECT_EQ(typo.shown, "no requests named 'GET /crat'");
  // Even a threshold that zero would meet: nothing was measured.
  EXPECT_FALSE(evaluate(parsed("GET /crat: failures==0"), table).ok);
  stats::StatsTable empty(kStart);
  Outcome none = evaluate(parsed("p(95)<1s"), empty);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.shown, "no requests");
  EXPECT_FALSE(evaluate(parsed("requests==0"), empty).ok);
}

TEST(ThresholdEvaluator, FailureLineQuotesTheExpressionAndTheValue) {
  stats::StatsTable table = shop_table();
  Threshold t = parsed("GET /cart: max<50ms");
  Outcome o = evaluate(t, table);
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(failure_line(t, o), "threshold GET /cart: max<50ms failed: 100 ms");
}

}  // namespace
}  // namespace loadhost::thresholds
