#include "hosts/loadhost/install_layout.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace loadhost::cli {

namespace fs = std::filesystem;

InstallLayout find_install_layout() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path prefix = ec ? fs::current_path() : exe.parent_path().parent_path();
  InstallLayout layout;
  layout.bundled_plugin_dir = (prefix / LOADHOST_PLUGIN_SUBDIR).string();
  layout.sdk_include_dir = (prefix / "include").string();
  return layout;
}

std::vector<std::string> plugin_search_dirs(const InstallLayout &layout) {
  std::vector<std::string> dirs{layout.bundled_plugin_dir};
  if (const char *extra = std::getenv("LOADHOST_PLUGIN_PATH")) {
    std::string_view s(extra);
    while (!s.empty()) {
      size_t colon = s.find(':');
      std::string_view item = s.substr(0, colon);
      if (!item.empty()) dirs.emplace_back(item);
      if (colon == std::string_view::npos) break;
      s.remove_prefix(colon + 1);
    }
  }
  return dirs;
}

std::vector<std::string> plugins_in(const std::string &dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".so") out.push_back(entry.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string untrusted_plugin_dir(const std::string &dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0)
    return errno == ENOENT ? "" : fmt::format("cannot use plugin directory '{}': {}", dir, std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return "";
  // Root's own directories (/usr/lib/loadhost/plugins) are as trusted as the
  // binary that came with them; anyone else's are not.
  if (st.st_uid != geteuid() && st.st_uid != 0)
    return fmt::format("plugin directory '{}' belongs to uid {}, not to you (uid {}) or root: that user could "
                       "put code in it, and loadhost loads every .so there; refusing to load from it",
                       dir, st.st_uid, geteuid());
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fmt::format("plugin directory '{}' is writable by other users (mode {:04o}): anyone could put code in "
                       "it, and loadhost loads every .so there; refusing to load from it (chmod go-w it)",
                       dir, st.st_mode & 07777);
  return "";
}

}  // namespace loadhost::cli
