// The corrected histogram (response time from the intended start) and the
// open model's iteration counts: recorded beside the service time, merged
// and reset with the table, and shown by the console, CSV and JSON reports
// only when a run has them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/report/console_table.hpp"
#include "core/report/csv_writer.hpp"
#include "core/report/json_report.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::stats {
namespace {

constexpr double kNow = 1'764'000'000.5;

TEST(CorrectedLatency, RecordedBesideTheServiceTimeOnlyWhereThereIsAnIntendedStart) {
  StatsTable table;
  table.record("GET", "/open", 2'000, 10, "", kNow, 902'000);  // 900 ms late, 2 ms of service
  table.record("GET", "/open", 3'000, 10, "", kNow, 3'000);    // on time
  table.record("GET", "/closed", 5'000, 10, "", kNow);          // no intended start
  const StatsEntry *open = table.find("GET", "/open");
  ASSERT_TRUE(open && open->corrected_histogram());
  EXPECT_EQ(open->corrected_histogram()->count(), 2u);
  EXPECT_EQ(open->corrected_histogram()->max(), 902'000u);
  EXPECT_EQ(open->max_response_time_us(), 3'000u) << "the service time is untouched";
  EXPECT_EQ(table.find("GET", "/closed")->corrected_histogram(), nullptr);
  ASSERT_TRUE(table.total().corrected_histogram());
  EXPECT_EQ(table.total().corrected_histogram()->count(), 2u);
  EXPECT_EQ(table.total().num_requests(), 3u);
}

TEST(CorrectedLatency, MergesExactlyAndResets) {
  StatsTable a, b, merged;
  for (uint64_t i = 1; i <= 100; ++i) a.record("GET", "/", i * 1000, 0, "", kNow, i * 10'000);
  for (uint64_t i = 1; i <= 50; ++i) b.record("GET", "/", i * 1000, 0, "", kNow, i * 20'000);
  a.count_iterations(100, 3);
  b.count_iterations(50, 4);
  merged.merge(a);
  merged.merge(b);
  const LatencyHistogram *h = merged.find("GET", "/")->corrected_histogram();
  ASSERT_TRUE(h);
  EXPECT_EQ(h->count(), 150u);
  EXPECT_EQ(h->max(), 1'000'000u);
  EXPECT_EQ(merged.total().corrected_histogram()->count(), 150u);
  EXPECT_EQ(merged.iterations().started, 150u);
  EXPECT_EQ(merged.iterations().dropped, 7u);

  StatsTable copy = merged;  // a copy owns its own corrected histograms
  merged.reset(kNow);
  EXPECT_EQ(merged.iterations().started, 0u);
  EXPECT_EQ(merged.iterations().dropped, 0u);
  EXPECT_EQ(merged.total().corrected_histogram(), nullptr);
  EXPECT_TRUE(merged.empty());
  ASSERT_TRUE(copy.total().corrected_histogram());
  EXPECT_EQ(copy.total().corrected_histogram()->count(), 150u);

  StatsTable counts_only;
  counts_only.count_iterations(0, 1);
  EXPECT_FALSE(counts_only.empty()) << "a shard holding only a dropped iteration must be handed over";
}

TEST(CorrectedLatency, ConsoleShowsTheSecondTableAndTheIterationsOnlyWhenTheRunHadThem) {
  StatsTable closed;
  closed.record("GET", "/", 1'000, 0, "", kNow);
  EXPECT_EQ(report::corrected_percentile_table_text(closed), "");
  EXPECT_EQ(report::iterations_text(closed), "");

  StatsTable open;
  for (int i = 0; i < 99; ++i) open.record("GET", "/", 1'000, 0, "", kNow, 1'000);
  open.record("GET", "/", 1'000, 0, "", kNow, 1'000'000);  // one iteration started 999 ms late
  open.count_iterations(100, 5);
  std::string text = report::corrected_percentile_table_text(open);
  EXPECT_NE(text.find("Response time percentiles from the intended start (corrected for coordinated omission)"),
            std::string::npos);
  EXPECT_NE(text.find(" 1000    100"), std::string::npos) << "100% = 1000 ms, then # reqs\n" << text;
  EXPECT_EQ(report::percentile_table_text(open).find(" 1000 "), std::string::npos) << "the service time's stays 1 ms";
  EXPECT_NE(report::iterations_text(open).find("Open model: 100 iterations started, 5 dropped"), std::string::npos);
  StatsTable::Iterations at_last_print{40, 2};
  EXPECT_NE(report::iterations_text(open, &at_last_print).find("5 dropped, 60 and 3 since the last table"),
            std::string::npos)
      << "the periodic table's per-interval figures";
}

TEST(CorrectedLatency, CsvFilesAndJsonKeys) {
  StatsTable table;
  table.record("GET", "/a", 2'000, 0, "", kNow, 4'000);
  table.record("GET", "/b", 2'000, 0, "", kNow);
  table.count_iterations(1, 2);
  EXPECT_EQ(report::corrected_percentiles_csv(table),
            "Type,Name,Request Count,Median Response Time,Average Response Time,Min Response Time,"
            "Max Response Time,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n"
            "GET,/a,1,4,4.0,4.0,4.0,4,4,4,4,4,4,4,4,4,4,4\r\n"
            ",Aggregated,1,4,4.0,4.0,4.0,4,4,4,4,4,4,4,4,4,4,4\r\n");
  EXPECT_EQ(report::iterations_csv(table), "Iterations Started,Iterations Dropped\r\n1,2\r\n");

  nlohmann::json doc = report::stats_json(table, nlohmann::json::object());
  EXPECT_EQ(doc["iterations"]["started"], 1);
  EXPECT_EQ(doc["iterations"]["dropped"], 2);
  ASSERT_EQ(doc["stats"].size(), 2u);
  EXPECT_DOUBLE_EQ(doc["stats"][0]["corrected"]["percentiles_ms"]["99%"].get<double>(), 4.0);
  EXPECT_EQ(doc["stats"][0]["corrected"]["num_requests"], 1);
  EXPECT_TRUE(doc["stats"][1]["corrected"].is_null()) << "/b had no intended start";
  EXPECT_EQ(doc["aggregated"]["corrected"]["num_requests"], 1);
}

}  // namespace
}  // namespace loadhost::stats
