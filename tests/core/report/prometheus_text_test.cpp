// Prometheus text exposition: escaping, one HELP and TYPE per family, the
// figures of the table (Aggregated included), and the state gauge.
#include "core/report/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace loadhost::report {
namespace {

// One sample line: `name{labels} value`.
struct Sample {
  std::string name;
  std::string labels;  // between the braces, as written; "" without braces
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family -> TYPE
  std::set<std::string> helps;               // families with a HELP line
  std::vector<std::string> problems;         // lines that are neither
};

// A reader of the text format, enough for what prometheus_text writes.
// Label values may hold escaped quotes, so the closing brace is the one
// after the last unescaped quote.
Exposition parse(const std::string& text) {
  Exposition out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# HELP ")) {
      std::string rest = line.substr(7);
      out.helps.insert(rest.substr(0, rest.find(' ')));
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      std::string rest = line.substr(7);
      size_t space = rest.find(' ');
      out.types[rest.substr(0, space)] = rest.substr(space + 1);
      continue;
    }
    Sample s;
    size_t brace = line.find('{');
    size_t value_at;
    if (brace == std::string::npos) {
      size_t space = line.find(' ');
      s.name = line.substr(0, space);
      value_at = space + 1;
    } else {
      s.name = line.substr(0, brace);
      bool quoted = false;
      size_t i = brace + 1;
      for (; i < line.size(); ++i) {
        if (quoted && line[i] == '\\') {
          ++i;
          continue;
        }
        if (line[i] == '"') quoted = !quoted;
        if (!quoted && line[i] == '}') break;
      }
      if (i >= line.size() || i + 1 >= line.size() || line[i + 1] != ' ') {
        out.problems.push_back(line);
        continue;
      }
      s.labels = line.substr(brace + 1, i - brace - 1);
      value_at = i + 2;
    }
    try {
      size_t used = 0;
      s.value = std::stod(line.substr(value_at), &used);
      if (value_at + used != line.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      out.problems.push_back(line);
      continue;
    }
    out.samples.push_back(s);
  }
  return out;
}

// The family a sample belongs to: summaries add _sum and _count.
std::string family_of(const Exposition& e, const std::string& name) {
  for (const char* suffix : {"_sum", "_count"}) {
    if (name.ends_with(suffix)) {
      std::string base = name.substr(0, name.size() - std::string(suffix).size());
      auto it = e.types.find(base);
      if (it != e.types.end() && it->second == "summary") return base;
    }
  }
  return name;
}

std::string series(const std::string& type, const std::string& name) {
  return "type=\"" + prometheus_label_value(type) + "\",name=\"" + prometheus_label_value(name) + "\"";
}

const Sample* find(const Exposition& e, const std::string& name, const std::string& labels) {
  for (const Sample& s : e.samples)
    if (s.name == name && s.labels == labels) return &s;
  return nullptr;
}

// /a twice (one failure), /b once, a name that needs escaping; then /idle
// reset to zero requests (its row stays, as Locust's reset_all keeps rows).
stats::StatsTable sample_table() {
  stats::StatsTable table(1000.0);
  table.record("GET", "/idle", 9'000, 1, "", 1000.5);
  table.reset(1000.6);
  table.record("GET", "/a", 2'000, 100, "", 1001.0);
  table.record("GET", "/a", 4'000, 300, "HTTP 500", 1001.5);
  table.record("POST", "/b", 10'000, 7, "", 1002.0);
  table.record("GET", "say \"hi\"\\\n", 1'000, 0, "", 1002.5);
  return table;
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(prometheus_label_value("plain /x?y=1"), "plain /x?y=1");
  EXPECT_EQ(prometheus_label_value("a\\b"), "a\\\\b");
  EXPECT_EQ(prometheus_label_value("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(prometheus_label_value("two\nlines"), "two\\nlines");
  EXPECT_EQ(prometheus_label_value("\\\"\n"), "\\\\\\\"\\n");

  // In the exposition, the escaped name stays on its own line.
  const std::string text = prometheus_text(sample_table(), {2, "running"});
  EXPECT_NE(text.find("loadhost_requests_total{type=\"GET\",name=\"say \\\"hi\\\"\\\\\\n\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(PrometheusText, EveryLineParsesAndEveryFamilyHasHelpAndType) {
  const Exposition e = parse(prometheus_text(sample_table(), {2, "running"}));
  EXPECT_TRUE(e.problems.empty()) << e.problems.front();
  ASSERT_FALSE(e.samples.empty());
  std::set<std::string> families;
  for (const Sample& s : e.samples) families.insert(family_of(e, s.name));
  for (const std::string& f : families) {
    EXPECT_TRUE(e.types.contains(f)) << "no TYPE for " << f;
    EXPECT_TRUE(e.helps.contains(f)) << "no HELP for " << f;
  }
  // And no TYPE without samples, nor HELP without TYPE.
  for (const auto& [f, type] : e.types) EXPECT_TRUE(families.contains(f)) << "TYPE of no sample: " << f;
  for (const std::string& f : e.helps) EXPECT_TRUE(e.types.contains(f)) << "HELP without TYPE: " << f;
  EXPECT_EQ(e.types.at("loadhost_requests_total"), "counter");
  EXPECT_EQ(e.types.at("loadhost_response_time_seconds"), "summary");
  EXPECT_EQ(e.types.at("loadhost_users"), "gauge");
}

TEST(PrometheusText, CountsAreTheTables) {
  const stats::StatsTable table = sample_table();
  const Exposition e = parse(prometheus_text(table, {2, "running"}));
  auto rows = table.sorted_entries();
  ASSERT_EQ(rows.size(), 4u);  // /a, /b, /idle and the escaped one
  for (const stats::StatsEntry* row : rows) {
    const std::string labels = series(row->type(), row->name());
    SCOPED_TRACE(labels);
    const Sample* requests = find(e, "loadhost_requests_total", labels);
    const Sample* failures = find(e, "loadhost_failures_total", labels);
    const Sample* bytes = find(e, "loadhost_content_bytes_total", labels);
    const Sample* count = find(e, "loadhost_response_time_seconds_count", labels);
    const Sample* sum = find(e, "loadhost_response_time_seconds_sum", labels);
    ASSERT_TRUE(requests && failures && bytes && count && sum);
    EXPECT_EQ(requests->value, double(row->num_requests()));
    EXPECT_EQ(failures->value, double(row->num_failures()));
    EXPECT_EQ(bytes->value, double(row->total_content_length()));
    EXPECT_EQ(count->value, double(row->num_requests()));
    EXPECT_DOUBLE_EQ(sum->value, double(row->total_response_time_us()) / 1e6);
  }
  // The figures themselves, not only agreement with the table.
  EXPECT_EQ(find(e, "loadhost_requests_total", series("GET", "/a"))->value, 2);
  EXPECT_EQ(find(e, "loadhost_failures_total", series("GET", "/a"))->value, 1);
  EXPECT_EQ(find(e, "loadhost_content_bytes_total", series("GET", "/a"))->value, 400);
  EXPECT_DOUBLE_EQ(find(e, "loadhost_response_time_seconds_sum", series("GET", "/a"))->value, 0.006);
  EXPECT_EQ(find(e, "loadhost_requests_total", series("GET", "/idle"))->value, 0);
  EXPECT_EQ(find(e, "loadhost_users", "")->value, 2);
  EXPECT_DOUBLE_EQ(find(e, "loadhost_fail_ratio", "")->value, 0.25);
}

TEST(PrometheusText, QuantilesOnlyForEntriesWithRequests) {
  const Exposition e = parse(prometheus_text(sample_table(), {0, "running"}));
  std::map<std::string, std::vector<std::string>> quantiles;  // series -> quantile labels
  for (const Sample& s : e.samples) {
    if (s.name != "loadhost_response_time_seconds") continue;
    size_t q = s.labels.find(",quantile=\"");
    ASSERT_NE(q, std::string::npos) << s.labels;
    quantiles[s.labels.substr(0, q)].push_back(s.labels.substr(q));
    EXPECT_GE(s.value, 0);
    EXPECT_LT(s.value, 0.011) << "no sample was above 10 ms: " << s.labels;
  }
  EXPECT_FALSE(quantiles.contains(series("GET", "/idle"))) << "/idle has no request since the reset";
  for (const std::string& with : {series("GET", "/a"), series("POST", "/b"), series("", "Aggregated")})
    EXPECT_EQ(quantiles[with].size(), 11u) << with;
  // The summary's quantiles of /b (one 10 ms sample) are that sample.
  const Sample* median = find(e, "loadhost_response_time_seconds", series("POST", "/b") + ",quantile=\"0.5\"");
  ASSERT_NE(median, nullptr);
  EXPECT_NEAR(median->value, 0.010, 0.010 / 256);
  // /idle still has its _count and _sum, at zero.
  EXPECT_EQ(find(e, "loadhost_response_time_seconds_count", series("GET", "/idle"))->value, 0);
}

TEST(PrometheusText, AggregatedIsTheSeriesWithEmptyType) {
  const stats::StatsTable table = sample_table();
  const Exposition e = parse(prometheus_text(table, {0, "running"}));
  const std::string aggregated = "type=\"\",name=\"Aggregated\"";
  ASSERT_NE(find(e, "loadhost_requests_total", aggregated), nullptr);
  EXPECT_EQ(find(e, "loadhost_requests_total", aggregated)->value, 4);
  EXPECT_EQ(find(e, "loadhost_failures_total", aggregated)->value, 1);
  EXPECT_EQ(find(e, "loadhost_content_bytes_total", aggregated)->value, 407);
  EXPECT_NEAR(find(e, "loadhost_response_time_seconds", aggregated + ",quantile=\"1\"")->value, 0.010, 0.010 / 256);
  // The total of every series but Aggregated is Aggregated.
  double sum = 0;
  for (const Sample& s : e.samples)
    if (s.name == "loadhost_requests_total" && s.labels != aggregated) sum += s.value;
  EXPECT_EQ(sum, 4);
}

TEST(PrometheusText, StateGaugeHasExactlyOneOne) {
  for (const char* state : {"ready", "spawning", "running", "stopping", "stopped"}) {
    SCOPED_TRACE(state);
    const Exposition e = parse(prometheus_text(sample_table(), {1, state}));
    int ones = 0, lines = 0;
    for (const Sample& s : e.samples) {
      if (s.name != "loadhost_state") continue;
      ++lines;
      EXPECT_TRUE(s.value == 0 || s.value == 1) << s.labels;
      if (s.value == 1) {
        ++ones;
        EXPECT_EQ(s.labels, "state=\"" + std::string(state) + "\"");
      }
    }
    EXPECT_EQ(lines, 5);
    EXPECT_EQ(ones, 1);
  }
}

TEST(PrometheusText, EmptyTableHasOnlyAggregated) {
  const Exposition e = parse(prometheus_text(stats::StatsTable{}, {0, "ready"}));
  EXPECT_TRUE(e.problems.empty());
  std::vector<std::string> requests;
  for (const Sample& s : e.samples)
    if (s.name == "loadhost_requests_total") requests.push_back(s.labels);
  EXPECT_EQ(requests, std::vector<std::string>{"type=\"\",name=\"Aggregated\""});
  for (const Sample& s : e.samples) EXPECT_NE(s.name, "loadhost_response_time_seconds") << s.labels;
}

}  // namespace
}  // namespace loadhost::report
