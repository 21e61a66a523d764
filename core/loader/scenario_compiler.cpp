#include "core/loader/scenario_compiler.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

extern char **environ;

namespace loadhost::core {

namespace fs = std::filesystem;

namespace {

// FNV-1a: a content hash for a cache key, not for security.
struct Fnv1a {
  uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // separator between parts
  }
};

bool read_file(const fs::path &path, std::string &out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

int run(const std::vector<std::string> &argv) {
  std::vector<char *> args;
  for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  // The compiler gets a clean signal mask: the host blocks SIGINT in its own
  // threads, and Ctrl-C must reach the compiler too.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string default_cache_dir() {
  if (const char *xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/loadhost";
  if (const char *home = getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/loadhost";
  return "/tmp/loadhost-cache";
}

CompileResult compile_scenario(const std::string &source_path, const CompilerSettings &settings) {
  CompileResult result;
  std::string source;
  if (!read_file(source_path, source)) {
    result.error = fmt::format("scenario '{}': cannot read the file", source_path);
    return result;
  }
  if (!fs::exists(fs::path(settings.sdk_include_dir) / "loadhost" / "loadhost.hpp")) {
    result.error = fmt::format("cannot compile '{}': the loadhost SDK headers are not in '{}'",
                               source_path, settings.sdk_include_dir);
    return result;
  }

  std::error_code ec;
  fs::create_directories(settings.cache_dir, ec);
  if (ec) {
    result.error = fmt::format("cannot compile '{}': cannot create the cache directory '{}': {}",
                               source_path, settings.cache_dir, ec.message());
    return result;
  }
  // The plugin link rule: export the entry only.
  fs::path map = fs::path(settings.cache_dir) / "plugin.map";
  if (!fs::exists(map)) {
    std::ofstream(map) << "{ global: loadhost_entry; local: *; };\n";
  }

  std::vector<std::string> argv = {settings.compiler, "-std=c++20", "-fPIC", "-shared",
                                   "-fvisibility=hidden", "-fvisibility-inlines-hidden",
                                   "-I" + settings.sdk_include_dir,
                                   "-I" + fs::absolute(source_path).parent_path().string()};
  for (const auto &f : settings.extra_flags) argv.push_back(f);
  argv.push_back("-Wl,--version-script=" + map.string());
  argv.push_back("-pthread");

  Fnv1a hash;
  hash.add(source);
  for (const auto &a : argv) hash.add(a);
  for (const auto &entry : fs::directory_iterator(fs::path(settings.sdk_include_dir) / "loadhost", ec)) {
    std::string header;
    if (read_file(entry.path(), header)) hash.add(header);
  }
  std::string stem = fs::path(source_path).stem().string();
  fs::path library = fs::path(settings.cache_dir) / fmt::format("{}-{:016x}.so", stem, hash.h);
  result.library = library.string();
  if (fs::exists(library)) {
    result.cached = true;
    return result;
  }

  // Build into a private name, then rename: a concurrent loadhost never
  // loads a half-written library.
  fs::path partial = library;
  partial += fmt::format(".{}.tmp", getpid());
  argv.push_back("-o");
  argv.push_back(partial.string());
  argv.push_back(fs::absolute(source_path).string());
  int status = run(argv);
  if (status != 0) {
    fs::remove(partial, ec);
    result.library.clear();
    result.error = status < 0
                       ? fmt::format("cannot compile '{}': cannot run the compiler '{}' (set CXX)",
                                     source_path, settings.compiler)
                       : fmt::format("scenario '{}' did not compile (the compiler's errors are "
                                     "above)",
                                     source_path);
    return result;
  }
  fs::rename(partial, library, ec);
  if (ec) {
    result.library.clear();
    result.error = fmt::format("cannot store the compiled scenario in '{}': {}",
                               settings.cache_dir, ec.message());
  }
  return result;
}

}  // namespace loadhost::core
