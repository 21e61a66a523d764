// The threshold grammar (core/thresholds/threshold_parser.hpp): every metric,
// comparison and unit, names, options, and each malformed form with the line
// it is reported with.
#include "core/thresholds/threshold_parser.hpp"

#include <gtest/gtest.h>

namespace loadhost::thresholds {
namespace {

Threshold parsed(const std::string &text) {
  std::string error;
  std::optional<Threshold> t = parse_threshold(text, error);
  EXPECT_TRUE(t.has_value()) << text << ": " << error;
  EXPECT_TRUE(error.empty()) << error;
  return t.value_or(Threshold{});
}

std::string error_of(const std::string &text) {
  std::string error;
  std::optional<Threshold> t = parse_threshold(text, error);
  EXPECT_FALSE(t.has_value()) << text << " parsed";
  return error;
}

TEST(ThresholdParser, EveryDurationMetric) {
  struct Case {
    const char *text;
    Metric metric;
    double percentile;
  };
  for (Case c : {Case{"p(95)<300ms", Metric::percentile, 0.95}, Case{"p(99.9)<300ms", Metric::percentile, 0.999},
                 Case{"p(100)<300ms", Metric::percentile, 1.0}, Case{"p(0.5)<300ms", Metric::percentile, 0.005},
                 Case{"avg<300ms", Metric::avg, 0}, Case{"min<300ms", Metric::min, 0},
                 Case{"max<300ms", Metric::max, 0}, Case{"med<300ms", Metric::med, 0}}) {
    Threshold t = parsed(c.text);
    EXPECT_EQ(t.metric, c.metric) << c.text;
    EXPECT_DOUBLE_EQ(t.percentile, c.percentile) << c.text;
    EXPECT_DOUBLE_EQ(t.limit, 300'000) << c.text;  // microseconds
    EXPECT_EQ(t.expression, c.text);
    EXPECT_EQ(t.entry_name, "");
    EXPECT_EQ(kind_of(t.metric), MetricKind::duration);
  }
}

TEST(ThresholdParser, DurationUnits) {
  EXPECT_DOUBLE_EQ(parsed("avg<250us").limit, 250);
  EXPECT_DOUBLE_EQ(parsed("avg<250µs").limit, 250);
  EXPECT_DOUBLE_EQ(parsed("avg<300ms").limit, 300'000);
  EXPECT_DOUBLE_EQ(parsed("avg<1s").limit, 1'000'000);
  EXPECT_DOUBLE_EQ(parsed("avg<1.5s").limit, 1'500'000);
  EXPECT_DOUBLE_EQ(parsed("avg<2m").limit, 120'000'000);
  EXPECT_DOUBLE_EQ(parsed("avg<0.5ms").limit, 500);
}

TEST(ThresholdParser, RatioCountAndRateMetrics) {
  Threshold ratio = parsed("fail_ratio<0.01");
  EXPECT_EQ(ratio.metric, Metric::fail_ratio);
  EXPECT_DOUBLE_EQ(ratio.limit, 0.01);
  EXPECT_DOUBLE_EQ(parsed("fail_ratio<1%").limit, 0.01);
  EXPECT_DOUBLE_EQ(parsed("fail_ratio==0").limit, 0);
  EXPECT_DOUBLE_EQ(parsed("fail_ratio<=100%").limit, 1);
  Threshold failures = parsed("failures<10");
  EXPECT_EQ(failures.metric, Metric::failures);
  EXPECT_DOUBLE_EQ(failures.limit, 10);
  Threshold requests = parsed("requests>=1000");
  EXPECT_EQ(requests.metric, Metric::requests);
  EXPECT_DOUBLE_EQ(requests.limit, 1000);
  Threshold rps = parsed("rps>1000");
  EXPECT_EQ(rps.metric, Metric::rps);
  EXPECT_DOUBLE_EQ(rps.limit, 1000);
  Threshold fail_rps = parsed("fail_rps<0.5");
  EXPECT_EQ(fail_rps.metric, Metric::fail_rps);
  EXPECT_DOUBLE_EQ(fail_rps.limit, 0.5);
}

TEST(ThresholdParser, EveryComparison) {
  EXPECT_EQ(parsed("avg<1s").comparison, Comparison::less);
  EXPECT_EQ(parsed("avg<=1s").comparison, Comparison::less_equal);
  EXPECT_EQ(parsed("avg>1s").comparison, Comparison::greater);
  EXPECT_EQ(parsed("avg>=1s").comparison, Comparison::greater_equal);
  EXPECT_EQ(parsed("failures==0").comparison, Comparison::equal);
  EXPECT_EQ(parsed("failures!=0").comparison, Comparison::not_equal);
}

TEST(ThresholdParser, ComparisonsHoldAsWritten) {
  EXPECT_TRUE(passes(parsed("avg<1s"), 999'999));
  EXPECT_FALSE(passes(parsed("avg<1s"), 1'000'000));
  EXPECT_TRUE(passes(parsed("avg<=1s"), 1'000'000));
  EXPECT_FALSE(passes(parsed("avg>1s"), 1'000'000));
  EXPECT_TRUE(passes(parsed("avg>=1s"), 1'000'000));
  EXPECT_TRUE(passes(parsed("failures==0"), 0));
  EXPECT_FALSE(passes(parsed("failures==0"), 1));
  EXPECT_TRUE(passes(parsed("failures!=0"), 1));
}

TEST(ThresholdParser, SpacesAnywhereBetweenTheParts) {
  Threshold t = parsed("  GET /cart :  p(99)  <=  500ms   abort-on-fail  delay  10s ");
  EXPECT_EQ(t.entry_name, "GET /cart");
  EXPECT_EQ(t.metric, Metric::percentile);
  EXPECT_EQ(t.comparison, Comparison::less_equal);
  EXPECT_DOUBLE_EQ(t.limit, 500'000);
  EXPECT_TRUE(t.abort_on_fail);
  EXPECT_DOUBLE_EQ(t.abort_delay_s, 10);
  EXPECT_EQ(t.expression, "GET /cart :  p(99)  <=  500ms   abort-on-fail  delay  10s");
  EXPECT_EQ(t.criterion, "GET /cart :  p(99)  <=  500ms");
  EXPECT_EQ(parsed("p(95)<300ms").criterion, "p(95)<300ms");
  EXPECT_EQ(parsed("p(95)<300ms abort-on-fail").criterion, "p(95)<300ms");
}

TEST(ThresholdParser, NameIsEverythingBeforeTheLastColon) {
  EXPECT_EQ(parsed("GET /cart: p(99)<500ms").entry_name, "GET /cart");
  EXPECT_EQ(parsed("grpc echo.Echo/Say: fail_ratio==0").entry_name, "grpc echo.Echo/Say");
  EXPECT_EQ(parsed("GET http://127.0.0.1:8080/a: avg<1s").entry_name, "GET http://127.0.0.1:8080/a");
  EXPECT_EQ(parsed("/cart:avg<1s").entry_name, "/cart");
}

TEST(ThresholdParser, AbortOnFail) {
  Threshold plain = parsed("p(95)<300ms");
  EXPECT_FALSE(plain.abort_on_fail);
  Threshold abort = parsed("p(95)<300ms abort-on-fail");
  EXPECT_TRUE(abort.abort_on_fail);
  EXPECT_DOUBLE_EQ(abort.abort_delay_s, 0);
  EXPECT_DOUBLE_EQ(parsed("p(95)<300ms abort-on-fail delay 1m").abort_delay_s, 60);
  EXPECT_DOUBLE_EQ(parsed("p(95)<300ms abort-on-fail delay 1500ms").abort_delay_s, 1.5);
}

TEST(ThresholdParser, MetricTextRoundTrips) {
  EXPECT_EQ(metric_text(parsed("p(99.9)<1s")), "p(99.9)");
  EXPECT_EQ(metric_text(parsed("p(95)<1s")), "p(95)");
  EXPECT_EQ(metric_text(parsed("fail_rps<1")), "fail_rps");
}

TEST(ThresholdParser, MalformedExpressionsSayWhatIsWrong) {
  struct Case {
    const char *text;
    const char *error;
  };
  for (Case c : {
           Case{"", "threshold '': is empty: write METRIC OP VALUE, e.g. p(95)<300ms"},
           Case{"   ", "threshold '': is empty: write METRIC OP VALUE, e.g. p(95)<300ms"},
           Case{"p(95)", "threshold 'p(95)': no comparison (< <= > >= == !=): write METRIC OP VALUE, e.g. "
                         "p(95)<300ms; in a config file, quote an expression that has spaces: threshold = \"GET "
                         "/cart: p(95)<300ms abort-on-fail\""},
           // An unquoted config line split at its spaces.
           Case{"abort-on-fail", "threshold 'abort-on-fail': no comparison (< <= > >= == !=): write METRIC OP VALUE, "
                                 "e.g. p(95)<300ms; in a config file, quote an expression that has spaces: threshold = "
                                 "\"GET /cart: p(95)<300ms abort-on-fail\""},
           Case{"a<b: p(95)", "threshold 'a<b: p(95)': no comparison after p(95) (< <= > >= == !=)"},
           Case{"<300ms", "threshold '<300ms': no metric before '<' (metrics: p(N), avg, min, max, med, fail_ratio, "
                          "failures, requests, rps, fail_rps)"},
           Case{"p95<300ms", "threshold 'p95<300ms': unknown metric 'p95'; did you mean p(95)?"},
           Case{"mean<300ms", "threshold 'mean<300ms': unknown metric 'mean' (metrics: p(N), avg, min, max, med, "
                              "fail_ratio, failures, requests, rps, fail_rps)"},
           Case{"GET /cart p(95)<1s",
                "threshold 'GET /cart p(95)<1s': unknown metric 'GET'; a stats entry's name goes before a ':' "
                "(GET /cart: p(95)<300ms)"},
           Case{"p(0)<1s", "threshold 'p(0)<1s': 'p(0)': the percentile must be a number above 0 and at most 100, "
                           "e.g. p(95) or p(99.9)"},
           Case{"p(101)<1s", "threshold 'p(101)<1s': 'p(101)': the percentile must be a number above 0 and at most "
                             "100, e.g. p(95) or p(99.9)"},
           Case{"p(x)<1s", "threshold 'p(x)<1s': 'p(x)': the percentile must be a number above 0 and at most 100, "
                           "e.g. p(95) or p(99.9)"},
           Case{"avg=1s", "threshold 'avg=1s': '=' is not a comparison; did you mean '=='?"},
           Case{"avg===1s", "threshold 'avg===1s': '===' is not a comparison; did you mean '=='?"},
           Case{"avg=<1s", "threshold 'avg=<1s': '=<' is not a comparison; did you mean '<='?"},
           Case{"avg<<1s", "threshold 'avg<<1s': '<<' is not a comparison (one of < <= > >= == !=)"},
           Case{"avg ~< 1s", "threshold 'avg ~< 1s': '~<' is not a comparison (one of < <= > >= == !=)"},
           Case{"avg<", "threshold 'avg<': no value after '<'"},
           Case{"avg<300", "threshold 'avg<300': '300' needs a unit: avg is a duration (write 300ms, or s, us)"},
           Case{"p(95)<3xs", "threshold 'p(95)<3xs': '3xs' is not a duration like 300ms, 1.5s or 250us"},
           Case{"avg<fast", "threshold 'avg<fast': 'fast' is not a duration like 300ms, 1.5s or 250us"},
           Case{"avg<-1s", "threshold 'avg<-1s': '-1s': a value must not be negative"},
           Case{"fail_ratio<5ms", "threshold 'fail_ratio<5ms': '5ms' is a duration, but fail_ratio is a ratio: write "
                                  "0.01 or 1%"},
           Case{"fail_ratio<5", "threshold 'fail_ratio<5': '5': fail_ratio is between 0 and 1 (write 0.05 or 5%)"},
           Case{"fail_ratio<150%", "threshold 'fail_ratio<150%': '150%': a ratio is at most 100%"},
           Case{"fail_ratio<lots", "threshold 'fail_ratio<lots': 'lots' is not a number (fail_ratio is a ratio: "
                                   "write 0.01 or 1%)"},
           Case{"rps>1s", "threshold 'rps>1s': '1s' is a duration, but rps is per second: write a plain number"},
           Case{"requests>1ms", "threshold 'requests>1ms': '1ms' is a duration, but requests is a count: write a "
                                "plain number"},
           Case{"failures<5%", "threshold 'failures<5%': '5%': a percentage goes only with fail_ratio; failures is "
                               "a plain number"},
           Case{"rps>1k", "threshold 'rps>1k': '1k' is not a number (rps is per second: write a plain number)"},
           Case{": avg<1s", "threshold ': avg<1s': nothing before ':': write a stats entry's name there (GET /cart: "
                            "p(95)<300ms), or leave out the ':' for the Aggregated row"},
           Case{"avg<1s abortOnFail", "threshold 'avg<1s abortOnFail': unknown option 'abortOnFail'; did you mean "
                                      "abort-on-fail?"},
           Case{"avg<1s please", "threshold 'avg<1s please': unexpected 'please' after the value (the only option is "
                                 "abort-on-fail [delay DURATION])"},
           Case{"avg<1s delay 5s", "threshold 'avg<1s delay 5s': 'delay' goes right after abort-on-fail: "
                                   "abort-on-fail delay 10s"},
           Case{"avg<1s abort-on-fail delay", "threshold 'avg<1s abort-on-fail delay': 'delay' needs a duration: "
                                              "abort-on-fail delay 10s"},
           Case{"avg<1s abort-on-fail delay soon", "threshold 'avg<1s abort-on-fail delay soon': 'delay soon': "
                                                   "'soon' is not a duration like 10s or 1m"},
           Case{"avg<1s abort-on-fail delay -5s", "threshold 'avg<1s abort-on-fail delay -5s': 'delay -5s': '-5s' is "
                                                  "not a duration like 10s or 1m"},
           Case{"p(-5)<1s", "threshold 'p(-5)<1s': 'p(-5)': the percentile must be a number above 0 and at most 100, "
                            "e.g. p(95) or p(99.9)"},
           Case{"avg<1s abort-on-fail abort-on-fail", "threshold 'avg<1s abort-on-fail abort-on-fail': unexpected "
                                                      "'abort-on-fail' after the value (the only option is "
                                                      "abort-on-fail [delay DURATION])"},
       }) {
    EXPECT_EQ(error_of(c.text), c.error) << c.text;
  }
}

}  // namespace
}  // namespace loadhost::thresholds
