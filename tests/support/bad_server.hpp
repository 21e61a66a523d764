// A misbehaving TCP server on 127.0.0.1 (its own thread, a free port bound
// directly), for testing how clients cope with peers that are not HTTP
// servers, never answer, or hang up.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

namespace loadhost::test {

class BadServer {
 public:
  enum class Mode {
    // Waits for the client's first bytes, answers kGarbage (not HTTP),
    // then closes.
    Garbage,
    // Accepts, reads and discards, never answers; keeps the connection
    // open until the client closes or the server stops.
    Silent,
    // Accepts and closes at once.
    CloseImmediately,
    // Waits for the client's first bytes, answers kCrBanner (an SSH banner
    // behind a CR: not HTTP, though its first byte could start a blank
    // line), and keeps the connection open, as an SSH server would.
    CrBanner,
    // Listens (backlog 0) and never accepts: past the first, a connect is
    // never answered and stays in progress.
    NeverAccepts,
  };

  static constexpr std::string_view kGarbage = "\x16\x03\x01 NOT-HTTP \xff\xfe garbage\r\n\r\n";
  static constexpr std::string_view kCrBanner = "\rSSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

  // Binds and starts serving. Throws std::runtime_error.
  explicit BadServer(Mode mode);
  // stop()
  ~BadServer();
  BadServer(const BadServer &) = delete;
  BadServer &operator=(const BadServer &) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"
  // Connections accepted so far.
  std::size_t connections() const { return connections_.load(); }

  // Closes every connection and the listener, joins the thread. Idempotent,
  // returns promptly.
  void stop();

 private:
  void serve();

  Mode mode_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: the thread's stop signal
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> connections_{0};
  std::thread thread_;
};

}  // namespace loadhost::test
