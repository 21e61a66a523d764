// An asynchronous HTTP/1.1 server on Boost.Beast: keep-alive, one strand per
// connection, any number of threads running the io_context. What to answer is
// the handler's business (shop_routes.hpp); this file only moves bytes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace loadhost::demo {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What a route answers: the response, and how long to hold it back first
// (GET /slow). The server waits on a timer, never blocking its thread.
struct RouteReply {
  HttpResponse response;
  std::chrono::milliseconds delay{0};
};

// Called on a connection's strand, possibly from several threads at once
// for different connections: it must be thread-safe.
using RequestHandler = std::function<RouteReply(const HttpRequest &)>;

class HttpServer {
 public:
  // Binds 127.0.0.1:`port` (0 = a free port) and listens. Throws
  // boost::system::system_error when the port cannot be bound.
  HttpServer(boost::asio::io_context &ioc, std::uint16_t port, RequestHandler handler);

  // The port actually bound.
  std::uint16_t port() const;

  // Begins accepting connections; they are served while the io_context runs.
  void start();

 private:
  void accept_next();

  boost::asio::io_context &ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<const RequestHandler> handler_;  // shared with every connection
};

}  // namespace loadhost::demo
