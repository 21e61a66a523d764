#include "http_server.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

#include <optional>

namespace loadhost::demo {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// A connection idle this long between requests is closed.
constexpr std::chrono::seconds kIdleTimeout{60};
// Requests bigger than this are refused (the demo's bodies are tiny).
constexpr std::uint64_t kBodyLimit = 64 * 1024;

// One keep-alive connection: read a request, ask the handler, maybe wait,
// write the response, read the next one. Every handler runs on the
// connection's strand, so the members need no lock.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(tcp::socket socket, std::shared_ptr<const RequestHandler> handler)
      : stream_(std::move(socket)),
        delay_timer_(stream_.get_executor()),
        handler_(std::move(handler)) {}

  void start() {
    // Run the first read on the strand, like every later step.
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpConnection::read_request, shared_from_this()));
  }

 private:
  void read_request() {
    // A fresh parser per request: the body limit applies per message.
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpConnection::request_read, shared_from_this()));
  }

  void request_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream) return close();
    // Timeouts, resets and malformed requests end the connection.
    if (ec) return;

    const HttpRequest &request = parser_->get();
    RouteReply reply = (*handler_)(request);
    response_ = std::move(reply.response);
    response_.version(request.version());
    response_.keep_alive(request.keep_alive());
    response_.set(http::field::server, "loadhost-demo-target");
    response_.prepare_payload();
    // HEAD: the same headers (Content-Length included), no body.
    if (request.method() == http::verb::head) response_.body().clear();

    if (reply.delay.count() <= 0) return write_response();
    // Hold the answer back on a timer: the thread serves others meanwhile.
    stream_.expires_never();
    delay_timer_.expires_after(reply.delay);
    delay_timer_.async_wait(
        beast::bind_front_handler(&HttpConnection::delay_elapsed, shared_from_this()));
  }

  void delay_elapsed(beast::error_code ec) {
    if (ec) return;
    write_response();
  }

  void write_response() {
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&HttpConnection::response_written,
                                                shared_from_this()));
  }

  void response_written(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return;
    if (response_.need_eof()) return close();
    read_request();
  }

  void close() {
    // Send FIN; the socket closes when the last handler lets go of us.
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;
  net::steady_timer delay_timer_;
  std::shared_ptr<const RequestHandler> handler_;
};

}  // namespace

HttpServer::HttpServer(net::io_context &ioc, std::uint16_t port, RequestHandler handler)
    : ioc_(ioc),
      acceptor_(ioc, tcp::endpoint(net::ip::address_v4::loopback(), port)),
      handler_(std::make_shared<const RequestHandler>(std::move(handler))) {}

std::uint16_t HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::start() { accept_next(); }

void HttpServer::accept_next() {
  // Each connection gets its own strand, so threads never share one socket.
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpConnection>(std::move(socket), handler_)->start();
    }
    accept_next();
  });
}

}  // namespace loadhost::demo
