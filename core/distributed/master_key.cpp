#include "core/distributed/master_key.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <cerrno>
#include <cstring>

namespace loadhost::distributed {

namespace {
constexpr size_t kZ85KeyLength = 40;

std::string create_key_file(const std::string &path) {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0)
    return fmt::format("--master-key: this libzmq has no CURVE support ({})", zmq_strerror(zmq_errno()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("--master-key {}: cannot create it: {}", path, std::strerror(errno));
  std::string text = std::string(sec) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ::close(fd);
  if (!ok) return fmt::format("--master-key {}: cannot write it", path);
  std::fprintf(stderr, "loadhost: made a new master key in %s (copy it to the workers)\n", path.c_str());
  return "";
}
}  // namespace

std::string load_master_key(const std::string &path, bool create, MasterKey &key) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return fmt::format("--master-key {}: {}", path, std::strerror(errno));
    if (std::string e = create_key_file(path); !e.empty()) return e;
    if (::lstat(path.c_str(), &st) != 0) return fmt::format("--master-key {}: {}", path, std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return fmt::format("--master-key {}: not a regular file", path);
  if (st.st_uid != ::geteuid())
    return fmt::format("--master-key {}: owned by uid {}, not by this user: refusing it", path, st.st_uid);
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return fmt::format("--master-key {}: others can read or write it (mode {:o}): chmod 600 it", path,
                       st.st_mode & 0777);
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fmt::format("--master-key {}: {}", path, std::strerror(errno));
  char buffer[128] = {};
  ssize_t n = ::read(fd, buffer, sizeof(buffer) - 1);
  ::close(fd);
  std::string text(buffer, n > 0 ? size_t(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  char pub[41] = {};
  if (text.size() != kZ85KeyLength || zmq_curve_public(pub, text.c_str()) != 0)
    return fmt::format("--master-key {}: not a CURVE key (one line of {} Z85 characters)", path, kZ85KeyLength);
  key.secret_z85 = text;
  key.public_z85 = pub;
  return "";
}

}  // namespace loadhost::distributed
