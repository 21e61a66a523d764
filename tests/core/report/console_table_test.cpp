// Console tables: Locust's layout, character for character. The expected
// lines were produced with Locust's own format strings (locust/stats.py) at
// STATS_NAME_WIDTH = 80.
#include "core/report/console_table.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace loadhost::report {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

stats::StatsTable sample_table() {
  stats::StatsTable table(1000.0);
  table.record("GET", "/a", 1'500, 0, "", 1001.0);
  table.record("GET", "/a", 5'000, 0, "", 1002.0);
  table.record("GET", "/a", 30'900, 0, "boom", 1003.0);
  return table;
}

TEST(ConsoleTable, StatsTableMatchesLocust) {
  const auto lines = lines_of(stats_table_text(sample_table(), /*current=*/false));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0],
            "Type     Name                                                                          # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s");
  EXPECT_EQ(lines[1],
            "--------|----------------------------------------------------------------------------|-------|-------------|-------|-------|-------|-------|--------|-----------");
  EXPECT_EQ(lines[2],
            "GET      /a                                                                                 3    1(33.33%) |     12       1      30      5 |    1.00        0.33");
  EXPECT_EQ(lines[3], lines[1]);
  EXPECT_EQ(lines[4],
            "         Aggregated                                                                         3    1(33.33%) |     12       1      30      5 |    1.00        0.33");
  EXPECT_EQ(lines[5], "");
}

TEST(ConsoleTable, CurrentRatesUseTheWindow) {
  stats::StatsTable table(1000.0);
  for (int s = 1000; s < 1020; ++s) {
    for (int i = 0; i < 4; ++i) table.record("GET", "/", 1'000, 0, "", s + 0.5);
  }
  const auto lines = lines_of(stats_table_text(table, /*current=*/true));
  EXPECT_EQ(lines[2].substr(lines[2].size() - 21), "|    4.00        0.00");
}

TEST(ConsoleTable, PercentileTableMatchesLocust) {
  const auto lines = lines_of(percentile_table_text(sample_table()));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], "Response time percentiles (approximated)");
  EXPECT_EQ(lines[1],
            "Type     Name                                                                                  50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs");
  EXPECT_EQ(lines[2],
            "--------|--------------------------------------------------------------------------------|--------|------|------|------|------|------|------|------|------|------|------|------");
  EXPECT_EQ(lines[3],
            "GET      /a                                                                                      5      5     31     31     31     31     31     31     31     31     31      3");
  EXPECT_EQ(lines[4], lines[2]);
  EXPECT_EQ(lines[5].substr(0, 19), "         Aggregated");
  EXPECT_EQ(lines[5].substr(8), lines[3].substr(8).replace(1, 10, "Aggregated"));
  EXPECT_EQ(lines[6], "");
}

TEST(ConsoleTable, FailuresTableMatchesLocust) {
  EXPECT_EQ(failures_table_text(stats::StatsTable{}), "");
  const auto lines = lines_of(failures_table_text(sample_table()));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "Error report");
  EXPECT_EQ(lines[1], "# occurrences      Error" + std::string(95, ' '));
  EXPECT_EQ(lines[2], std::string(18, '-') + "|" + std::string(141, '-'));
  EXPECT_EQ(lines[3], "1                  GET /a: boom" + std::string(88, ' '));
  EXPECT_EQ(lines[4], lines[2]);
  EXPECT_EQ(lines[5], "");
}

TEST(ConsoleTable, NameWidthFollowsTheTerminal) {
  EXPECT_EQ(name_width_for_terminal(200), 80);
  EXPECT_EQ(name_width_for_terminal(120), 40);
  EXPECT_EQ(name_width_for_terminal(60), 0);
  const auto lines = lines_of(stats_table_text(sample_table(), false, ConsoleOptions{40}));
  EXPECT_EQ(lines[1].find('|', 9), 9u + 36u);  // name column: 40 - 8 + 4
}

TEST(ConsoleTable, ManyNamesShowTheBusiestAndSayHowManyAreNot) {
  stats::StatsTable table(1000.0);
  // 250 names: /n/0 .. /n/249, name k seen k + 1 times.
  for (int k = 0; k < 250; ++k)
    for (int i = 0; i <= k; ++i) table.record("GET", "/n/" + std::to_string(k), 1'000, 0, "", 1001.0);
  ConsoleOptions options;
  options.max_rows = 10;
  for (const std::string& text : {stats_table_text(table, false, options), percentile_table_text(table, options)}) {
    const auto lines = lines_of(text);
    std::vector<std::string> names;
    for (const auto& line : lines)
      if (line.rfind("GET ", 0) == 0) names.push_back(line.substr(9, line.find(' ', 9) - 9));
    // The ten busiest (/n/240../n/249), in name order.
    std::vector<std::string> busiest;
    for (int k = 240; k < 250; ++k) busiest.push_back("/n/" + std::to_string(k));
    EXPECT_EQ(names, busiest) << text;
    EXPECT_NE(text.find("... and 240 more names with fewer requests, not shown here"), std::string::npos) << text;
  }
  // At or under the limit: every row, no such line.
  options.max_rows = 250;
  const std::string all = stats_table_text(table, false, options);
  EXPECT_EQ(all.find("not shown"), std::string::npos);
  EXPECT_NE(all.find("/n/0 "), std::string::npos);
}

}  // namespace
}  // namespace loadhost::report
