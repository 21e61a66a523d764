// A fresh private directory under the system temp dir, removed with
// everything in it when the TempDir is destroyed.
#pragma once

#include <filesystem>
#include <string_view>

namespace loadhost::test {

class TempDir {
 public:
  // Creates <tmp>/<prefix>-XXXXXX (mode 0700). Throws std::runtime_error.
  explicit TempDir(std::string_view prefix = "loadhost-test");
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::filesystem::path &path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace loadhost::test
