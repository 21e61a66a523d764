// HttpServer: the web UI's HTTP(S) and WebSocket server, on Boost.Beast.
//
// Which thread: everything — accepting, reading, the handler, WebSocket
// writes — runs on the io_context it is given, which is the host's control
// thread. So a handler reads the runner's merged stats without a lock, and
// the loop threads never wait for a browser.
//
// What it enforces for every route, so no route can forget it:
//   - HTTP basic auth when credentials are set (401 with a challenge),
//   - bound to loopback, only loopback Host names are answered (403
//     otherwise): a DNS-rebinding page cannot reach the UI through its name,
//   - for state-changing routes and the WebSocket upgrade, an Origin header,
//     when present, must name this same server, and Sec-Fetch-Site, when
//     present, must be same-origin or none (403 otherwise): a page on
//     another site cannot start, stop or reset a test from a visitor's
//     browser (not even with a no-cors GET), nor read the pushed stats.
//     Tools (curl, scripts) send neither header and are let through, as
//     with Locust.
//   - bounded requests (1 MiB body, 30 s to send a request).
//
// WebSocket clients subscribe to broadcast(): each gets the same text
// frames in order; a client whose unsent queue grows past a bound (a stalled
// browser) is dropped rather than buffered without limit.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace loadhost::web {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct ServerConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8089;   // 0: any free port
  std::string basic_auth;       // "user:password", or empty for none
  std::string tls_cert_file;    // both set: HTTPS and WSS
  std::string tls_key_file;
};

class WebSocketSession;

class HttpServer {
 public:
  // Answers one request (auth and origin already checked). Must set status,
  // content type and body; the server fills in keep-alive and length.
  using Handler = std::function<Response(const Request &)>;
  // A WebSocket client connected to /ws: `send` queues a text frame to it
  // alone (the hello with the history), valid during the call.
  using OnSubscribe = std::function<void(const std::function<void(std::string)> &send)>;

  HttpServer(boost::asio::io_context &io, ServerConfig config, Handler handler, OnSubscribe on_subscribe);
  ~HttpServer();

  // Binds and listens. Returns "" or one line saying why not.
  std::string listen();
  // The URL to print: scheme, address as bound, port (the real one for 0).
  std::string url() const;
  unsigned short port() const;
  // Sends `text` to every WebSocket client.
  void broadcast(std::string text);
  // Closes the listener and every connection.
  void close();

  // [internal, control thread] Session bookkeeping.
  const ServerConfig &config() const { return config_; }
  boost::asio::ssl::context *tls() { return tls_ ? &*tls_ : nullptr; }
  // nullopt: the request may proceed; otherwise the refusal to send.
  std::optional<Response> refuse(const Request &request) const;
  Response answer(const Request &request) { return handler_(request); }
  void subscribe(const std::shared_ptr<WebSocketSession> &session);
  void unsubscribe(WebSocketSession *session);

 private:
  void accept();

  boost::asio::io_context &io_;
  ServerConfig config_;
  Handler handler_;
  OnSubscribe on_subscribe_;
  std::optional<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::string expected_authorization_;
  bool loopback_only_ = false;  // bound to a loopback address  // "Basic base64(user:password)"
  std::set<std::shared_ptr<WebSocketSession>> subscribers_;
};

// Is this route one that changes the run (Locust's /swarm, /stop,
// /stats/reset)? Those get the Origin check.
bool changes_state(std::string_view target);

// Is this Host header a loopback name (127.x.y.z, localhost, [::1], any port)?
bool loopback_host(std::string_view host);

}  // namespace loadhost::web
