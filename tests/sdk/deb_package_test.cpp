// The .deb (issue 12, section 3): `cpack -G DEB` on this build tree, the
// package inspected with dpkg-deb, then extracted into a temp dir and run from
// there — the installed host finds its bundled plugins relative to itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>

#include "integration/scoped_env.hpp"
#include "sdk/packaging_support.hpp"
#include "support/nginx_server.hpp"

namespace loadhost::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// The one loadhost_*.deb in `dir`, or "".
fs::path find_deb(const fs::path &dir) {
  fs::path found;
  for (const auto &entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".deb") {
      if (!found.empty()) return {};
      found = entry.path();
    }
  return found;
}

TEST(DebPackage, HoldsTheHostPluginsAndSdkAndRunsWhereExtracted) {
  TempDir dir("loadhost-deb");
  CommandResult packed = run_command({LH_CPACK, "-G", "DEB", "--config", std::string(LH_BUILD_DIR) + "/CPackConfig.cmake",
                                      "-B", dir.path().string()},
                                     seconds(150), dir.path());
  ASSERT_TRUE(packed.ok()) << packed.text();
  const fs::path deb = find_deb(dir.path());
  ASSERT_FALSE(deb.empty()) << "expected one .deb in " << dir.path() << "\n" << packed.out;
  EXPECT_EQ(deb.filename().string().rfind("loadhost_" LH_PROJECT_VERSION "_", 0), 0u) << deb;

  CommandResult fields = run_command({"dpkg-deb", "-f", deb.string(), "Package", "Version", "Maintainer", "Depends"},
                                     seconds(30));
  ASSERT_TRUE(fields.ok()) << fields.text();
  EXPECT_TRUE(contains(fields.out, "Package: loadhost\n")) << fields.out;
  EXPECT_TRUE(contains(fields.out, "Version: " LH_PROJECT_VERSION "\n")) << fields.out;
  EXPECT_TRUE(contains(fields.out, "Maintainer: ")) << fields.out;
  // Found by dpkg-shlibdeps from what the binaries link.
  EXPECT_TRUE(contains(fields.out, "libc6 (>=")) << fields.out;
  EXPECT_TRUE(contains(fields.out, "libstdc++6")) << fields.out;

  CommandResult listing = run_command({"dpkg-deb", "-c", deb.string()}, seconds(30));
  ASSERT_TRUE(listing.ok()) << listing.text();
  const std::string plugin_dir = "./usr/" LH_PLUGIN_DIR "/";
  for (const std::string &file :
       {std::string("./usr/bin/loadhost"), std::string("./usr/bin/loadhost-demo-target"),
        plugin_dir + "http1.so", plugin_dir + "http2.so", plugin_dir + "grpc.so", plugin_dir + "mqtt.so",
        plugin_dir + "postgres.so", plugin_dir + "websocket.so", std::string("./usr/include/loadhost/abi.h"),
        std::string("./usr/include/loadhost/scenario.hpp"), std::string("./usr/lib/cmake/loadhost/loadhostConfig.cmake"),
        std::string("./usr/lib/cmake/loadhost/loadhostConfigVersion.cmake"),
        std::string("./usr/lib/cmake/loadhost/LoadhostPlugin.cmake"),
        std::string("./usr/share/doc/loadhost/examples/plugins/line_echo.c")})
    EXPECT_TRUE(contains(listing.out, " " + file + "\n")) << file << " is not in the package:\n" << listing.out;

  const fs::path root = dir.path() / "root";
  CommandResult extracted = run_command({"dpkg-deb", "-x", deb.string(), root.string()}, seconds(60));
  ASSERT_TRUE(extracted.ok()) << extracted.text();
  const fs::path loadhost = root / "usr/bin/loadhost";

  CommandResult version = run_command({loadhost.string(), "--version"}, seconds(10));
  EXPECT_TRUE(version.ok()) << version.text();
  EXPECT_EQ(version.out, "loadhost " LH_PROJECT_VERSION "\n");

  // Quick mode over HTTP needs the bundled http1.so, found relative to the
  // extracted binary (and nowhere else: no LOADHOST_PLUGIN_PATH).
  ScopedEnv no_extra_dirs("LOADHOST_PLUGIN_PATH", std::nullopt);
  NginxServer nginx;
  ReportedRun run = run_loadhost_binary(loadhost, {"-u", "2", "-t", "1s", nginx.url() + "/"});
  ASSERT_EQ(run.command.status.code, 0) << run.command.text();
  ASSERT_TRUE(run.report.is_object()) << "no JSON report:\n" << run.command.text();
  EXPECT_GT(run.requests(), 10u) << run.report.dump(1);
  EXPECT_EQ(run.failures(), 0u) << run.report.dump(1);
  ASSERT_TRUE(nginx.wait_for_access_log_lines(run.requests()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more arrives late
  EXPECT_EQ(nginx.access_log_lines(), run.requests()) << "every request counted reached nginx, once";
}

}  // namespace
}  // namespace loadhost::test
