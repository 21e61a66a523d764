#include "support/loopback_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace loadhost::test {
namespace {

using Clock = std::chrono::steady_clock;

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 60'000));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// A non-blocking connect to 127.0.0.1:port; the connected fd or -1 (errno set).
int connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  int error = 0;
  if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      socklen_t length = sizeof error;
      if (ready == 1) {
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      } else {
        error = ETIMEDOUT;
      }
    }
  }
  if (error != 0) {
    ::close(fd);
    errno = error;
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

std::string RawHttpResponse::header(std::string_view name) const {
  std::string_view rest = head;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !iequals(line.substr(0, colon), name)) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
  }
  return {};
}

LoopbackClient::LoopbackClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : fd_(connect_loopback(port, timeout)) {
  if (fd_ < 0) {
    throw std::runtime_error("LoopbackClient: connect 127.0.0.1:" + std::to_string(port) + ": " +
                             std::strerror(errno));
  }
}

LoopbackClient::~LoopbackClient() { ::close(fd_); }

void LoopbackClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    if (sent < 0) throw std::runtime_error(std::string("LoopbackClient: send: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

bool LoopbackClient::fill(Clock::time_point deadline) {
  if (closed_) return false;
  for (;;) {
    char chunk[16384];
    const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(got));
      return true;
    }
    if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
      closed_ = true;  // orderly close, or reset
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, millis_until(deadline)) == 0) return false;
  }
}

std::optional<std::string> LoopbackClient::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const std::size_t end = buffer_.find('\n');
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end + 1);
      buffer_.erase(0, end + 1);
      return line;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<RawHttpResponse> LoopbackClient::read_http_response(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::nullopt;
  }
  RawHttpResponse response;
  response.head = buffer_.substr(0, head_end + 4);
  buffer_.erase(0, head_end + 4);
  // "HTTP/1.1 200 OK": the status is the second word.
  const std::size_t space = response.head.find(' ');
  if (!response.head.starts_with("HTTP/") || space == std::string::npos) return std::nullopt;
  std::from_chars(response.head.data() + space + 1, response.head.data() + response.head.size(),
                  response.status);

  const std::string length_text = response.header("Content-Length");
  if (length_text.empty()) {
    // No length: the body runs until the server closes.
    while (fill(deadline)) {
    }
    if (!closed_) return std::nullopt;
    response.body = std::move(buffer_);
    buffer_.clear();
    return response;
  }
  std::size_t length = 0;
  std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  while (buffer_.size() < length) {
    if (!fill(deadline)) return std::nullopt;
  }
  response.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

std::optional<std::string> LoopbackClient::read_until_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (fill(deadline)) {
  }
  if (!closed_) return std::nullopt;
  std::string all = std::move(buffer_);
  buffer_.clear();
  return all;
}

std::optional<RawHttpResponse> http_get(std::uint16_t port, std::string_view path,
                                        std::chrono::milliseconds timeout) {
  LoopbackClient client(port, timeout);
  client.send("GET " + std::string(path) +
              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  return client.read_http_response(timeout);
}

bool accepts_connections(std::uint16_t port) {
  const int fd = connect_loopback(port, std::chrono::milliseconds(1000));
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace loadhost::test
