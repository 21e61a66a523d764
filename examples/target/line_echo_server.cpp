#include "line_echo_server.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <memory>
#include <string>

namespace loadhost::demo {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

// One connection: read up to '\n', write that line back, repeat. Lines that
// arrive together stay in `pending_` and are answered one by one.
class EchoConnection : public std::enable_shared_from_this<EchoConnection> {
 public:
  explicit EchoConnection(tcp::socket socket) : socket_(std::move(socket)) {}

  void read_line() {
    net::async_read_until(socket_, net::dynamic_buffer(pending_, LineEchoServer::kMaxLine), '\n',
                          [self = shared_from_this()](error_code ec, std::size_t length) {
                            self->line_read(ec, length);
                          });
  }

 private:
  void line_read(error_code ec, std::size_t length) {
    // EOF, reset, or a line over kMaxLine: the connection ends here.
    if (ec) return;
    line_.assign(pending_, 0, length);
    pending_.erase(0, length);
    net::async_write(socket_, net::buffer(line_),
                     [self = shared_from_this()](error_code write_ec, std::size_t) {
                       if (!write_ec) self->read_line();
                     });
  }

  tcp::socket socket_;
  std::string pending_;  // bytes read, not yet answered
  std::string line_;     // the line being written back
};

}  // namespace

LineEchoServer::LineEchoServer(net::io_context &ioc, std::uint16_t port)
    : ioc_(ioc), acceptor_(ioc, tcp::endpoint(net::ip::address_v4::loopback(), port)) {}

std::uint16_t LineEchoServer::port() const { return acceptor_.local_endpoint().port(); }

void LineEchoServer::start() { accept_next(); }

void LineEchoServer::accept_next() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<EchoConnection>(std::move(socket))->read_line();
    }
    accept_next();
  });
}

}  // namespace loadhost::demo
