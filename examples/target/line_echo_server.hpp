// The tiny line protocol served to the plain-C plugin example
// (examples/plugins/line_echo.c): every '\n'-terminated line received is
// sent back unchanged, in order, on the same connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>

namespace loadhost::demo {

class LineEchoServer {
 public:
  // Lines longer than this end the connection.
  static constexpr std::size_t kMaxLine = 64 * 1024;

  // Binds 127.0.0.1:`port` (0 = a free port). Throws
  // boost::system::system_error when the port cannot be bound.
  LineEchoServer(boost::asio::io_context &ioc, std::uint16_t port);

  std::uint16_t port() const;

  // Begins accepting; connections are served while the io_context runs.
  void start();

 private:
  void accept_next();

  boost::asio::io_context &ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace loadhost::demo
