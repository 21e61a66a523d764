#include "core/report/write_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

namespace loadhost::report {

WriteResult file_error(std::string_view verb, const std::string& path) {
  return WriteResult{fmt::format("cannot {} '{}': {}; check that the directory exists and is writable",
                                 verb, path, std::strerror(errno))};
}

std::string output_directory_problem(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::exists(dir, ec)) return fmt::format("the directory '{}' does not exist (create it first)", dir.string());
  if (!fs::is_directory(dir, ec)) return fmt::format("'{}' is not a directory", dir.string());
  // Files are written beside their final name and renamed: the directory
  // itself must take new files.
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return fmt::format("cannot write in the directory '{}': {}", dir.string(), std::strerror(errno));
  return "";
}

WriteResult write_file_atomically(const std::string& path, std::string_view content) {
  const std::string temp = path + ".tmp";
  {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(temp.c_str(), "wb"), &std::fclose);
    if (!file) return file_error("write", temp);
    if (std::fwrite(content.data(), 1, content.size(), file.get()) != content.size()) {
      return file_error("write", temp);
    }
    if (std::fclose(file.release()) != 0) return file_error("write", temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const WriteResult error = file_error("replace", path);
    std::remove(temp.c_str());
    return error;
  }
  return {};
}

}  // namespace loadhost::report
