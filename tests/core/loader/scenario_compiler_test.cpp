// The scenario compile cache is a security boundary: loadhost dlopen()s what
// it finds there, so the cache must be a directory only this user can write
// and a cached library one only this user wrote. Each test compiles a
// one-line source (compile_scenario does not care what it is), then plays
// the other local user: loosens a mode, or (as root) hands a file to nobody.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/loader/scenario_compiler.hpp"
#include "support/temp_dir.hpp"

namespace loadhost::core {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

constexpr uid_t kNobody = 65534;

class ScenarioCompiler : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(source_) << "extern \"C\" { int loadhost_entry = 0; }\n";
    settings_.sdk_include_dir = LH_SDK_INCLUDE_DIR;
    settings_.cache_dir = (dir_.path() / "cache").string();
  }
  CompileResult compile() { return compile_scenario(source_.string(), settings_); }
  // A compiled entry in the cache, its path.
  std::string compiled() {
    CompileResult r = compile();
    EXPECT_EQ(r.error, "");
    EXPECT_FALSE(r.cached);
    return r.library;
  }

  TempDir dir_;
  fs::path source_ = dir_.path() / "tiny.cpp";
  CompilerSettings settings_;
};

mode_t mode_of(const std::string &path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(ScenarioCompiler, CacheDirectoryAndEntriesArePrivate) {
  ::umask(0);  // the worst umask: the cache must not depend on it
  std::string library = compiled();
  ::umask(022);
  EXPECT_EQ(mode_of(settings_.cache_dir), 0700u);
  EXPECT_EQ(mode_of(library), 0700u);
  EXPECT_EQ(mode_of(settings_.cache_dir + "/plugin.map"), 0600u);
  CompileResult again = compile();
  EXPECT_EQ(again.error, "");
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.library, library);
}

TEST_F(ScenarioCompiler, RefusesACacheDirectoryOthersCanWrite) {
  compiled();
  fs::permissions(settings_.cache_dir, fs::perms::all);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_EQ(r.error, "cannot compile '" + source_.string() + "': the scenario cache '" + settings_.cache_dir +
                         "' is writable by other users (mode 0777): another user may have put code in it; "
                         "remove it (or chmod 700 it if it is yours), or set XDG_CACHE_HOME to a directory of "
                         "your own");
}

TEST_F(ScenarioCompiler, RefusesACachedLibraryOthersCanWrite) {
  std::string library = compiled();
  fs::permissions(library, fs::perms::others_write, fs::perm_options::add);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_EQ(r.error, "the cached scenario '" + library +
                         "' is writable by other users (mode 0702): another user may have put code in it; "
                         "refusing to use it; remove it");
}

TEST_F(ScenarioCompiler, RefusesALinkInPlaceOfACachedLibrary) {
  std::string library = compiled();
  fs::rename(library, library + ".real");
  fs::create_symlink(library + ".real", library);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_NE(r.error.find("is not a regular file"), std::string::npos) << r.error;
}

TEST_F(ScenarioCompiler, RefusesAPlantedLinkerScript) {
  fs::create_directory(settings_.cache_dir);
  fs::permissions(settings_.cache_dir, fs::perms::owner_all, fs::perm_options::replace);
  std::ofstream(settings_.cache_dir + "/plugin.map") << "{ global: *; };\n";
  fs::permissions(settings_.cache_dir + "/plugin.map", fs::perms::all);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_NE(r.error.find("the linker script '" + settings_.cache_dir + "/plugin.map' is writable by other users"),
            std::string::npos)
      << r.error;
}

TEST_F(ScenarioCompiler, RewritesAStaleLinkerScriptOfItsOwn) {
  fs::create_directory(settings_.cache_dir);
  fs::permissions(settings_.cache_dir, fs::perms::owner_all, fs::perm_options::replace);
  std::ofstream(settings_.cache_dir + "/plugin.map") << "{ global: *; };\n";
  fs::permissions(settings_.cache_dir + "/plugin.map", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  compiled();
  std::ifstream map(settings_.cache_dir + "/plugin.map");
  std::string text((std::istreambuf_iterator<char>(map)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{ global: loadhost_entry; local: *; };\n");
}

// Another user owning the cache or an entry: only root can set that up.
TEST_F(ScenarioCompiler, RefusesACacheDirectoryOfAnotherUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  compiled();
  ASSERT_EQ(::chown(settings_.cache_dir.c_str(), kNobody, kNobody), 0);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_NE(r.error.find("the scenario cache '" + settings_.cache_dir + "' belongs to uid 65534, not to you (uid 0)"),
            std::string::npos)
      << r.error;
}

TEST_F(ScenarioCompiler, RefusesACachedLibraryOfAnotherUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  std::string library = compiled();
  ASSERT_EQ(::chown(library.c_str(), kNobody, kNobody), 0);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_EQ(r.error, "the cached scenario '" + library +
                         "' belongs to uid 65534, not to you (uid 0): another user may have put code in it; "
                         "refusing to use it; remove it");
}

TEST_F(ScenarioCompiler, CompilerCommandMayCarryArguments) {
  settings_.compiler = "c++  -O0";  // as CXX="c++ -O0" gives it
  settings_.extra_flags = {"-O2"};
  CompileResult r = compile();
  EXPECT_EQ(r.error, "");
  EXPECT_TRUE(fs::exists(r.library));
}

// Editing a header the scenario includes from its own directory builds it
// again (the compiler's dependency list is kept beside the library);
// editing it back finds the first build.
TEST_F(ScenarioCompiler, LocalHeadersAreInTheCacheKey) {
  fs::create_directory(dir_.path() / "common");
  std::ofstream(dir_.path() / "common" / "paths.hpp") << "#define HOME_PATH \"/\"\n";
  std::ofstream(source_) << "#include <string>\n#include \"common/paths.hpp\"\n"
                            "extern \"C\" { const char *loadhost_entry = HOME_PATH; }\n";
  std::string first = compiled();
  CompileResult again = compile();
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.library, first);

  std::ofstream(dir_.path() / "common" / "paths.hpp") << "#define HOME_PATH \"/home\"\n";
  CompileResult edited = compile();
  EXPECT_EQ(edited.error, "");
  EXPECT_FALSE(edited.cached) << "a stale build of the old header";
  EXPECT_NE(edited.library, first);

  std::ofstream(dir_.path() / "common" / "paths.hpp") << "#define HOME_PATH \"/\"\n";
  CompileResult back = compile();
  EXPECT_TRUE(back.cached);
  EXPECT_EQ(back.library, first);
}

// The header list decides which library is loaded: it is kept like the
// libraries (0600, in the private cache) and refused when others can write it.
TEST_F(ScenarioCompiler, HeaderListIsPrivate) {
  std::ofstream(dir_.path() / "local.hpp") << "#define ANSWER 42\n";
  std::ofstream(source_) << "#include \"local.hpp\"\nextern \"C\" { int loadhost_entry = ANSWER; }\n";
  compiled();
  std::vector<fs::path> lists;
  for (const auto &entry : fs::directory_iterator(settings_.cache_dir))
    if (entry.path().extension() == ".deps") lists.push_back(entry.path());
  ASSERT_EQ(lists.size(), 1u);
  EXPECT_EQ(mode_of(lists[0].string()), 0600u);
  std::ifstream in(lists[0]);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, fs::canonical(dir_.path() / "local.hpp").string() + "\n") << "no system or SDK header in it";

  fs::permissions(lists[0], fs::perms::others_write, fs::perm_options::add);
  CompileResult r = compile();
  EXPECT_EQ(r.library, "");
  EXPECT_EQ(r.error, "the scenario's header list '" + lists[0].string() +
                         "' is writable by other users (mode 0602): another user may have put code in it; "
                         "refusing to use it; remove it");
}

TEST(ScenarioCache, WithoutHomeItIsPerUserInTmp) {
  std::optional<std::string> home, xdg;
  if (const char *h = getenv("HOME")) home = h;
  if (const char *x = getenv("XDG_CACHE_HOME")) xdg = x;
  ::unsetenv("HOME");
  ::unsetenv("XDG_CACHE_HOME");
  std::string dir = default_cache_dir();
  if (home) ::setenv("HOME", home->c_str(), 1);
  if (xdg) ::setenv("XDG_CACHE_HOME", xdg->c_str(), 1);
  EXPECT_EQ(dir, "/tmp/loadhost-cache-" + std::to_string(geteuid()));
}

}  // namespace
}  // namespace loadhost::core
