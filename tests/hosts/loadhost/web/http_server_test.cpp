// HttpServer on real loopback sockets, with a handler of the test's own: the
// rules every route gets (basic auth, the Origin check of state-changing
// routes and of the WebSocket, the body limit), the WebSocket push, and
// what listen() says. Clients are Boost.Beast's, every step bounded in time.
#include "hosts/loadhost/web/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace loadhost::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kLimit = 5s;  // any one client step
constexpr size_t kBodyLimit = 1 << 20;

// HttpServer on 127.0.0.1, any free port, run on a thread of its own. The
// handler answers 200 "handled <method> <target> <body size>" and counts
// the requests it saw; a WebSocket subscriber is first sent "hello".
class ServerThread {
 public:
  explicit ServerThread(ServerConfig config = {}) {
    config.address = "127.0.0.1";
    config.port = 0;
    server_.emplace(
        io_, std::move(config),
        [this](const Request &r) {
          ++handled_;
          Response res{http::status::ok, r.version()};
          res.set(http::field::content_type, "text/plain");
          res.body() = std::string(r.method_string()) + " " + std::string(r.target()) + " " +
                       std::to_string(r.body().size());
          return res;
        },
        [](const std::function<void(std::string)> &send) { send("hello"); });
    listen_error_ = server_->listen();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerThread() {
    io_.stop();
    thread_.join();
    server_.reset();  // closes what is left, with no handler running
  }

  const std::string &listen_error() const { return listen_error_; }
  unsigned short port() const { return port_ = port_ ? port_ : server_->port(); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port()); }
  std::string url() const { return server_->url(); }
  int handled() const { return handled_; }
  // broadcast() on the server's thread, as the web UI calls it.
  void broadcast(std::string text) {
    asio::post(io_, [this, text = std::move(text)]() mutable { server_->broadcast(std::move(text)); });
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::optional<HttpServer> server_;
  std::string listen_error_;
  mutable unsigned short port_ = 0;
  std::atomic<int> handled_{0};
  std::thread thread_;
};

// One client connection; every operation ends within kLimit (tcp_stream's
// timeout), so a server that never answers fails the test instead of
// hanging it.
class Client {
 public:
  explicit Client(unsigned short port) : stream_(io_) {
    stream_.expires_after(kLimit);
    stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [this](beast::error_code ec) { ec_ = ec; });
    run();
  }
  beast::error_code connect_error() const { return ec_; }

  beast::error_code send(Request request) {
    request.prepare_payload();
    stream_.expires_after(kLimit);
    http::async_write(stream_, request, [this](beast::error_code ec, size_t) { ec_ = ec; });
    run();
    return ec_;
  }
  // The next response; for an answer to HEAD, `head` tells the parser that
  // no body follows whatever Content-Length says (RFC 9110 9.3.2).
  beast::error_code receive(Response &response, bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(head);
    stream_.expires_after(kLimit);
    http::async_read(stream_, buffer_, parser, [this](beast::error_code ec, size_t) { ec_ = ec; });
    run();
    if (!ec_) response = parser.release();
    return ec_;
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

Request request(http::verb verb, std::string target, const ServerThread &server, std::string body = "") {
  Request r{verb, target, 11};
  r.set(http::field::host, server.host());
  r.body() = std::move(body);
  return r;
}

struct Reply {
  beast::error_code ec;
  Response response;
};

// `r` on a new connection, and its answer.
Reply round_trip(const ServerThread &server, const Request &r) {
  Client client(server.port());
  Reply reply;
  reply.ec = client.connect_error();
  if (!reply.ec) reply.ec = client.send(r);
  if (!reply.ec) reply.ec = client.receive(reply.response);
  return reply;
}

// A WebSocket client of /ws.
class WsClient {
 public:
  // Handshakes with `origin` ("" = no Origin header) and `authorization`.
  WsClient(const ServerThread &server, std::string origin, std::string authorization = "") : ws_(io_) {
    auto &lowest = beast::get_lowest_layer(ws_);
    lowest.expires_after(kLimit);
    lowest.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()),
                      [this](beast::error_code ec) { ec_ = ec; });
    run();
    if (ec_) return;
    ws_.set_option(websocket::stream_base::decorator([origin, authorization](websocket::request_type &r) {
      if (!origin.empty()) r.set(http::field::origin, origin);
      if (!authorization.empty()) r.set(http::field::authorization, authorization);
    }));
    lowest.expires_after(kLimit);
    ws_.async_handshake(upgrade_answer_, server.host(), "/ws", [this](beast::error_code ec) { ec_ = ec; });
    run();
  }
  beast::error_code handshake_error() const { return ec_; }
  const websocket::response_type &upgrade_answer() const { return upgrade_answer_; }

  // The next text frame, or nullopt on error or after kLimit.
  std::optional<std::string> read() {
    beast::flat_buffer buffer;
    beast::get_lowest_layer(ws_).expires_after(kLimit);
    ws_.async_read(buffer, [this](beast::error_code ec, size_t) { ec_ = ec; });
    run();
    if (ec_) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type upgrade_answer_;
  beast::error_code ec_;
};

TEST(HttpServer, WithoutCredentialsConfiguredEveryRequestIsAnswered) {
  ServerThread server;
  ASSERT_EQ(server.listen_error(), "");
  Reply reply = round_trip(server, request(http::verb::get, "/stats/requests", server));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);
  EXPECT_EQ(reply.response.body(), "GET /stats/requests 0");
  EXPECT_EQ(reply.response[http::field::server], "loadhost");
  EXPECT_EQ(reply.response[http::field::content_length], "21");
  EXPECT_EQ(server.handled(), 1);
}

TEST(HttpServer, BasicAuthChallengesThenLetsTheRightCredentialsIn) {
  ServerConfig config;
  config.basic_auth = "user:pw";
  ServerThread server(config);
  ASSERT_EQ(server.listen_error(), "");
  for (const char *given : {"", "Basic dXNlcjpub3Bl" /* user:nope */, "Basic dXNlcjpwdw", "Bearer dXNlcjpwdw=="}) {
    SCOPED_TRACE(given);
    Request r = request(http::verb::get, "/", server);
    if (*given) r.set(http::field::authorization, given);
    Reply reply = round_trip(server, r);
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result(), http::status::unauthorized);
    EXPECT_TRUE(std::string(reply.response[http::field::www_authenticate]).starts_with("Basic realm="))
        << reply.response[http::field::www_authenticate];
  }
  EXPECT_EQ(server.handled(), 0) << "the handler never saw an unauthenticated request";

  Request r = request(http::verb::get, "/", server);
  r.set(http::field::authorization, "Basic dXNlcjpwdw==");  // user:pw
  Reply reply = round_trip(server, r);
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);
  EXPECT_EQ(server.handled(), 1);

  // The WebSocket is behind the same door.
  WsClient anonymous(server, "");
  EXPECT_EQ(anonymous.handshake_error(), websocket::error::upgrade_declined);
  EXPECT_EQ(anonymous.upgrade_answer().result(), http::status::unauthorized);
  WsClient known(server, "", "Basic dXNlcjpwdw==");
  ASSERT_FALSE(known.handshake_error()) << known.handshake_error().message();
  EXPECT_EQ(known.read(), "hello");
}

TEST(HttpServer, StateChangingRoutesRefuseAnotherSitesOrigin) {
  ServerThread server;
  ASSERT_EQ(server.listen_error(), "");
  const std::string self = "http://" + server.host();
  struct Case {
    http::verb verb;
    const char *target;
    std::string origin;  // "" = none
    http::status expected;
  };
  const Case cases[] = {
      {http::verb::post, "/swarm", "http://evil.example", http::status::forbidden},
      {http::verb::post, "/swarm", "null", http::status::forbidden},  // sandboxed page, file://
      {http::verb::post, "/swarm", "http://127.0.0.1:1", http::status::forbidden},  // same host, other port
      {http::verb::post, "/swarm", "https://" + server.host(), http::status::forbidden},  // other scheme
      {http::verb::get, "/stop", "http://evil.example", http::status::forbidden},
      {http::verb::get, "/stats/reset?x=1", "http://evil.example", http::status::forbidden},
      {http::verb::post, "/swarm", self, http::status::ok},
      {http::verb::post, "/swarm", "", http::status::ok},  // curl, scripts
      {http::verb::get, "/stop", self, http::status::ok},
      {http::verb::get, "/stats/requests", "http://evil.example", http::status::ok},  // reads are not guarded
      {http::verb::get, "/", "http://evil.example", http::status::ok},
  };
  int expected_handled = 0;
  for (const Case &c : cases) {
    SCOPED_TRACE(std::string(http::to_string(c.verb)) + " " + c.target + " Origin: " + c.origin);
    Request r = request(c.verb, c.target, server, c.verb == http::verb::post ? "user_count=1&spawn_rate=1" : "");
    if (!c.origin.empty()) r.set(http::field::origin, c.origin);
    Reply reply = round_trip(server, r);
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result(), c.expected) << reply.response.body();
    if (c.expected == http::status::ok) ++expected_handled;
    EXPECT_EQ(server.handled(), expected_handled) << "a refused request must not reach the handler";
  }
}

TEST(HttpServer, WebSocketRefusesAnotherSiteAndPushesBroadcastsInOrder) {
  ServerThread server;
  ASSERT_EQ(server.listen_error(), "");
  WsClient foreign(server, "http://evil.example");
  EXPECT_EQ(foreign.handshake_error(), websocket::error::upgrade_declined);
  EXPECT_EQ(foreign.upgrade_answer().result(), http::status::forbidden);

  WsClient page(server, "http://" + server.host());
  ASSERT_FALSE(page.handshake_error()) << page.handshake_error().message();
  WsClient tool(server, "");  // no Origin: a script, allowed as for HTTP
  ASSERT_FALSE(tool.handshake_error()) << tool.handshake_error().message();
  // "hello" comes once each is subscribed, so the broadcasts reach both.
  ASSERT_EQ(page.read(), "hello");
  ASSERT_EQ(tool.read(), "hello");
  for (int i = 1; i <= 3; ++i) server.broadcast("update " + std::to_string(i));
  for (WsClient *client : {&page, &tool}) {
    EXPECT_EQ(client->read(), "update 1");
    EXPECT_EQ(client->read(), "update 2");
    EXPECT_EQ(client->read(), "update 3");
  }
  EXPECT_EQ(server.handled(), 0) << "upgrades are not requests for the handler";
}

TEST(HttpServer, WebSocketOnlyAtWs) {
  ServerThread server;
  ASSERT_EQ(server.listen_error(), "");
  Client client(server.port());
  Request r = request(http::verb::get, "/other", server);
  r.set(http::field::connection, "Upgrade");
  r.set(http::field::upgrade, "websocket");
  r.set(http::field::sec_websocket_version, "13");
  r.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  ASSERT_FALSE(client.send(r));
  Response response;
  ASSERT_FALSE(client.receive(response));
  EXPECT_EQ(response.result(), http::status::not_found);
}

TEST(HttpServer, BodyOverOneMiBDropsTheConnectionAndTheServerGoesOn) {
  ServerThread server;
  ASSERT_EQ(server.listen_error(), "");
  // Exactly the limit is accepted.
  Reply at_limit = round_trip(server, request(http::verb::post, "/swarm", server, std::string(kBodyLimit, 'a')));
  ASSERT_FALSE(at_limit.ec) << at_limit.ec.message();
  EXPECT_EQ(at_limit.response.result(), http::status::ok);
  EXPECT_EQ(at_limit.response.body(), "POST /swarm " + std::to_string(kBodyLimit));

  // One byte more: no answer (the write itself may fail once the server
  // has closed), and the handler never sees it.
  Reply over = round_trip(server, request(http::verb::post, "/swarm", server, std::string(kBodyLimit + 1, 'a')));
  EXPECT_TRUE(over.ec) << "answered " << over.response.result_int();
  EXPECT_NE(over.ec, beast::error::timeout) << "the server must drop the connection, not leave it hanging";
  EXPECT_EQ(server.handled(), 1);

  Reply next = round_trip(server, request(http::verb::get, "/", server));
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.response.result(), http::status::ok);
  EXPECT_EQ(server.handled(), 2);
}

TEST(HttpServer, KeepAliveServesRequestsInOrderAndHeadHasNoBody) {
  ServerThread server;
  ASSERT_EQ(server.listen_error(), "");
  Client client(server.port());
  ASSERT_FALSE(client.connect_error());
  // HEAD: the headers of a GET, no body; then the same connection must
  // carry the next answer intact.
  ASSERT_FALSE(client.send(request(http::verb::head, "/page", server)));
  Response head;
  ASSERT_FALSE(client.receive(head, true));
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_EQ(head[http::field::content_length], "12") << "the length of the body the handler made";
  ASSERT_FALSE(client.send(request(http::verb::get, "/next", server)));
  Response next;
  beast::error_code ec = client.receive(next);
  ASSERT_FALSE(ec) << ec.message() << ": HEAD's answer must not carry a body into the next one";
  EXPECT_EQ(next.result(), http::status::ok);
  EXPECT_EQ(next.body(), "GET /next 0");
}

TEST(HttpServer, ListenOnATakenPortNamesTheAddressAndPort) {
  asio::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));  // listens
  const unsigned short port = taken.local_endpoint().port();
  ServerConfig config;
  config.port = port;
  HttpServer server(io, config, nullptr, nullptr);
  const std::string error = server.listen();
  EXPECT_NE(error.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << error;
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

TEST(HttpServer, ListenOnANameSaysItIsNotAnAddress) {
  asio::io_context io;
  ServerConfig config;
  config.address = "my-laptop";
  HttpServer server(io, config, nullptr, nullptr);
  const std::string error = server.listen();
  EXPECT_NE(error.find("'my-laptop'"), std::string::npos) << error;
  EXPECT_NE(error.find("not an IP address"), std::string::npos) << error;
}

TEST(HttpServer, PortZeroGivesTheRealPortInTheUrl) {
  ServerThread first, second;
  ASSERT_EQ(first.listen_error(), "");
  ASSERT_EQ(second.listen_error(), "");
  ASSERT_NE(first.port(), 0);
  EXPECT_NE(first.port(), second.port());
  EXPECT_EQ(first.url(), "http://127.0.0.1:" + std::to_string(first.port()) + "/");
  // The port in the URL is the one that answers.
  const std::string url = first.url();
  const unsigned short port = static_cast<unsigned short>(std::stoi(url.substr(url.rfind(':') + 1)));
  Client client(port);
  ASSERT_FALSE(client.connect_error()) << client.connect_error().message();
  ASSERT_FALSE(client.send(request(http::verb::get, "/", first)));
  Response response;
  ASSERT_FALSE(client.receive(response));
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(first.handled(), 1);
}

}  // namespace
}  // namespace loadhost::web
