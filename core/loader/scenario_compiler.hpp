// ScenarioCompiler: `loadhost -f shop.cpp` — compiles a C++ scenario into a
// plugin .so with the system compiler (spawned directly, no shell), with the
// SDK's headers and the plugin link rules, cached by a hash of the source, the
// SDK headers and the command, so an unchanged scenario starts at once.
// The cache is a directory only this user can write, and a cached library is
// loaded only when this user wrote it (private_dir.hpp): dlopen runs what it
// finds there.
#pragma once

#include <string>
#include <vector>

namespace loadhost::core {

struct CompilerSettings {
  // $CXX when set: a compiler, maybe with arguments ("ccache g++ -O0"),
  // split at white space (no shell quoting).
  std::string compiler = "c++";
  std::string sdk_include_dir;          // holds loadhost/*.h
  std::string cache_dir;                // where .so files are kept (created 0700)
  // After loadhost's own flags, e.g. -O2 by default; an -O flag here is left
  // out when the compiler command gives one (so CXX="g++ -O0" means -O0).
  std::vector<std::string> extra_flags;
};

struct CompileResult {
  std::string library;  // the .so to load, when it worked
  std::string error;    // one line, when it did not (the compiler's own
                        // output has gone to stderr verbatim)
  bool cached = false;
};

CompileResult compile_scenario(const std::string &source_path, const CompilerSettings &settings);

// $XDG_CACHE_HOME/loadhost, else $HOME/.cache/loadhost, else
// /tmp/loadhost-cache-<uid> (per user; checked like the others).
std::string default_cache_dir();

}  // namespace loadhost::core
