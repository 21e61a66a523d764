// The corrected histogram and the open model's iteration counts on the
// worker -> master wire: exact after a round trip, merged over workers,
// absent where there is none, a malformed one refused whole.
#include <gtest/gtest.h>

#include "stats_wire_helpers.hpp"

namespace loadhost::distributed {
namespace {

using namespace test_support;

TEST(StatsWireCorrected, CorrectedHistogramsAndIterationsAddUpExactlyOnTheMaster) {
  stats::StatsTable one, two, both;
  for (uint64_t i = 1; i <= 300; ++i) {
    stats::StatsTable &worker = i % 3 ? one : two;
    worker.record("GET", "/open", i * 100, 10, "", kNow, i * 100 + (i % 7) * 250'000);
    both.record("GET", "/open", i * 100, 10, "", kNow, i * 100 + (i % 7) * 250'000);
  }
  one.record("GET", "/closed", 500, 10, "", kNow);  // no intended start: no corrected figures
  both.record("GET", "/closed", 500, 10, "", kNow);
  one.count_iterations(200, 3);
  two.count_iterations(100, 4);
  stats::StatsTable master;
  ASSERT_EQ(decode_and_merge(report_message(one), master), "");
  ASSERT_EQ(decode_and_merge(report_message(two), master), "");

  const stats::LatencyHistogram *got = master.find("GET", "/open")->corrected_histogram();
  const stats::LatencyHistogram *want = both.find("GET", "/open")->corrected_histogram();
  ASSERT_TRUE(got && want);
  EXPECT_EQ(got->count(), want->count());
  EXPECT_EQ(got->sum(), want->sum());
  EXPECT_EQ(got->max(), want->max());
  for (double q : stats::kPercentilesToReport) EXPECT_EQ(got->percentile(q), want->percentile(q)) << q;
  EXPECT_EQ(master.find("GET", "/closed")->corrected_histogram(), nullptr);
  ASSERT_TRUE(master.total().corrected_histogram());
  EXPECT_EQ(master.total().corrected_histogram()->count(), 300u);
  EXPECT_EQ(master.iterations().started, 300u);
  EXPECT_EQ(master.iterations().dropped, 7u);
  expect_same(master.total(), both.total(), "the service time travels as before");
}

TEST(StatsWireCorrected, AReportWithAMalformedCorrectedHistogramMergesNothing) {
  std::string bytes = encode_message("stats", "w", [](Packer &p) {
    p.pack_map(3);
    pack_str(p, "stats");
    p.pack_array(0);
    pack_str(p, "stats_total");
    p.pack_map(5);
    pack_str(p, "num_requests");
    p.pack(1);
    pack_str(p, "num_failures");
    p.pack(0);
    pack_str(p, "total_content_length");
    p.pack(0);
    pack_str(p, "response_times");
    p.pack_map(1);
    p.pack(1);
    p.pack(1);
    pack_str(p, kCorrectedHistogramKey);
    p.pack_array(5);
    p.pack(2);  // two samples claimed, for an entry of one request
    p.pack(2000);
    p.pack(1000);
    p.pack(1000);
    p.pack_array(2);
    p.pack(200);
    p.pack(2);
    pack_str(p, "errors");
    p.pack_map(0);
  });
  stats::StatsTable master;
  std::string error = decode_and_merge(bytes, master);
  EXPECT_NE(error.find("loadhost_corrected_histogram holds more samples"), std::string::npos) << error;
  EXPECT_TRUE(master.empty());
}

}  // namespace
}  // namespace loadhost::distributed
