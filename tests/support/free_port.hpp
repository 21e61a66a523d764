// A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read the
// port the kernel chose, close. Another process may take it before the caller
// binds it (rare: the kernel hands out ports in rotation), so fixtures that
// pass the port to a server retry on "address in use"; servers that can bind
// port 0 themselves should do that instead.
#pragma once

#include <cstdint>

namespace loadhost::test {

// Throws std::runtime_error when no socket can be bound.
std::uint16_t free_port();

}  // namespace loadhost::test
