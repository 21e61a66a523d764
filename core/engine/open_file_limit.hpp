// The open-file limit: every connecting or connected user holds a socket,
// and the usual soft limit (1024) would cap a test near a thousand users
// while the hard limit allows far more. loadhost raises the soft limit to
// the hard one at start, as most load tools do, and says before a test when
// the users will not fit, rather than failing thousands of connects.
#pragma once

#include <cstdint>
#include <string>

namespace loadhost::core {

// Raises the soft RLIMIT_NOFILE to the hard limit. Returns the soft limit
// in force afterwards.
uint64_t raise_open_file_limit();

// One line (for the log, which adds "warning:") when `users` sockets, one
// per user at least, will not fit in what the open-file limit leaves beside
// the descriptors open now; "" when they fit.
std::string open_files_warning(uint64_t users);

}  // namespace loadhost::core
