#include "hosts/loadhost/web/http_server.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>

#include <deque>

namespace loadhost::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kBodyLimit = 1 << 20;
constexpr auto kRequestTimeout = std::chrono::seconds(30);
// Frames a WebSocket client may have unsent before it is dropped: a minute
// of once-a-second updates.
constexpr std::size_t kMaxQueuedFrames = 64;

std::string base64(std::string_view text) {
  std::string out(beast::detail::base64::encoded_size(text.size()), '\0');
  out.resize(beast::detail::base64::encode(out.data(), text.data(), text.size()));
  return out;
}

// Why a certificate or key file was refused: unreadable, or what OpenSSL
// says of its content (asio's own message is only "asio.ssl error").
std::string pem_problem(const std::string &path, const beast::error_code &ec) {
  if (FILE *f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return std::strerror(errno);
  }
  const char *reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
  return reason ? reason : ec.message();
}

Response plain(http::status status, const Request &request, std::string body) {
  Response res{status, request.version()};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = std::move(body);
  return res;
}

}  // namespace

bool loopback_host(std::string_view host) {
  if (host.starts_with("[")) return host.starts_with("[::1]");
  std::string_view name = host.substr(0, host.find(':'));
  return name == "localhost" || name.starts_with("127.");
}

bool changes_state(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  return path == "/swarm" || path == "/stop" || path == "/stats/reset";
}

// One WebSocket client; the stream type (plain or TLS) is hidden behind it.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  virtual void close() = 0;
};

namespace {

template <class Stream>
class WebSocketSessionOn : public WebSocketSession,
                           public std::enable_shared_from_this<WebSocketSessionOn<Stream>> {
 public:
  WebSocketSessionOn(HttpServer &server, Stream &&stream) : server_(server), ws_(std::move(stream)) {}

  void accept(Request request, const HttpServer::OnSubscribe &on_subscribe) {
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts from here
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type &res) { res.set(http::field::server, "loadhost"); }));
    ws_.text(true);
    auto self = this->shared_from_this();
    ws_.async_accept(request, [self, on_subscribe](beast::error_code ec) {
      if (ec) return;
      self->server_.subscribe(self);
      on_subscribe([&self](std::string text) { self->send(std::make_shared<const std::string>(std::move(text))); });
      self->read();
    });
  }

  void send(std::shared_ptr<const std::string> frame) override {
    if (closed_) return;
    if (queue_.size() >= kMaxQueuedFrames) {
      close();
      return;
    }
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) write_next();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    server_.unsubscribe(this);
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  // The page sends nothing we act on; reading keeps pings and the close
  // handshake going, and tells us when the client left.
  void read() {
    auto self = this->shared_from_this();
    ws_.async_read(incoming_, [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      self->incoming_.consume(self->incoming_.size());
      self->read();
    });
  }

  void write_next() {
    auto self = this->shared_from_this();
    ws_.async_write(asio::buffer(*queue_.front()), [self](beast::error_code ec, std::size_t) {
      if (ec) {
        self->close();
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write_next();
    });
  }

  HttpServer &server_;
  websocket::stream<Stream> ws_;
  beast::flat_buffer incoming_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool closed_ = false;
};

// One HTTP connection: requests in order, keep-alive, and the upgrade of
// /ws to a WebSocket session.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(HttpServer &server, HttpServer::OnSubscribe on_subscribe, Stream &&stream)
      : server_(server), on_subscribe_(std::move(on_subscribe)), stream_(std::move(stream)) {}

  void run() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read();
                              });
    } else {
      read();
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return;  // closed, timed out or malformed: drop the connection
    Request request = parser_->release();
    std::optional<Response> refusal = server_.refuse(request);
    if (!refusal && websocket::is_upgrade(request)) {
      if (request.target() == "/ws") {
        auto ws = std::make_shared<WebSocketSessionOn<Stream>>(server_, std::move(stream_));
        ws->accept(std::move(request), on_subscribe_);
        return;
      }
      refusal = plain(http::status::not_found, request, "no WebSocket here; the stats stream is /ws\n");
    }
    Response response = refusal ? std::move(*refusal) : server_.answer(request);
    response.set(http::field::server, "loadhost");
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    // HEAD: a GET's headers, Content-Length included, and no body, or the
    // client reads the body as the start of the next answer.
    if (request.method() == http::verb::head) response.body().clear();
    write(std::make_shared<Response>(std::move(response)));
  }

  void write(std::shared_ptr<Response> response) {
    http::async_write(stream_, *response,
                      [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (response->keep_alive()) {
                          self->read();
                        } else {
                          beast::error_code ignored;
                          beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_send,
                                                                                   ignored);
                        }
                      });
  }

  HttpServer &server_;
  HttpServer::OnSubscribe on_subscribe_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

HttpServer::HttpServer(asio::io_context &io, ServerConfig config, Handler handler, OnSubscribe on_subscribe)
    : io_(io),
      config_(std::move(config)),
      handler_(std::move(handler)),
      on_subscribe_(std::move(on_subscribe)),
      acceptor_(io) {
  if (!config_.basic_auth.empty()) expected_authorization_ = "Basic " + base64(config_.basic_auth);
  loopback_only_ = config_.address.starts_with("127.") || config_.address == "::1";
}

HttpServer::~HttpServer() { close(); }

std::string HttpServer::listen() {
  if (!config_.tls_cert_file.empty() || !config_.tls_key_file.empty()) {
    if (config_.tls_cert_file.empty() || config_.tls_key_file.empty())
      return "--tls-cert and --tls-key go together: give both for HTTPS, or neither";
    tls_.emplace(asio::ssl::context::tls_server);
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->use_certificate_chain_file(config_.tls_cert_file, ec);
    if (ec) return fmt::format("--tls-cert '{}': {} (expected a PEM certificate)", config_.tls_cert_file, pem_problem(config_.tls_cert_file, ec));
    tls_->use_private_key_file(config_.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return fmt::format("--tls-key '{}': {} (expected the certificate's PEM private key)", config_.tls_key_file, pem_problem(config_.tls_key_file, ec));
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(config_.address, ec);
  if (ec) return fmt::format("--web-host '{}' is not an IP address", config_.address);
  tcp::endpoint endpoint{address, config_.port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close();
    return fmt::format("web UI: cannot listen on {}:{}: {}", config_.address, config_.port, ec.message());
  }
  accept();
  return "";
}

unsigned short HttpServer::port() const {
  beast::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::string HttpServer::url() const {
  beast::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                : endpoint.address().to_string();
  return fmt::format("{}://{}:{}/", tls_ ? "https" : "http", host, endpoint.port());
}

void HttpServer::accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      if (tls_) {
        std::make_shared<HttpSession<beast::ssl_stream<beast::tcp_stream>>>(
            *this, on_subscribe_, beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls_))
            ->run();
      } else {
        std::make_shared<HttpSession<beast::tcp_stream>>(*this, on_subscribe_, beast::tcp_stream(std::move(socket)))
            ->run();
      }
    }
    accept();
  });
}

std::optional<Response> HttpServer::refuse(const Request &request) const {
  if (!expected_authorization_.empty()) {
    auto given = request[http::field::authorization];
    bool ok = given.size() == expected_authorization_.size() &&
              CRYPTO_memcmp(given.data(), expected_authorization_.data(), given.size()) == 0;
    if (!ok) {
      Response res = plain(http::status::unauthorized, request, "authentication required (--web-auth)\n");
      res.set(http::field::www_authenticate, "Basic realm=\"loadhost\", charset=\"UTF-8\"");
      return res;
    }
  }
  // DNS rebinding: a page on evil.example whose name now resolves to
  // 127.0.0.1 sends "Host: evil.example". A server bound to loopback only
  // answers the names loopback has.
  if (loopback_only_ && !loopback_host(request[http::field::host]))
    return plain(http::status::forbidden, request,
                 fmt::format("request for host '{}' refused: this web UI answers only loopback names\n",
                             std::string_view(request[http::field::host])));
  if (changes_state(request.target()) || websocket::is_upgrade(request)) {
    // A cross-site <img src=".../stop"> sends no Origin, but a browser
    // always says where a request comes from in Sec-Fetch-Site.
    auto site = request["Sec-Fetch-Site"];
    if (!site.empty() && site != "same-origin" && site != "none")
      return plain(http::status::forbidden, request,
                   fmt::format("cross-site request refused (Sec-Fetch-Site: {})\n", std::string_view(site)));
    auto origin = request[http::field::origin];
    if (!origin.empty()) {
      std::string self = fmt::format("{}://{}", tls_ ? "https" : "http", std::string_view(request[http::field::host]));
      if (origin != self)
        return plain(http::status::forbidden, request,
                     fmt::format("cross-origin request refused: origin {} is not {}\n", std::string_view(origin), self));
    }
  }
  return std::nullopt;
}

void HttpServer::subscribe(const std::shared_ptr<WebSocketSession> &session) { subscribers_.insert(session); }

void HttpServer::unsubscribe(WebSocketSession *session) {
  for (auto it = subscribers_.begin(); it != subscribers_.end(); ++it) {
    if (it->get() == session) {
      subscribers_.erase(it);  // the session may be gone after this
      return;
    }
  }
}

void HttpServer::broadcast(std::string text) {
  auto frame = std::make_shared<const std::string>(std::move(text));
  // Copy: a send that fails unsubscribes its session.
  auto sessions = subscribers_;
  for (const auto &s : sessions) s->send(frame);
}

void HttpServer::close() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  auto sessions = std::move(subscribers_);
  subscribers_.clear();
  for (const auto &s : sessions) s->close();
}

}  // namespace loadhost::web
