// Where the bundled plugins and the SDK headers are, found from the
// executable's own path: the build tree and the installed tree share one
// layout (bin/loadhost, lib/loadhost/plugins/, include/loadhost/).
#pragma once

#include <string>
#include <vector>

namespace loadhost::cli {

struct InstallLayout {
  std::string bundled_plugin_dir;   // <prefix>/lib/loadhost/plugins
  std::string sdk_include_dir;      // <prefix>/include
};

InstallLayout find_install_layout();

// Bundled plugin dir first, then each directory of LOADHOST_PLUGIN_PATH.
std::vector<std::string> plugin_search_dirs(const InstallLayout &layout);

// The .so files directly inside `dir`, sorted (a stable load order).
std::vector<std::string> plugins_in(const std::string &dir);

// "" when every .so in `dir` may be loaded: only this user or root can write
// the directory (no group/other write bit, owned by one of them), or it does
// not exist. Otherwise one line naming the directory and the fix: loadhost
// loads every .so it finds there, so whoever can write it can run code as us.
std::string untrusted_plugin_dir(const std::string &dir);

}  // namespace loadhost::cli
