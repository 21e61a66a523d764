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

}  // namespace loadhost::cli
