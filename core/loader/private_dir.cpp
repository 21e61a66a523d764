#include "core/loader/private_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace loadhost::core {

namespace fs = std::filesystem;

namespace {

// Who may have written it: "" when only the effective user could.
std::string foreign_writer(const struct stat &st, std::string_view what, const std::string &path,
                           std::string_view remedy) {
  uid_t me = geteuid();
  if (st.st_uid != me)
    return fmt::format("{} '{}' belongs to uid {}, not to you (uid {}): another user may have put code "
                       "in it; {}",
                       what, path, st.st_uid, me, remedy);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fmt::format("{} '{}' is writable by other users (mode {:04o}): another user may have put code "
                       "in it; {}",
                       what, path, st.st_mode & 07777, remedy);
  return "";
}

}  // namespace

std::string prepare_private_dir(const std::string &dir, std::string_view what) {
  std::error_code ec;
  fs::path path(dir);
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    return fmt::format("cannot create {} '{}': {}", what, path.parent_path().string(), ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fmt::format("cannot create {} '{}': {}", what, dir, std::strerror(errno));
  // stat, not lstat: a symlink to a directory of ours is as safe as the
  // directory, and one to anyone else's fails the owner check.
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return fmt::format("cannot use {} '{}': {}", what, dir, std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return fmt::format("{} '{}' is not a directory; remove it", what, dir);
  return foreign_writer(st, what, dir,
                        fmt::format("remove it (or chmod 700 it if it is yours), or set XDG_CACHE_HOME to a "
                                    "directory of your own"));
}

std::string check_private_file(const std::string &path, std::string_view what) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return fmt::format("cannot use {} '{}': {}", what, path, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fmt::format("{} '{}' is not a regular file (loadhost never makes links there); remove it", what, path);
  return foreign_writer(st, what, path, "refusing to use it; remove it");
}

std::string write_private_file(const std::string &path, std::string_view content) {
  std::string temp = path + ".XXXXXX";
  int fd = ::mkstemp(temp.data());  // 0600, a name no one else can guess
  if (fd < 0) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  int error_number = done == content.size() ? 0 : (errno ? errno : EIO);
  if (::close(fd) != 0 && !error_number) error_number = errno;
  if (!error_number && ::rename(temp.c_str(), path.c_str()) != 0) error_number = errno;
  if (error_number) {
    std::string error = fmt::format("cannot write '{}': {}", path, std::strerror(error_number));
    ::unlink(temp.c_str());
    return error;
  }
  return "";
}

}  // namespace loadhost::core
