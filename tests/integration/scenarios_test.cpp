// Scenarios end to end: the shop against the bundled demo target, a plain-C
// protocol plugin (built with clang out of tree in tests/sdk/out_of_tree_test.cpp),
// `-f file.cpp` compiled on the fly, and the one-line errors for bad
// scenarios and plugins.
#include <gtest/gtest.h>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/demo_target.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

std::string scenario(const char *name) { return std::string(LH_SCENARIO_DIR) + "/" + name + ".so"; }
std::string source(const char *name) { return std::string(LH_SCENARIO_SOURCE_DIR) + "/" + name + ".cpp"; }

TEST(Scenarios, ShopAgainstTheDemoTarget) {
  DemoTarget target;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", LH_SHOP_SCENARIO, "-H", target.url(), "-u", "20", "-r", "50", "-t", "3s"});
  EXPECT_EQ(run.status.code, 1) << "the demo's /flaky fails on purpose\n" << run.err;
  const auto *items = run.entry("GET", "/items/[id]");
  ASSERT_TRUE(items) << run.report.dump(1);
  EXPECT_GT((*items)["num_requests"].get<int>(), 50);
  EXPECT_EQ((*items)["num_failures"].get<int>(), 0);
  const auto *cart = run.entry("POST", "/cart [add]");
  ASSERT_TRUE(cart);
  EXPECT_EQ((*cart)["num_failures"].get<int>(), 0) << "logged in on_start: the session cookie was sent";
  const auto *login = run.entry("POST", "/login");
  ASSERT_TRUE(login);
  EXPECT_EQ((*login)["num_requests"].get<int>(), 15) << "one login per Shopper: 3 of every 4 users (weights 3:1)";
  const auto *flaky = run.entry("GET", "/flaky");
  ASSERT_TRUE(flaky);
  EXPECT_GT((*flaky)["num_failures"].get<int>(), 0);
  EXPECT_NE(run.failure_errors().find("HTTP 500"), std::string::npos);
  const auto *slow = run.entry("GET", "/slow");
  ASSERT_TRUE(slow);
  EXPECT_GE((*slow)["min_response_time_ms"].get<double>(), 95.0);
}

TEST(Scenarios, PluginWrittenInPlainC) {
  DemoTarget target;
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", scenario("echo"), "-H", target.echo_url(), "-u", "5", "-t", "1s"});
  ASSERT_EQ(run.status.code, 0) << run.err << run.report.dump(1);
  const auto *sends = run.entry("send", "echo");
  ASSERT_TRUE(sends) << run.report.dump(1);
  EXPECT_GT((*sends)["num_requests"].get<int>(), 100);
  EXPECT_TRUE(run.report["exceptions"].empty()) << run.report["exceptions"].dump();
}

TEST(Scenarios, PluginOptionsAndQuickModeFromAPluginInC) {
  DemoTarget target;
  TempDir dir;
  // lineecho's own option and quick user (examples/plugins/line_echo_quick.c).
  LoadhostRun run = run_loadhost(dir, {"-u", "3", "-t", "1s", "--echo-text", "hello", target.echo_url()});
  ASSERT_EQ(run.status.code, 0) << run.err;
  const auto *sends = run.entry("send", "quick");
  ASSERT_TRUE(sends) << run.report.dump(1);
  EXPECT_GT((*sends)["num_requests"].get<int>(), 50);
  EXPECT_EQ(run.total_failures(), 0u);
  EXPECT_EQ((*sends)["avg_content_length"].get<double>(), 6.0) << "\"hello\\n\" came back";

  // Its options are listed by `loadhost help lineecho` (plain --help lists the core's).
  TempDir help_dir;
  Process help({LH_LOADHOST_BIN, "help", "lineecho"}, help_dir.path());
  ASSERT_TRUE(help.wait(std::chrono::seconds(10)).has_value());
  EXPECT_NE(help.stdout_text().find("--echo-text"), std::string::npos) << help.stdout_text();
  EXPECT_NE(help.stdout_text().find("[lineecho]"), std::string::npos);
}

TEST(Scenarios, QuickModeNeedsAPluginForTheScheme) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-t", "1s", "ftp://127.0.0.1:21/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("no quick mode for 'ftp://127.0.0.1:21/'"), std::string::npos) << run.err;
}

TEST(Scenarios, CppFileIsCompiledAndCached) {
  NginxServer nginx;
  TempDir dir;
  ::setenv("XDG_CACHE_HOME", (dir.path() / "cache").c_str(), 1);
  LoadhostRun first = run_loadhost(dir, {"-f", source("compile_me"), "-H", nginx.url(), "-u", "2", "-t", "500ms"},
                                   std::chrono::seconds(180));
  ASSERT_EQ(first.status.code, 0) << first.err;
  EXPECT_NE(first.err.find("compiled "), std::string::npos) << first.err;
  ASSERT_TRUE(first.entry("GET", "compiled"));
  LoadhostRun second = run_loadhost(dir, {"-f", source("compile_me"), "-H", nginx.url(), "-u", "2", "-t", "500ms"});
  ASSERT_EQ(second.status.code, 0) << second.err;
  EXPECT_EQ(second.err.find("compiled "), std::string::npos) << "the second run uses the cache";
  ::unsetenv("XDG_CACHE_HOME");
}

// The cache holds code loadhost loads: one another user could write is
// refused before anything is compiled or loaded.
TEST(Scenarios, CacheOthersCanWriteIsRefused) {
  TempDir dir;
  const std::filesystem::path cache = dir.path() / "cache" / "loadhost";
  std::filesystem::create_directories(cache);
  std::filesystem::permissions(cache, std::filesystem::perms::all);
  ScopedEnv xdg("XDG_CACHE_HOME", (dir.path() / "cache").string());
  LoadhostRun run = run_loadhost(dir, {"-f", source("compile_me"), "-H", "http://127.0.0.1:1", "-t", "1s"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: cannot compile '" + source("compile_me") + "': the scenario cache '" +
                         cache.string() +
                         "' is writable by other users (mode 0777): another user may have put code in it; remove "
                         "it (or chmod 700 it if it is yours), or set XDG_CACHE_HOME to a directory of your own\n");
  EXPECT_TRUE(std::filesystem::is_empty(cache)) << "nothing compiled into it";
}

TEST(Scenarios, CompileErrorsAreShownVerbatim) {
  TempDir dir;
  ::setenv("XDG_CACHE_HOME", (dir.path() / "cache").c_str(), 1);
  LoadhostRun run = run_loadhost(dir, {"-f", source("broken"), "-H", "http://127.0.0.1:1", "-t", "1s"},
                                 std::chrono::seconds(180));
  ::unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("missing_method"), std::string::npos) << "the compiler's own error\n" << run.err;
  EXPECT_NE(run.err.find("did not compile (the compiler's errors are above)"), std::string::npos) << run.err;
}

TEST(Scenarios, MissingScenarioFile) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"-f", "/nonexistent/shop.so", "-t", "1s"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_EQ(run.err, "loadhost: scenario '/nonexistent/shop.so': no such file\n");
}

TEST(Scenarios, UnknownPluginId) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "nosuchproto", "-t", "1s", "http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("loadhost: plugin 'nosuchproto': not found (looked for nosuchproto.so in "), std::string::npos) << run.err;
}

TEST(Scenarios, PluginOfAnotherAbiMajor) {
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", LH_WRONG_MAJOR_PLUGIN, "-t", "1s", "http://127.0.0.1:1/"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("was built for loadhost ABI 2.0, but this loadhost speaks ABI 1.x"), std::string::npos)
      << run.err;
}

TEST(Scenarios, UsageErrorsExitWithTwo) {
  TempDir dir;
  EXPECT_EQ(run_loadhost(dir, {"-t", "soon", "http://127.0.0.1:1/"}).status.code, 2);
  EXPECT_EQ(run_loadhost(dir, {}).status.code, 2);
  LoadhostRun stages = run_loadhost(dir, {"--stages", "10s:5,x", "http://127.0.0.1:1/"});
  EXPECT_EQ(stages.status.code, 2);
  EXPECT_NE(stages.err.find("--stages: 'x' is not DURATION:USERS"), std::string::npos) << stages.err;
}

}  // namespace
}  // namespace loadhost::test
