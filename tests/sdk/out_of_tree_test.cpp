// A vendor's view of the SDK (issue 12, section 3): loadhost installed to a
// fresh prefix, the plugin example (installed as source with it) configured
// with find_package(loadhost 1.0) and built with clang — while loadhost is
// built with gcc — then loaded by the installed `loadhost --plugin` against
// the demo target's line-echo server.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "integration/scoped_env.hpp"
#include "sdk/packaging_support.hpp"
#include "support/demo_target.hpp"

namespace loadhost::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// One install for the suite: `cmake --install` of this build tree.
class OutOfTree : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<TempDir>("loadhost-out-of-tree");
    install_ = run_command({LH_CMAKE, "--install", LH_BUILD_DIR, "--prefix", prefix().string()}, seconds(120));
  }
  static void TearDownTestSuite() { work_.reset(); }

  void SetUp() override { ASSERT_TRUE(install_.ok()) << "cmake --install failed:\n" << install_.text(); }

  static fs::path prefix() { return work_->path() / "prefix"; }
  static fs::path cmake_dir() { return prefix() / "lib/cmake/loadhost"; }

  // Configures (CC=clang) and builds the project in `source` against the
  // installed prefix into `<work>/<name>`.
  static CommandResult configure(const fs::path &source, const std::string &name) {
    ScopedEnv cc("CC", std::string(LH_CLANG));
    return run_command({LH_CMAKE, "-S", source.string(), "-B", (work_->path() / name).string(),
                        "-DCMAKE_PREFIX_PATH=" + prefix().string(), "-DCMAKE_COMPILE_WARNING_AS_ERROR=ON"},
                       seconds(120));
  }

  static inline std::unique_ptr<TempDir> work_;
  static inline CommandResult install_;
};

TEST_F(OutOfTree, InstallHasThePackageAndNoAbsolutePaths) {
  for (const char *file : {"loadhostConfig.cmake", "loadhostConfigVersion.cmake", "loadhostTargets.cmake",
                           "LoadhostPlugin.cmake", "plugin.map"})
    EXPECT_TRUE(fs::is_regular_file(cmake_dir() / file)) << file << " not installed in " << cmake_dir();
  // Every SDK header, subdirectories (kit/) included.
  const fs::path headers = fs::path(LH_SOURCE_DIR) / "sdk/include/loadhost";
  int header_count = 0;
  for (const auto &entry : fs::recursive_directory_iterator(headers))
    if (entry.is_regular_file()) {
      ++header_count;
      const fs::path relative = fs::relative(entry.path(), headers);
      EXPECT_TRUE(fs::is_regular_file(prefix() / "include/loadhost" / relative)) << relative << " not installed";
    }
  EXPECT_GT(header_count, 10);
  EXPECT_TRUE(fs::is_regular_file(prefix() / "bin/loadhost"));
  EXPECT_TRUE(fs::is_regular_file(prefix() / LH_PLUGIN_DIR / "http1.so"));
  // The example is a fixture of this build, not a bundled plugin: a vendor
  // who builds it must not collide with an installed copy.
  EXPECT_FALSE(fs::exists(prefix() / LH_PLUGIN_DIR / "lineecho.so"));
  // Relocatable: nothing names the prefix it was installed to, nor the
  // source or build tree it came from.
  for (const auto &entry : fs::directory_iterator(cmake_dir())) {
    std::string text = file_text(entry.path());
    EXPECT_FALSE(contains(text, prefix().string())) << entry.path() << " names the install prefix";
    EXPECT_FALSE(contains(text, LH_SOURCE_DIR)) << entry.path() << " names the source tree";
    EXPECT_FALSE(contains(text, LH_BUILD_DIR)) << entry.path() << " names the build tree";
  }
}

TEST_F(OutOfTree, ExampleBuiltWithClangRunsInTheInstalledHost) {
  ASSERT_FALSE(std::string(LH_CLANG).empty()) << "clang not found (tests/setup-debian.sh installs it)";
  const fs::path example = prefix() / "share/doc/loadhost/examples/plugins";
  ASSERT_TRUE(fs::is_regular_file(example / "CMakeLists.txt")) << "the example is not installed as source";

  CommandResult configured = configure(example, "example");
  ASSERT_TRUE(configured.ok()) << configured.text();
  EXPECT_TRUE(contains(configured.out, "The C compiler identification is Clang")) << configured.out;
  CommandResult built = run_command({LH_CMAKE, "--build", (work_->path() / "example").string()}, seconds(120));
  ASSERT_TRUE(built.ok()) << built.text();
  const fs::path plugin = work_->path() / "example/lineecho.so";
  ASSERT_TRUE(fs::is_regular_file(plugin)) << built.out;
  CommandResult exports = run_command({"bash", LH_CHECK_EXPORTS, plugin.string()}, seconds(30));
  EXPECT_TRUE(exports.ok()) << exports.text();

  ScopedEnv no_extra_dirs("LOADHOST_PLUGIN_PATH", std::nullopt);
  DemoTarget target(DemoTargetOptions{.executable = prefix() / "bin/loadhost-demo-target"});
  const fs::path loadhost = prefix() / "bin/loadhost";
  ReportedRun run = run_loadhost_binary(loadhost, {"--plugin", plugin.string(), "-u", "3", "-t", "1s",
                                                   "--echo-text", "vendor", target.echo_url()});
  ASSERT_EQ(run.command.status.code, 0) << run.command.text();
  ASSERT_TRUE(run.report.is_object()) << "no JSON report:\n" << run.command.text();
  EXPECT_GT(run.requests(), 50u) << run.report.dump(1);
  EXPECT_EQ(run.failures(), 0u) << run.report.dump(1);

  // The requests were the vendor's plugin's: without it, the installed host
  // has nothing serving lineecho://.
  ReportedRun without = run_loadhost_binary(loadhost, {"-u", "1", "-t", "1s", target.echo_url()});
  EXPECT_EQ(without.command.status.code, 2) << without.command.text();
  EXPECT_TRUE(contains(without.command.err, "no quick mode for 'lineecho://")) << without.command.err;
}

// The C++ half of the SDK out of tree: the shop scenario built ahead of time
// by a vendor-style C++ project (clang++, C++20 asked for by the project,
// not by loadhost::sdk) and run by the installed host against the demo target.
TEST_F(OutOfTree, CppScenarioBuiltWithClangxxRunsInTheInstalledHost) {
  ASSERT_FALSE(std::string(LH_CLANGXX).empty()) << "clang++ not found (tests/setup-debian.sh installs clang)";
  const fs::path project = work_->path() / "shop_project";
  fs::create_directories(project);
  std::ofstream(project / "CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.21)\n"
         "project(shop_scenario LANGUAGES CXX)\n"
         "find_package(loadhost 1.0 CONFIG REQUIRED)\n"
         "loadhost_add_plugin(shop SOURCES \"" LH_SHOP_SOURCE "\")\n"
         "target_compile_features(shop PRIVATE cxx_std_20)\n";
  ScopedEnv cxx("CXX", std::string(LH_CLANGXX));
  CommandResult configured = configure(project, "shop_build");
  ASSERT_TRUE(configured.ok()) << configured.text();
  EXPECT_TRUE(contains(configured.out, "The CXX compiler identification is Clang")) << configured.out;
  CommandResult built = run_command({LH_CMAKE, "--build", (work_->path() / "shop_build").string()}, seconds(180));
  ASSERT_TRUE(built.ok()) << built.text();
  const fs::path scenario = work_->path() / "shop_build/shop.so";
  ASSERT_TRUE(fs::is_regular_file(scenario)) << built.out;

  ScopedEnv no_extra_dirs("LOADHOST_PLUGIN_PATH", std::nullopt);
  DemoTarget target(DemoTargetOptions{.executable = prefix() / "bin/loadhost-demo-target"});
  ReportedRun run = run_loadhost_binary(prefix() / "bin/loadhost",
                                        {"-f", scenario.string(), "-H", target.url(), "-u", "10", "-r", "50", "-t", "2s"});
  EXPECT_EQ(run.command.status.code, 1) << "the demo's /flaky fails on purpose\n" << run.command.text();
  ASSERT_TRUE(run.report.is_object()) << "no JSON report:\n" << run.command.text();
  uint64_t items = 0;
  for (const auto &entry : run.report["stats"])
    if (entry["name"] == "/items/[id]") items = entry["num_requests"].get<uint64_t>();
  EXPECT_GT(items, 10u) << run.report.dump(1);
}

// loadhost loads every .so in its plugin directories, so one that someone
// else can write is refused — the bundled one in an installed prefix as much
// as one named by LOADHOST_PLUGIN_PATH — with one line and exit 2.
TEST_F(OutOfTree, PluginDirectoryOthersCanWriteIsRefused) {
  const fs::path loadhost = prefix() / "bin/loadhost";
  const fs::path bundled = prefix() / LH_PLUGIN_DIR;
  ScopedEnv no_extra_dirs("LOADHOST_PLUGIN_PATH", std::nullopt);
  fs::permissions(bundled, fs::perms::group_write, fs::perm_options::add);
  ReportedRun group_writable = run_loadhost_binary(loadhost, {"-u", "1", "-t", "1s", "http://127.0.0.1:9/"});
  fs::permissions(bundled, fs::perms::group_write, fs::perm_options::remove);
  EXPECT_EQ(group_writable.command.status.code, 2) << group_writable.command.text();
  EXPECT_TRUE(contains(group_writable.command.err, "loadhost: plugin directory '" + bundled.string() +
                                                       "' is writable by other users (mode 0775)"))
      << group_writable.command.err;
  EXPECT_TRUE(group_writable.report.is_null()) << "nothing ran";

  const fs::path shared = work_->path() / "shared-plugins";
  fs::create_directories(shared);
  fs::permissions(shared, fs::perms::all);  // 0777, like /tmp without the sticky bit's excuse
  {
    ScopedEnv extra("LOADHOST_PLUGIN_PATH", shared.string());
    ReportedRun refused = run_loadhost_binary(loadhost, {"-u", "1", "-t", "1s", "http://127.0.0.1:9/"});
    EXPECT_EQ(refused.command.status.code, 2) << refused.command.text();
    EXPECT_TRUE(contains(refused.command.err, "plugin directory '" + shared.string() + "' is writable by other users"))
        << refused.command.err;
  }
  if (::geteuid() == 0) {  // only root can give a directory away
    fs::permissions(shared, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    ASSERT_EQ(::chown(shared.c_str(), 65534, 65534), 0);
    ScopedEnv extra("LOADHOST_PLUGIN_PATH", shared.string());
    ReportedRun foreign = run_loadhost_binary(loadhost, {"-u", "1", "-t", "1s", "http://127.0.0.1:9/"});
    EXPECT_EQ(foreign.command.status.code, 2) << foreign.command.text();
    EXPECT_TRUE(contains(foreign.command.err, "plugin directory '" + shared.string() + "' belongs to uid 65534"))
        << foreign.command.err;
  }
}

TEST_F(OutOfTree, AnotherMajorIsRefused) {
  // SameMajorVersion: 1.0 is met by this 1.x SDK (the test above, a plain C
  // project: loadhost::sdk asks for no C++), 2.0 is not.
  const fs::path project = work_->path() / "wants_2_0";
  fs::create_directories(project);
  std::ofstream(project / "CMakeLists.txt") << "cmake_minimum_required(VERSION 3.21)\n"
                                               "project(wants_2_0 LANGUAGES C)\n"
                                               "find_package(loadhost 2.0 CONFIG REQUIRED)\n";
  CommandResult refused = configure(project, "wants_2_0_build");
  EXPECT_NE(refused.status.code, 0) << refused.text();
  EXPECT_TRUE(contains(refused.err, "requested version \"2.0\"")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "version: 1.")) << "the installed 1.x is named as considered\n" << refused.err;
}

}  // namespace
}  // namespace loadhost::test
