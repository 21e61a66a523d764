// Thresholds end to end (docs/thresholds.md): the built loadhost against a
// real nginx, with thresholds from --threshold, a config file, the
// environment and a scenario; what the summary, stderr, the JSON report and
// the exit code say.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr int kThresholdsFailed = 99;

std::string scenario(const std::string &name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }

// The JSON report's entry for `expression`, or null.
const nlohmann::json *threshold_of(const LoadhostRun &run, const std::string &expression) {
  if (!run.report.contains("thresholds")) return nullptr;
  for (const auto &t : run.report["thresholds"])
    if (t["expression"] == expression) return &t;
  return nullptr;
}

std::string both(const LoadhostRun &run) { return "--- stderr:\n" + run.err + "--- stdout:\n" + run.out; }

TEST(Thresholds, PassingThresholdsExitZeroWithCheckMarks) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "2s", "--threshold", "p(95)<5s", "--threshold",
                                       "fail_ratio==0", "--threshold", "GET /: requests>10", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, 0) << both(run);
  EXPECT_NE(run.out.find("Thresholds\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ✓ p(95)<5s"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ✓ fail_ratio==0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ✓ GET /: requests>10"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("thresholds: all 3 passed"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("✗"), std::string::npos) << run.out;
  ASSERT_EQ(run.report["thresholds"].size(), 3u) << run.report.dump(1);
  const nlohmann::json *requests = threshold_of(run, "GET /: requests>10");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ((*requests)["ok"], true);
  EXPECT_EQ((*requests)["value"].get<double>(), double(run.total_requests()));
}

// The value a threshold reports is the reports' own figure: here the
// aggregated max, in the JSON report's milliseconds.
TEST(Thresholds, FailingThresholdExits99WithTheValue) {
  NginxServer nginx;
  TempDir dir;
  const std::filesystem::path html = dir.path() / "report.html";
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "1s", "--threshold", "max<1us", "--threshold", "p(95)<5s",
                                       "--html", html.string(), nginx.url() + "/"});
  ASSERT_EQ(run.status.code, kThresholdsFailed) << both(run);
  const nlohmann::json *max = threshold_of(run, "max<1us");
  ASSERT_NE(max, nullptr) << run.report.dump(1);
  EXPECT_EQ((*max)["ok"], false);
  EXPECT_EQ((*max)["aborted"], false);
  EXPECT_EQ((*max)["unit"], "ms");
  EXPECT_DOUBLE_EQ((*max)["value"].get<double>(), run.report["aggregated"]["max_response_time_ms"].get<double>());
  const std::string shown = (*max)["shown"].get<std::string>();
  EXPECT_NE(run.out.find("  ✗ max<1us   (" + shown + ")"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ✓ p(95)<5s  ("), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("thresholds: 1 of 2 failed"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("loadhost: threshold max<1us failed: " + shown + "\n"), std::string::npos) << run.err;
  // The HTML report carries them too (its data escapes '<' as \u003c).
  std::ifstream page(html);
  const std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("id=\"thresholds-table\""), std::string::npos);
  EXPECT_NE(text.find("\"expression\":\"max\\u003c1us\""), std::string::npos) << html;
  const nlohmann::json *p95 = threshold_of(run, "p(95)<5s");
  ASSERT_NE(p95, nullptr);
  EXPECT_EQ((*p95)["ok"], true);
  EXPECT_DOUBLE_EQ((*p95)["value"].get<double>(),
                   run.report["aggregated"]["percentiles_ms"]["95%"].get<double>());
}

// Failed requests alone exit 1; with a failed threshold too, 99 wins (k6's
// precedence); a passing threshold leaves the failures' 1.
TEST(Thresholds, FailedThresholdWinsOverFailedRequests) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun failing = run_loadhost(dir, {"-u", "1", "-t", "1s", "--threshold", "fail_ratio<50%",
                                           nginx.url() + "/notfound"});
  ASSERT_EQ(failing.status.code, kThresholdsFailed) << both(failing);
  EXPECT_GT(failing.total_failures(), 0u);
  EXPECT_NE(failing.out.find("  ✗ fail_ratio<50%  (1 (100%))"), std::string::npos) << failing.out;
  LoadhostRun passing = run_loadhost(dir, {"-u", "1", "-t", "1s", "--threshold", "requests>0",
                                           nginx.url() + "/notfound"});
  EXPECT_EQ(passing.status.code, 1) << both(passing);
  EXPECT_EQ(passing.report["thresholds"][0]["ok"], true);
}

// abort-on-fail, evaluated once a second: a 60 s run stops within seconds of
// its delay, with the threshold as the reason.
TEST(Thresholds, AbortOnFailStopsALongRun) {
  NginxServer nginx;
  TempDir dir;
  const std::string expression = "avg<1us abort-on-fail delay 2s";
  LoadhostRun run = run_loadhost(dir, {"-u", "2", "-t", "60s", "--threshold", expression, "--threshold",
                                       "requests>0", nginx.url() + "/"},
                                 30s);
  ASSERT_EQ(run.status.code, kThresholdsFailed) << both(run);
  EXPECT_LT(run.seconds, 10.0) << both(run);
  const double ran = run.report["metadata"]["run_time_s"].get<double>();
  EXPECT_GE(ran, 2.0) << "aborted before its delay";
  EXPECT_LT(ran, 5.0);
  const std::string reason = run.report["metadata"]["stop_reason"].get<std::string>();
  EXPECT_EQ(reason.rfind("threshold avg<1us failed: ", 0), 0u) << reason;
  EXPECT_NE(run.err.find("loadhost: test stopped: " + reason), std::string::npos) << run.err;
  const nlohmann::json *t = threshold_of(run, expression);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ((*t)["aborted"], true);
  EXPECT_EQ((*t)["ok"], false);
  EXPECT_NE(run.out.find("stopped the test: " + reason), std::string::npos) << run.out;
  EXPECT_EQ(threshold_of(run, "requests>0")->at("ok"), true);
}

TEST(Thresholds, NameThatNeverAppearsFails) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run =
      run_loadhost(dir, {"-u", "1", "-t", "1s", "--threshold", "GET /never: p(95)<1s", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, kThresholdsFailed) << both(run);
  EXPECT_NE(run.out.find("  ✗ GET /never: p(95)<1s  (no requests named 'GET /never')"), std::string::npos) << run.out;
  EXPECT_TRUE(threshold_of(run, "GET /never: p(95)<1s")->at("value").is_null());
}

TEST(Thresholds, MalformedExpressionExits2BeforeAnyUserStarts) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-u", "1", "-t", "30s", "--threshold", "p(95)<5s", "--threshold",
                                       "p(95)<3xs", nginx.url() + "/"},
                                 15s);
  ASSERT_EQ(run.status.code, 2) << both(run);
  EXPECT_EQ(run.err, "loadhost: threshold 'p(95)<3xs': '3xs' is not a duration like 300ms, 1.5s or 250us\n");
  EXPECT_LT(run.seconds, 5.0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "report.json"));
}

TEST(Thresholds, ScenarioDeclaresThresholds) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("thresholds_declared"), "-H", nginx.url(), "-u", "2", "-r", "0",
                                       "-t", "1s", "--threshold", "p(95)<5s"});
  ASSERT_EQ(run.status.code, kThresholdsFailed) << both(run);
  // The command line's first, then the scenario's.
  ASSERT_EQ(run.report["thresholds"].size(), 3u) << run.report.dump(1);
  EXPECT_EQ(run.report["thresholds"][0]["expression"], "p(95)<5s");
  EXPECT_EQ(run.report["thresholds"][1]["expression"], "GET /declared: requests>0");
  EXPECT_EQ(run.report["thresholds"][1]["ok"], true);
  EXPECT_EQ(run.report["thresholds"][2]["expression"], "GET /other: max<1us");
  EXPECT_EQ(run.report["thresholds"][2]["ok"], false);
  EXPECT_NE(run.out.find("  ✓ GET /declared: requests>0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ✗ GET /other: max<1us"), std::string::npos) << run.out;
}

// A name mistyped on the command line: the row closest to it is suggested.
TEST(Thresholds, MistypedNameSuggestsTheRealOne) {
  NginxServer nginx;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("thresholds_declared"), "-H", nginx.url(), "-u", "1", "-t",
                                       "1s", "--threshold", "GET /declard: requests>0"});
  ASSERT_EQ(run.status.code, kThresholdsFailed) << both(run);
  EXPECT_NE(run.err.find("loadhost: threshold GET /declard: requests>0 failed: no requests named 'GET /declard' "
                         "(did you mean 'GET /declared'?)\n"),
            std::string::npos)
      << run.err;
}

TEST(Thresholds, ScenarioWithAMalformedThresholdDoesNotRun) {
  NginxServer nginx;
  TempDir dir;
  const std::string so = scenario("thresholds_malformed");
  LoadhostRun run = run_loadhost(dir, {"-f", so, "-H", nginx.url(), "-u", "1", "-t", "30s"}, 15s);
  ASSERT_EQ(run.status.code, 2) << both(run);
  EXPECT_NE(run.err.find("loadhost: scenario " + so +
                         ": threshold 'p(95)<300': '300' needs a unit: p(95) is a duration (write 300ms, or s, us)\n"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("starting"), std::string::npos) << run.err;
}

void write_file(const std::filesystem::path &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  ASSERT_TRUE(out.flush()) << path;
}

TEST(Thresholds, ConfigFileAndEnvironmentGiveThresholds) {
  NginxServer nginx;
  TempDir dir;
  write_file(dir.path() / "run.conf", "threshold = [\"max<1us\", \"GET /: requests>0\"]\n");
  LoadhostRun run =
      run_loadhost(dir, {"--config", (dir.path() / "run.conf").string(), "-u", "1", "-t", "1s", nginx.url() + "/"});
  ASSERT_EQ(run.status.code, kThresholdsFailed) << both(run);
  EXPECT_NE(run.out.find("  ✗ max<1us"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  ✓ GET /: requests>0"), std::string::npos) << run.out;

  ScopedEnv env("LOADHOST_THRESHOLD", std::string("requests<1"));
  LoadhostRun from_env = run_loadhost(dir, {"-u", "1", "-t", "1s", nginx.url() + "/"});
  ASSERT_EQ(from_env.status.code, kThresholdsFailed) << both(from_env);
  EXPECT_NE(from_env.out.find("  ✗ requests<1"), std::string::npos) << from_env.out;
}

}  // namespace
}  // namespace loadhost::test
