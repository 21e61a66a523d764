// CSV reports: Locust's exact headers and cell formatting, history rows with
// windowed percentiles, and the four files under a prefix.
#include "core/report/csv_writer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace loadhost::report {
namespace {

const std::string kStatsHeader =
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n";
const std::string kHistoryHeader =
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,"
    "Total Request Count,Total Failure Count,Total Median Response Time,"
    "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
    "Total Average Content Size\r\n";

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

stats::StatsTable sample_table() {
  stats::StatsTable table(1000.0);
  table.record("GET", "/a", 1'400, 100, "", 1001.0);
  table.record("GET", "/a", 2'600, 300, "HTTPError('500')", 1002.0);
  table.record("GET", "/search?q=\"x\",y", 250, 0, "", 1002.0);
  table.record_exception("ZeroDivisionError: division by zero",
                         "Traceback (most recent call last):\n  File \"shop.cpp\"");
  return table;
}

TEST(CsvWriter, HeadersAreLocusts) {
  const stats::StatsTable empty;
  EXPECT_EQ(stats_csv(empty).substr(0, kStatsHeader.size()), kStatsHeader);
  EXPECT_EQ(stats_history_csv_header(), kHistoryHeader);
  EXPECT_EQ(failures_csv(empty), "Method,Name,Error,Occurrences\r\n");
  EXPECT_EQ(exceptions_csv(empty, "local"), "Count,Message,Traceback,Nodes\r\n");
}

TEST(CsvWriter, StatsRowsFormatLikeLocust) {
  // ms: averages/min/max as Python floats, median and percentiles rounded
  // ints, rates over the table's span (1000.0 .. 1002.0), quoting by csv.
  EXPECT_EQ(stats_csv(sample_table()),
            kStatsHeader +
                "GET,/a,2,1,1,2.0,1.4,2.6,200.0,1.0,0.5,3,3,3,3,3,3,3,3,3,3,3\r\n"
                "GET,\"/search?q=\"\"x\"\",y\",1,0,0,0.25,0.25,0.25,0.0,0.5,0.0,0,0,0,0,0,0,0,0,0,0,0\r\n"
                ",Aggregated,3,1,1,1.4166666666666667,0.25,2.6,133.33333333333334,1.5,0.5,"
                "1,1,3,3,3,3,3,3,3,3,3\r\n");
}

TEST(CsvWriter, EntryWithoutRequestsWritesNA) {
  stats::StatsTable table = sample_table();
  table.reset(2000.0);
  const std::string csv = stats_csv(table);
  EXPECT_NE(csv.find("GET,/a,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,"), std::string::npos) << csv;
}

TEST(CsvWriter, FailuresAndExceptionsRows) {
  const stats::StatsTable table = sample_table();
  EXPECT_EQ(failures_csv(table), "Method,Name,Error,Occurrences\r\nGET,/a,HTTPError('500'),1\r\n");
  EXPECT_EQ(exceptions_csv(table, "local"),
            "Count,Message,Traceback,Nodes\r\n"
            "1,ZeroDivisionError: division by zero,"
            "\"Traceback (most recent call last):\n  File \"\"shop.cpp\"\"\",local\r\n");
}

// Ten requests a second from 1000 to 1014: 10 ms for five seconds, then 100 ms.
void tick(stats::StatsTable& table, int t) {
  const std::uint64_t us = t < 1005 ? 10'000 : 100'000;
  for (int i = 0; i < 10; ++i) table.record("GET", "/x", us, 0, "", t + 0.5);
}

TEST(StatsHistoryCsv, AggregatedRowWithCurrentWindow) {
  stats::StatsTable table(1000.0);
  StatsHistoryCsv history(false);
  tick(table, 1000);
  // No snapshot 10 s back yet: current percentiles are 0, as Locust's `or 0`.
  EXPECT_EQ(history.rows(table, 7, 1000.9),
            "1000,7,,Aggregated,0.000000,0.000000,0,0,0,0,0,0,0,0,0,0,0,10,0,10,10.0,10.0,10.0,0.0\r\n");
  std::string last;
  for (int t = 1001; t <= 1014; ++t) {
    tick(table, t);
    last = history.rows(table, 7, t + 0.9);
  }
  // The window holds 1005..1014, all 100 ms, although the cumulative median
  // still mixes in the 10 ms seconds; the rate is 10/s over 1002..1011.
  EXPECT_EQ(last,
            "1014,7,,Aggregated,10.000000,0.000000,100,100,100,100,100,100,100,100,100,100,100,"
            "150,0,100,70.0,10.0,100.0,0.0\r\n");
}

TEST(StatsHistoryCsv, FullHistoryAddsEveryEntryFirst) {
  stats::StatsTable table(1000.0);
  table.record("POST", "/y", 1'000, 0, "", 1000.5);
  tick(table, 1000);
  StatsHistoryCsv history(true);
  const std::string rows = history.rows(table, 3, 1000.9);
  const auto first = rows.find("\r\n");
  const auto second = rows.find("\r\n", first + 2);
  EXPECT_EQ(rows.substr(0, 15), "1000,3,GET,/x,0");
  EXPECT_EQ(rows.substr(first + 2, 16), "1000,3,POST,/y,0");
  EXPECT_EQ(rows.substr(second + 2, 22), "1000,3,,Aggregated,0.0");
  EXPECT_EQ(rows.size(), rows.rfind("\r\n") + 2);
}

TEST(CsvFileWriter, WritesLocustsFourFiles) {
  // Unique per process: other suites may run in parallel (ctest -j).
  const auto dir = std::filesystem::temp_directory_path() /
                   ("loadhost_csv_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string prefix = (dir / "run").string();
  CsvFileWriter writer(prefix);
  const stats::StatsTable table = sample_table();

  ASSERT_TRUE(writer.write_snapshot(table).ok());
  ASSERT_TRUE(writer.append_history(table, 5, 1003.0).ok());
  ASSERT_TRUE(writer.append_history(table, 5, 1004.0).ok());

  EXPECT_EQ(read_all(dir / "run_stats.csv"), stats_csv(table));
  EXPECT_EQ(read_all(dir / "run_failures.csv"), failures_csv(table));
  EXPECT_EQ(read_all(dir / "run_exceptions.csv"), exceptions_csv(table, "local"));
  const std::string history = read_all(dir / "run_stats_history.csv");
  EXPECT_EQ(history.substr(0, kHistoryHeader.size()), kHistoryHeader);
  EXPECT_NE(history.find("\r\n1003,5,,Aggregated,"), std::string::npos);
  EXPECT_NE(history.find("\r\n1004,5,,Aggregated,"), std::string::npos);
  EXPECT_EQ(history.find(kHistoryHeader, 1), std::string::npos);  // header once
  EXPECT_FALSE(std::filesystem::exists(dir / "run_stats.csv.tmp"));
  std::filesystem::remove_all(dir);
}

TEST(CsvFileWriter, ReportsAnUnwritablePrefix) {
  CsvFileWriter writer("/nonexistent-dir-for-loadhost-test/run");
  const WriteResult result = writer.write_snapshot(stats::StatsTable{});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error_.find("/nonexistent-dir-for-loadhost-test/run_stats.csv"), std::string::npos)
      << result.error_;
  EXPECT_FALSE(writer.append_history(stats::StatsTable{}, 0, 1.0).ok());
}

}  // namespace
}  // namespace loadhost::report
