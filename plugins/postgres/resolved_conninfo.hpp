// libpq resolves a host name inside PQconnectStart with a blocking
// getaddrinfo, on whatever thread calls it: here, a loop thread, every time a
// user (re)connects. This resolves each name once per process instead (the
// first session that names it waits for DNS, once) and hands libpq the
// addresses as hostaddr, so a connect never waits on DNS again.
#pragma once

#include <string>

namespace loadhost::postgres {

// `conninfo` (a URI or key=value string libpq accepts) as a key=value string
// with hostaddr set to every address of its host name, the name repeated in
// host (libpq tries them in order and still checks TLS certificates against
// the name). Unchanged when there is nothing to resolve: no host, a socket
// directory, an address, several hosts, a hostaddr already given, or a name
// that does not resolve (libpq then reports the failure at connect, as
// before).
std::string with_resolved_hostaddr(const std::string &conninfo);

}  // namespace loadhost::postgres
