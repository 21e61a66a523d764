// ScenarioCompiler: `loadhost -f shop.cpp` — compiles a C++ scenario into a
// plugin .so with the system compiler (spawned directly, no shell), with the
// SDK's headers and the plugin link rules, cached by a hash of the source, the
// SDK headers and the command, so an unchanged scenario starts at once.
#pragma once

#include <string>
#include <vector>

namespace loadhost::core {

struct CompilerSettings {
  std::string compiler = "c++";         // $CXX when set
  std::string sdk_include_dir;          // holds loadhost/*.h
  std::string cache_dir;                // where .so files are kept
  std::vector<std::string> extra_flags; // e.g. -O2 by default
};

struct CompileResult {
  std::string library;  // the .so to load, when it worked
  std::string error;    // one line, when it did not (the compiler's own
                        // output has gone to stderr verbatim)
  bool cached = false;
};

CompileResult compile_scenario(const std::string &source_path, const CompilerSettings &settings);

// $XDG_CACHE_HOME/loadhost, else $HOME/.cache/loadhost, else /tmp/loadhost-cache.
std::string default_cache_dir();

}  // namespace loadhost::core
