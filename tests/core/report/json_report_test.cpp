// JSON report: structure, units and the caller's metadata.
#include "core/report/json_report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace loadhost::report {
namespace {

using nlohmann::json;

stats::StatsTable sample_table() {
  stats::StatsTable table(1000.0);
  for (int i = 0; i < 3; ++i) table.count_sent();
  table.record("GET", "/b", 1'000, 10, "", 1001.0);
  table.record("GET", "/a", 3'000, 30, "", 1001.5);
  table.record("GET", "/a", 5'000, 50, "timeout", 1002.0);
  table.record_exception("boom", "Shopper");
  return table;
}

TEST(JsonReport, HasEveryEntryAggregatedFailuresAndMetadata) {
  const json metadata = {{"host", "http://localhost:8080"}, {"users", 10}, {"run_time", "1m"}};
  const json report = stats_json(sample_table(), metadata);

  EXPECT_EQ(report["metadata"], metadata);
  EXPECT_EQ(report["start_time"], 1000.0);
  EXPECT_EQ(report["last_request_time"], 1002.0);
  EXPECT_EQ(report["requests_sent"], 3);

  ASSERT_EQ(report["stats"].size(), 2u);
  const json& a = report["stats"][0];  // sorted by name
  EXPECT_EQ(a["type"], "GET");
  EXPECT_EQ(a["name"], "/a");
  EXPECT_EQ(a["num_requests"], 2);
  EXPECT_EQ(a["num_failures"], 1);
  EXPECT_DOUBLE_EQ(a["fail_ratio"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(a["min_response_time_ms"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(a["max_response_time_ms"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(a["avg_response_time_ms"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(a["median_response_time_ms"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(a["total_rps"].get<double>(), 1.0);  // 2 requests over 1000..1002
  EXPECT_DOUBLE_EQ(a["total_fail_per_sec"].get<double>(), 0.5);
  EXPECT_EQ(a["total_content_length"], 80);
  EXPECT_DOUBLE_EQ(a["avg_content_length"].get<double>(), 40.0);
  EXPECT_EQ(a["first_request_time"], 1001.5);
  EXPECT_EQ(a["last_request_time"], 1002.0);
  const json& p = a["percentiles_ms"];
  ASSERT_EQ(p.size(), 11u);
  for (const char* label : {"50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"}) {
    ASSERT_TRUE(p.contains(label)) << label;
  }
  EXPECT_DOUBLE_EQ(p["50%"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(p["100%"].get<double>(), 5.0);
  EXPECT_EQ(report["stats"][1]["name"], "/b");

  EXPECT_EQ(report["aggregated"]["name"], "Aggregated");
  EXPECT_EQ(report["aggregated"]["type"], "");
  EXPECT_EQ(report["aggregated"]["num_requests"], 3);
  EXPECT_EQ(report["aggregated"]["num_failures"], 1);
  EXPECT_DOUBLE_EQ(report["aggregated"]["max_response_time_ms"].get<double>(), 5.0);

  ASSERT_EQ(report["failures"].size(), 1u);
  EXPECT_EQ(report["failures"][0],
            (json{{"method", "GET"}, {"name", "/a"}, {"error", "timeout"}, {"occurrences", 1},
                  {"first_seen", 1002.0}, {"last_seen", 1002.0}}));
  ASSERT_EQ(report["exceptions"].size(), 1u);
  EXPECT_EQ(report["exceptions"][0], (json{{"message", "boom"}, {"detail", "Shopper"}, {"count", 1}}));
}

TEST(JsonReport, WritesAParsableFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("loadhost_json_report_test_" + std::to_string(::getpid()) + ".json");
  stats::StatsTable table = sample_table();
  table.record("GET", "/bad\xff", 1, 0, "", 1003.0);  // invalid UTF-8 must not throw
  ASSERT_TRUE(write_json_report(path.string(), table, json::object()).ok());
  std::ifstream in(path);
  const json parsed = json::parse(in);
  EXPECT_EQ(parsed["aggregated"]["num_requests"], 4);
  EXPECT_EQ(parsed["stats"].size(), 3u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace loadhost::report
