// A blocking TCP client on 127.0.0.1 for tests: raw bytes in, raw bytes out,
// every read bounded by a timeout. Deliberately not an HTTP library: tests
// use it to check servers byte by byte (and fixtures use it to probe ports).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::test {

// One HTTP/1.x response as received.
struct RawHttpResponse {
  int status = 0;
  std::string head;  // status line and headers, up to and including the blank line
  std::string body;
  // The first header `name` (case-insensitive), or "" when absent.
  std::string header(std::string_view name) const;
};

class LoopbackClient {
 public:
  // Connects to 127.0.0.1:`port`. Throws std::runtime_error when refused or
  // not connected within `timeout`.
  explicit LoopbackClient(std::uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~LoopbackClient();
  LoopbackClient(const LoopbackClient &) = delete;
  LoopbackClient &operator=(const LoopbackClient &) = delete;

  // Sends every byte. Throws std::runtime_error on error.
  void send(std::string_view bytes);

  // The next line including its '\n'; nullopt on timeout, error or close first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The next HTTP response; its body is delimited by Content-Length, or by
  // the close when there is none (chunked bodies are not decoded). Nullopt
  // on timeout, error, or a close before a complete response.
  std::optional<RawHttpResponse> read_http_response(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Everything until the peer closes (reset counts as closed); nullopt when
  // still open after `timeout`.
  std::optional<std::string> read_until_closed(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  // Reads more into buffer_ before `deadline`. False on timeout/close/error;
  // closed_ tells a close or reset from a timeout.
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string buffer_;  // received, not yet returned
  bool closed_ = false;
};

// GET `path` with "Connection: close" on a fresh connection; nullopt when
// the server does not answer within `timeout`.
std::optional<RawHttpResponse> http_get(std::uint16_t port, std::string_view path,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

// True when something accepts TCP connections on 127.0.0.1:`port` now.
bool accepts_connections(std::uint16_t port);

}  // namespace loadhost::test
