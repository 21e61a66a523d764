#include "core/engine/open_file_limit.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <filesystem>

namespace loadhost::core {

namespace {

// Descriptors open now (the loops' epoll and event fds, plugins' files).
uint64_t open_now() {
  std::error_code ec;
  uint64_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

}  // namespace

uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : uint64_t(limit.rlim_cur);
}

std::string open_files_warning(uint64_t users) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return "";
  uint64_t in_use = open_now();
  uint64_t left = limit.rlim_cur > in_use ? uint64_t(limit.rlim_cur) - in_use : 0;
  if (users <= left) return "";
  return fmt::format("{} users need a socket each, but the open-file limit (ulimit -n: {}, the hard limit) "
                     "leaves {}: connects beyond that fail with \"too many open files\"; raise the hard limit "
                     "or lower -u",
                     users, uint64_t(limit.rlim_cur), left);
}

}  // namespace loadhost::core
