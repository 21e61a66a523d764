// The web UI's JSON: Locust 2.12's exact shapes for /stats/requests and
// /exceptions (keys, escaping, truncation), Python's html.escape, and JSON
// that is safe inside a <script> element.
#include "hosts/loadhost/web/stats_json.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <set>
#include <string>

namespace loadhost::web {
namespace {

using nlohmann::json;

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// Locust 2.12's web.py, request_stats(): the keys of a stats row, of the
// answer, and of an error row (StatsError.serialize()).
const std::set<std::string> kLocustStatsRowKeys = {
    "method", "name", "safe_name", "num_requests", "num_failures", "avg_response_time", "min_response_time",
    "max_response_time", "current_rps", "current_fail_per_sec", "median_response_time", "ninetieth_response_time",
    "ninety_ninth_response_time", "avg_content_length"};
const std::set<std::string> kLocustTopKeys = {
    "stats", "errors", "total_rps", "fail_ratio", "current_response_time_percentile_95",
    "current_response_time_percentile_50", "state", "user_count"};
const std::set<std::string> kLocustErrorKeys = {"method", "name", "error", "occurrences"};

// What Python's html.escape(text) and html.escape(text, quote=False) return
// (taken from CPython 3.11).
struct EscapeCase {
  const char* text;
  const char* quoted;
  const char* unquoted;
};
constexpr EscapeCase kPythonEscapes[] = {
    {"plain", "plain", "plain"},
    {"a&b", "a&amp;b", "a&amp;b"},
    {"<script>alert('x')</script>", "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;",
     "&lt;script&gt;alert('x')&lt;/script&gt;"},
    {"say \"hi\"", "say &quot;hi&quot;", "say \"hi\""},
    {"&amp;", "&amp;amp;", "&amp;amp;"},
    {"it's", "it&#x27;s", "it's"},
    {"tab\there", "tab\there", "tab\there"},
    {"\u00e9 <\u00fc> &", "\u00e9 &lt;\u00fc&gt; &amp;", "\u00e9 &lt;\u00fc&gt; &amp;"},
    {"", "", ""},
    {"<>&\"'", "&lt;&gt;&amp;&quot;&#x27;", "&lt;&gt;&amp;\"'"},
};

TEST(HtmlEscape, MatchesPythonsHtmlEscape) {
  for (const EscapeCase& c : kPythonEscapes) {
    EXPECT_EQ(html_escape(c.text), c.quoted) << c.text;
    EXPECT_EQ(html_escape(c.text, true), c.quoted) << c.text;
    EXPECT_EQ(html_escape(c.text, false), c.unquoted) << c.text;
  }
}

TEST(JsonForScript, HasNoAngleBracketAndRoundTrips) {
  const json value = {{"name", "</script><script>alert(1)</script>"},
                      {"list", {"<!--", "a<b", "<<", "</SCRIPT>"}},
                      {"<key>", "\u00e9\u4e2d"},
                      {"n", 1.5},
                      {"none", nullptr}};
  const std::string text = json_for_script(value);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_NE(text.find("\\u003c/script>"), std::string::npos) << text;
  EXPECT_EQ(json::parse(text), value);
}

TEST(JsonText, InvalidUtf8IsReplacedNotAnError) {
  const std::string text = json_text({{"name", "/bad\xff"}});
  const json back = json::parse(text);
  EXPECT_EQ(back["name"], "/bad\xef\xbf\xbd");  // U+FFFD
}

// /a: 2 ms and 4 ms (the second failed), 100 and 300 bytes; /b: 10 ms.
stats::StatsTable sample_table() {
  stats::StatsTable table(1000.0);
  table.record("GET", "/a", 2'000, 100, "", 1001.0);
  table.record("GET", "/a", 4'000, 300, "HTTP 500", 1001.5);
  table.record("POST", "/b", 10'400, 7, "", 1002.0);
  return table;
}

TEST(LocustStatsRequests, HasExactlyLocustsKeys) {
  report::HistoryPoint point;
  point.p50_ms = 3.4;
  point.p95_ms = 9.6;
  const json answer = locust_stats_requests(sample_table(), {"running", 3, &point, nullptr});
  EXPECT_EQ(keys_of(answer), kLocustTopKeys);
  ASSERT_EQ(answer["stats"].size(), 3u);
  for (const json& row : answer["stats"]) EXPECT_EQ(keys_of(row), kLocustStatsRowKeys) << row;
  ASSERT_EQ(answer["errors"].size(), 1u);
  EXPECT_EQ(keys_of(answer["errors"][0]), kLocustErrorKeys);

  EXPECT_EQ(answer["state"], "running");
  EXPECT_EQ(answer["user_count"], 3);
  // Locust's current percentiles are whole milliseconds.
  EXPECT_EQ(answer["current_response_time_percentile_50"], 3);
  EXPECT_EQ(answer["current_response_time_percentile_95"], 10);
  EXPECT_DOUBLE_EQ(answer["fail_ratio"].get<double>(), 1.0 / 3);
  EXPECT_EQ(answer["total_rps"], answer["stats"].back()["current_rps"]);
}

TEST(LocustStatsRequests, RowsHoldLocustsFiguresAndAggregatedIsLast) {
  const json answer = locust_stats_requests(sample_table(), {"stopped", 0, nullptr, nullptr});
  const json& stats = answer["stats"];
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0]["name"], "/a");
  EXPECT_EQ(stats[1]["name"], "/b");
  const json& a = stats[0];
  EXPECT_EQ(a["method"], "GET");
  EXPECT_EQ(a["num_requests"], 2);
  EXPECT_EQ(a["num_failures"], 1);
  EXPECT_DOUBLE_EQ(a["avg_response_time"].get<double>(), 3.0);
  EXPECT_EQ(a["min_response_time"], 2);
  EXPECT_EQ(a["max_response_time"], 4);
  EXPECT_EQ(a["median_response_time"], 2);  // Locust's lower median
  EXPECT_EQ(a["ninetieth_response_time"], 4);
  EXPECT_DOUBLE_EQ(a["avg_content_length"].get<double>(), 200.0);
  EXPECT_EQ(stats[1]["max_response_time"], 10) << "10.4 ms rounds to 10";

  const json& total = stats.back();
  EXPECT_EQ(total["name"], "Aggregated");
  EXPECT_EQ(total["method"], "");
  EXPECT_EQ(total["safe_name"], "Aggregated");
  EXPECT_EQ(total["num_requests"], 3);
  EXPECT_EQ(total["num_failures"], 1);

  // No window yet: Locust answers null.
  EXPECT_TRUE(answer["current_response_time_percentile_50"].is_null());
  EXPECT_TRUE(answer["current_response_time_percentile_95"].is_null());
  // Not a master: no workers key; a master's answer has one.
  EXPECT_FALSE(answer.contains("workers"));
  const json master = locust_stats_requests(sample_table(), {"running", 0, nullptr, json::array()});
  EXPECT_TRUE(master.contains("workers"));
}

TEST(LocustStatsRequests, EmptyTableStillHasAggregated) {
  const json answer = locust_stats_requests(stats::StatsTable{}, {"ready", 0, nullptr, nullptr});
  EXPECT_EQ(keys_of(answer), kLocustTopKeys);
  ASSERT_EQ(answer["stats"].size(), 1u);
  EXPECT_EQ(answer["stats"][0]["name"], "Aggregated");
  EXPECT_EQ(answer["stats"][0]["num_requests"], 0);
  EXPECT_EQ(answer["total_rps"], 0.0);
  EXPECT_TRUE(answer["errors"].empty());
}

TEST(LocustStatsRequests, EscapesNamesAndErrorsAsLocust) {
  const std::string name = "/q?a=<b>&c=\"d\"&e='f'";
  const std::string error = "<h1>500</h1> 'oops' & \"more\"";
  stats::StatsTable table(1000.0);
  table.record("GET", name, 1'000, 0, error, 1001.0);
  const json answer = locust_stats_requests(table, {"running", 1, nullptr, nullptr});
  const json& row = answer["stats"][0];
  // Locust: "name" raw, "safe_name" html.escape(name, quote=False).
  EXPECT_EQ(row["name"], name);
  EXPECT_EQ(row["safe_name"], "/q?a=&lt;b&gt;&amp;c=\"d\"&amp;e='f'");
  // Errors: name and error html.escape(text) (quote=True), method raw.
  const json& e = answer["errors"][0];
  EXPECT_EQ(e["method"], "GET");
  EXPECT_EQ(e["name"], "/q?a=&lt;b&gt;&amp;c=&quot;d&quot;&amp;e=&#x27;f&#x27;");
  EXPECT_EQ(e["error"], "&lt;h1&gt;500&lt;/h1&gt; &#x27;oops&#x27; &amp; &quot;more&quot;");
  EXPECT_EQ(e["occurrences"], 1);
}

TEST(LocustStatsRequests, TruncatesTo500RowsKeepingAggregated) {
  stats::StatsTable table(1000.0);
  for (int i = 0; i < 600; ++i) {
    std::string name = fmt::format("/e{:03}", i);
    table.record("GET", name, 1'000, 0, "error " + std::to_string(i), 1001.0);
  }
  const json answer = locust_stats_requests(table, {"running", 1, nullptr, nullptr});
  const json& stats = answer["stats"];
  ASSERT_EQ(stats.size(), 501u) << "500 entries and Aggregated, as Locust's stats[:500] + [stats[-1]]";
  EXPECT_EQ(stats[0]["name"], "/e000");
  EXPECT_EQ(stats[499]["name"], "/e499");
  EXPECT_EQ(stats[500]["name"], "Aggregated");
  EXPECT_EQ(stats[500]["num_requests"], 600) << "Aggregated counts the rows left out too";
  EXPECT_EQ(answer["errors"].size(), 500u);

  // At the limit nothing is cut: 500 entries and Aggregated.
  stats::StatsTable five_hundred(1000.0);
  for (int i = 0; i < 500; ++i) five_hundred.record("GET", fmt::format("/e{:03}", i), 1'000, 0, "", 1001.0);
  const json full = locust_stats_requests(five_hundred, {"running", 1, nullptr, nullptr});
  ASSERT_EQ(full["stats"].size(), 501u);
  EXPECT_EQ(full["stats"][499]["name"], "/e499");
  EXPECT_EQ(full["stats"][500]["name"], "Aggregated");
}

TEST(LocustExceptions, HasLocustsKeysEscaped) {
  stats::StatsTable table;
  table.record_exception("bad <input> & 'x'", "Shopper\n<traceback>");
  table.record_exception("bad <input> & 'x'", "Shopper\n<traceback>");
  const json answer = locust_exceptions(table, "local");
  EXPECT_EQ(keys_of(answer), std::set<std::string>{"exceptions"});
  ASSERT_EQ(answer["exceptions"].size(), 1u);
  const json& row = answer["exceptions"][0];
  EXPECT_EQ(keys_of(row), (std::set<std::string>{"count", "msg", "traceback", "nodes"}));
  EXPECT_EQ(row["count"], 2);
  EXPECT_EQ(row["msg"], "bad &lt;input&gt; &amp; &#x27;x&#x27;");
  EXPECT_EQ(row["traceback"], "Shopper\n&lt;traceback&gt;");
  EXPECT_EQ(row["nodes"], "local");
}

}  // namespace
}  // namespace loadhost::web
