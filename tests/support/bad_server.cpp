#include "support/bad_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace loadhost::test {
namespace {

using Clock = std::chrono::steady_clock;

// After answering garbage, how long to drain the client before closing (a
// close with unread bytes would send a reset that may destroy the answer).
constexpr std::chrono::milliseconds kLinger{1000};

struct Connection {
  int fd;
  bool answered = false;           // Garbage: the answer is sent, FIN is out
  Clock::time_point close_after{};  // Garbage: end of the linger
};

struct Drained {
  bool got_bytes = false;
  bool open = true;  // false when the peer closed or the connection failed
};

// Reads and discards what is there.
Drained drain(int fd) {
  Drained result;
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (got > 0) {
      result.got_bytes = true;
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    result.open = got < 0 && errno == EAGAIN;
    return result;
  }
}

}  // namespace

BadServer::BadServer(Mode mode) : mode_(mode) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listen_fd_ < 0 || stop_fd_ < 0 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, mode == Mode::NeverAccepts ? 0 : 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
    const int error = errno;
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    throw std::runtime_error(std::string("BadServer: listen on 127.0.0.1: ") + std::strerror(error));
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

BadServer::~BadServer() { stop(); }

std::string BadServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void BadServer::stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  thread_.join();
  ::close(listen_fd_);
  ::close(stop_fd_);
}

void BadServer::serve() {
  std::vector<Connection> connections;
  for (;;) {
    // Slot 0: stop, slot 1: listener, then one per open connection.
    const short accepting = mode_ == Mode::NeverAccepts ? 0 : POLLIN;  // else poll spins on the backlog
    std::vector<pollfd> fds{{stop_fd_, POLLIN, 0}, {listen_fd_, accepting, 0}};
    for (const Connection &c : connections) fds.push_back({c.fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 50);  // wakes for lingering deadlines too
    if (fds[0].revents != 0) break;

    if ((fds[1].revents & POLLIN) && mode_ != Mode::NeverAccepts) {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        ++connections_;
        if (mode_ == Mode::CloseImmediately) {
          ::close(fd);
        } else {
          connections.push_back(Connection{fd});
        }
      }
    }

    // fds[i + 2] is connections[i] as it was before this round's accepts.
    std::vector<Connection> still_open;
    for (std::size_t i = 0; i < connections.size(); ++i) {
      Connection c = connections[i];
      const short events = i + 2 < fds.size() ? fds[i + 2].revents : 0;
      bool open = true;
      if (events != 0) {
        const Drained drained = drain(c.fd);
        open = drained.open;
        if (mode_ == Mode::CrBanner && !c.answered && drained.got_bytes) {
          [[maybe_unused]] ssize_t sent =
              ::send(c.fd, kCrBanner.data(), kCrBanner.size(), MSG_NOSIGNAL);
          c.answered = true;  // and stays open: no close_after
          c.close_after = Clock::time_point::max();
        }
        if (mode_ == Mode::Garbage && !c.answered && drained.got_bytes) {
          // The client's request arrived: answer garbage, then FIN.
          [[maybe_unused]] ssize_t sent =
              ::send(c.fd, kGarbage.data(), kGarbage.size(), MSG_NOSIGNAL);
          ::shutdown(c.fd, SHUT_WR);
          c.answered = true;
          c.close_after = Clock::now() + kLinger;
        }
      }
      if (c.answered && Clock::now() >= c.close_after) open = false;
      if (open) {
        still_open.push_back(c);
      } else {
        ::close(c.fd);
      }
    }
    connections = std::move(still_open);
  }
  for (const Connection &c : connections) ::close(c.fd);
}

}  // namespace loadhost::test
