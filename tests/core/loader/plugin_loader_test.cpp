// The loader's error cases: each bad plugin gives one line that names the
// file and says what is wrong, and nothing is registered.
#include <gtest/gtest.h>

#include <fstream>

#include "core/engine/engine.hpp"
#include "core/loader/plugin_registry.hpp"

namespace loadhost::core {
namespace {

std::string plugin(const char *name) { return std::string(LH_TEST_PLUGIN_DIR) + "/" + name + ".so"; }

class PluginLoader : public ::testing::Test {
 protected:
  Engine engine{EngineConfig{.loop_threads = 1}};
  PluginRegistry &registry = engine.plugins();
};

TEST_F(PluginLoader, MissingFile) {
  std::string error = registry.load("/nonexistent/acme.so");
  EXPECT_EQ(error, "plugin '/nonexistent/acme.so': no such file");
}

TEST_F(PluginLoader, NotASharedLibrary) {
  std::string path = ::testing::TempDir() + "/garbage.so";
  std::ofstream(path) << "this is not an ELF file";
  std::string error = registry.load(path);
  EXPECT_NE(error.find("plugin '" + path + "' cannot be loaded:"), std::string::npos) << error;
}

TEST_F(PluginLoader, NoEntrySymbol) {
  std::string error = registry.load(plugin("no_entry"));
  EXPECT_NE(error.find("is not a loadhost plugin: it has no 'loadhost_entry' symbol"), std::string::npos) << error;
}

TEST_F(PluginLoader, WrongMajorVersion) {
  std::string error = registry.load(plugin("wrong_major"));
  EXPECT_NE(error.find("was built for loadhost ABI 2.0, but this loadhost speaks ABI 1.x"), std::string::npos)
      << error;
}

TEST_F(PluginLoader, FailingInit) {
  std::string error = registry.load(plugin("failing_init"));
  EXPECT_NE(error.find("failed to start: cannot reach the license server"), std::string::npos) << error;
}

TEST_F(PluginLoader, NothingProvided) {
  std::string error = registry.load(plugin("no_factory"));
  EXPECT_NE(error.find("provides neither a protocol nor a scenario"), std::string::npos) << error;
  EXPECT_EQ(registry.protocol_ids(), "none");
}

TEST_F(PluginLoader, BundledHttpPluginRegistersByIdAndScheme) {
  std::string error = registry.load(LH_TEST_HTTP1_PLUGIN);
  ASSERT_EQ(error, "");
  ASSERT_NE(registry.protocol_by_id("http1"), nullptr);
  EXPECT_EQ(registry.protocol_by_scheme("https"), registry.protocol_by_id("http1"));
  EXPECT_EQ(registry.protocol_by_scheme("ftp"), nullptr);
  EXPECT_EQ(registry.load(LH_TEST_HTTP1_PLUGIN), "") << "loading twice is a no-op";
}

TEST(FindPlugin, IdsAreLookedUpPathsAreNot) {
  EXPECT_EQ(find_plugin("./acme.so", {"/x"}), "./acme.so");
  EXPECT_EQ(find_plugin("no_entry", {"/nonexistent", LH_TEST_PLUGIN_DIR}), plugin("no_entry"));
  EXPECT_EQ(find_plugin("grpc", {"/nonexistent"}), "");
}

}  // namespace
}  // namespace loadhost::core
