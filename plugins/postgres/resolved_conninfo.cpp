#include "resolved_conninfo.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <sys/socket.h>

#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace loadhost::postgres {
namespace {

bool is_address(const std::string &host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Every address of `name`, in getaddrinfo's order, without repeats; empty
// when it does not resolve.
std::vector<std::string> resolve(const std::string &name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *found = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0) return out;
  for (addrinfo *a = found; a; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void *addr = a->ai_family == AF_INET ? static_cast<const void *>(&reinterpret_cast<sockaddr_in *>(a->ai_addr)->sin_addr)
                                               : static_cast<const void *>(&reinterpret_cast<sockaddr_in6 *>(a->ai_addr)->sin6_addr);
    if (!inet_ntop(a->ai_family, addr, text, sizeof text)) continue;
    bool seen = false;
    for (const auto &s : out) seen = seen || s == text;
    if (!seen) out.emplace_back(text);
  }
  freeaddrinfo(found);
  return out;
}

// Once per name per process; failures are not cached (the next session
// tries again).
std::vector<std::string> cached_addresses(const std::string &name) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<std::string>> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  std::vector<std::string> addresses = resolve(name);
  if (!addresses.empty()) cache.emplace(name, addresses);
  return addresses;
}

// A key=value value, quoted as libpq reads it.
std::string quoted(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string with_resolved_hostaddr(const std::string &conninfo) {
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption *)> options(PQconninfoParse(conninfo.c_str(), nullptr),
                                                                           &PQconninfoFree);
  if (!options) return conninfo;
  std::string host;
  for (PQconninfoOption *o = options.get(); o->keyword; ++o) {
    const std::string_view key = o->keyword;
    if (key == "hostaddr" && o->val && *o->val) return conninfo;
    if (key == "host" && o->val) host = o->val;
  }
  if (host.empty() || host.front() == '/' || host.front() == '@' || host.find(',') != std::string::npos ||
      is_address(host))
    return conninfo;
  const std::vector<std::string> addresses = cached_addresses(host);
  if (addresses.empty()) return conninfo;

  std::string hosts, hostaddrs;
  for (const std::string &a : addresses) {
    if (!hosts.empty()) hosts += ',', hostaddrs += ',';
    hosts += host;
    hostaddrs += a;
  }
  std::string out;
  for (PQconninfoOption *o = options.get(); o->keyword; ++o) {
    if (!o->val) continue;
    const std::string_view key = o->keyword;
    out.append(o->keyword).append("=");
    if (key == "host") out += quoted(hosts);
    else out += quoted(o->val);
    out += ' ';
  }
  out.append("hostaddr=").append(quoted(hostaddrs));
  return out;
}

}  // namespace loadhost::postgres
