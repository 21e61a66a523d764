#include "core/loader/scenario_compiler.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/loader/private_dir.hpp"

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

// $CXX may be a command with arguments ("g++ -O0", "ccache c++"), split at
// white space as make does (no shell, so no quoting).
std::vector<std::string> command_words(std::string_view command) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < command.size()) {
    if (std::isspace(static_cast<unsigned char>(command[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < command.size() && !std::isspace(static_cast<unsigned char>(command[end]))) ++end;
    words.emplace_back(command.substr(i, end - i));
    i = end;
  }
  return words;
}

// The version script that exports the entry only; one per cache directory
// (its path is part of every cache key), written once and checked like the
// libraries, since the linker reads it.
constexpr std::string_view kPluginMap = "{ global: loadhost_entry; local: *; };\n";

std::string ensure_plugin_map(const fs::path &map) {
  std::error_code ec;
  if (fs::exists(map, ec)) {
    if (std::string e = check_private_file(map.string(), "the linker script"); !e.empty()) return e;
    std::string text;
    if (read_file(map, text) && text == kPluginMap) return "";
  }
  return write_private_file(map.string(), kPluginMap);
}

// The files a make-style dependency file (-MD -MF) names after "target:",
// with "\ " for a space in a name and "\" newlines between lines.
std::vector<std::string> parse_depfile(std::string_view text) {
  std::vector<std::string> files;
  std::string word;
  bool after_target = false;
  auto flush = [&] {
    if (word.empty()) return;
    if (after_target) files.push_back(word);
    else if (word.back() == ':') after_target = true;
    word.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) {
      flush();
      ++i;
    } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == ' ') {
      word += ' ';
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return files;
}

// The headers whose edits must rebuild the scenario: every dependency the
// compiler reported but the source itself, the SDK's headers (hashed
// already) and the system's (stable, and too many to read at each start).
std::vector<std::string> local_headers(const std::vector<std::string> &deps, const fs::path &source,
                                       const std::string &sdk_include_dir) {
  std::error_code ec;
  const fs::path sdk = fs::weakly_canonical(sdk_include_dir, ec);
  const fs::path self = fs::weakly_canonical(source, ec);
  std::vector<std::string> out;
  for (const std::string &d : deps) {
    fs::path p = fs::weakly_canonical(fs::absolute(d), ec);
    if (ec || p == self) continue;
    std::string text = p.string();
    auto under = [&](const std::string &dir) { return text.starts_with(dir + "/"); };
    if (under(sdk.string()) || under("/usr/include") || under("/usr/lib") || under("/usr/local/include") ||
        under("/usr/local/lib") || under("/lib"))
      continue;
    if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  return out;
}

// The final cache key: the first (source, command, SDK) and the contents of
// the local headers the manifest lists. False when one cannot be read (it
// was removed: compile again, and the compiler says what is missing).
bool add_headers(Fnv1a &hash, const std::vector<std::string> &headers) {
  for (const std::string &h : headers) {
    std::string text;
    if (!read_file(h, text)) return false;
    hash.add(h);
    hash.add(text);
  }
  return true;
}

// A manifest is one header path a line.
std::vector<std::string> manifest_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    if (end != 0) lines.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
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
  // Per user: a shared name in /tmp is a directory anyone could create first.
  return fmt::format("/tmp/loadhost-cache-{}", geteuid());
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

  std::vector<std::string> argv = command_words(settings.compiler);
  if (argv.empty()) {
    result.error = fmt::format("cannot compile '{}': the compiler command (CXX) is empty", source_path);
    return result;
  }
  bool compiler_sets_optimisation =
      std::any_of(argv.begin() + 1, argv.end(), [](const std::string &w) { return w.starts_with("-O"); });

  if (std::string e = prepare_private_dir(settings.cache_dir, "the scenario cache"); !e.empty()) {
    result.error = fmt::format("cannot compile '{}': {}", source_path, e);
    return result;
  }
  fs::path map = fs::path(settings.cache_dir) / "plugin.map";
  if (std::string e = ensure_plugin_map(map); !e.empty()) {
    result.error = fmt::format("cannot compile '{}': {}", source_path, e);
    return result;
  }

  for (const char *flag : {"-std=c++20", "-fPIC", "-shared", "-fvisibility=hidden", "-fvisibility-inlines-hidden"})
    argv.emplace_back(flag);
  argv.push_back("-I" + settings.sdk_include_dir);
  argv.push_back("-I" + fs::absolute(source_path).parent_path().string());
  for (const auto &f : settings.extra_flags)
    if (!(compiler_sets_optimisation && f.starts_with("-O"))) argv.push_back(f);
  argv.push_back("-Wl,--version-script=" + map.string());
  argv.push_back("-pthread");

  std::error_code ec;
  Fnv1a hash;
  hash.add(source);
  for (const auto &a : argv) hash.add(a);
  for (const auto &entry : fs::directory_iterator(fs::path(settings.sdk_include_dir) / "loadhost", ec)) {
    std::string header;
    if (read_file(entry.path(), header)) hash.add(header);
  }
  // The library's name covers the local headers too: the manifest of this
  // source and command lists them (the compiler's dependency output of the
  // last build), and their contents finish the key. A private file like
  // the libraries: it decides which library is loaded.
  std::string stem = fs::path(source_path).stem().string();
  const fs::path manifest = fs::path(settings.cache_dir) / fmt::format("{}-{:016x}.deps", stem, hash.h);
  const Fnv1a source_key = hash;
  fs::path library;
  if (fs::exists(manifest, ec)) {
    if (std::string e = check_private_file(manifest.string(), "the scenario's header list"); !e.empty()) {
      result.error = e;
      return result;
    }
    std::string text;
    Fnv1a full = source_key;
    if (read_file(manifest, text) && add_headers(full, manifest_lines(text)))
      library = fs::path(settings.cache_dir) / fmt::format("{}-{:016x}.so", stem, full.h);
  }
  result.library = library.string();
  if (!library.empty() && fs::exists(library, ec)) {
    // Loaded as is: it must be a file only this user could have written.
    if (std::string e = check_private_file(library.string(), "the cached scenario"); !e.empty()) {
      result.library.clear();
      result.error = e;
      return result;
    }
    result.cached = true;
    return result;
  }

  // Build into a private name, then rename: a concurrent loadhost never
  // loads a half-written library.
  fs::path partial = fs::path(settings.cache_dir) / fmt::format("{}-{:016x}.{}.tmp", stem, source_key.h, getpid());
  fs::path depfile = partial;
  depfile += ".d";
  argv.push_back("-MD");
  argv.push_back("-MF");
  argv.push_back(depfile.string());
  argv.push_back("-o");
  argv.push_back(partial.string());
  argv.push_back(fs::absolute(source_path).string());
  int status = run(argv);
  std::string deps;
  bool have_deps = read_file(depfile, deps);
  fs::remove(depfile, ec);
  std::vector<std::string> headers =
      local_headers(parse_depfile(deps), fs::absolute(source_path), settings.sdk_include_dir);
  Fnv1a full = source_key;
  if (status == 0 && (!have_deps || !add_headers(full, headers))) {
    fs::remove(partial, ec);
    result.library.clear();
    result.error = fmt::format("cannot compile '{}': the compiler '{}' wrote no readable list of the headers "
                               "it read (-MD -MF), which the cache needs",
                               source_path, argv[0]);
    return result;
  }
  library = fs::path(settings.cache_dir) / fmt::format("{}-{:016x}.so", stem, full.h);
  result.library = library.string();
  if (status != 0) {
    fs::remove(partial, ec);
    result.library.clear();
    result.error = status < 0
                       ? fmt::format("cannot compile '{}': cannot run the compiler '{}' (set CXX)",
                                     source_path, argv[0])
                       : fmt::format("scenario '{}' did not compile (the compiler's errors are "
                                     "above)",
                                     source_path);
    return result;
  }
  // Private like the directory, whatever the umask made of the output.
  fs::permissions(partial, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (!ec) fs::rename(partial, library, ec);
  std::string manifest_text;
  for (const std::string &h : headers) manifest_text += h + "\n";
  if (!ec) {
    if (std::string e = write_private_file(manifest.string(), manifest_text); !e.empty()) {
      result.library.clear();
      result.error = fmt::format("cannot store the compiled scenario in '{}': {}", settings.cache_dir, e);
      return result;
    }
  }
  if (ec) {
    result.library.clear();
    result.error = fmt::format("cannot store the compiled scenario in '{}': {}",
                               settings.cache_dir, ec.message());
    fs::remove(partial, ec);
  }
  return result;
}

}  // namespace loadhost::core
