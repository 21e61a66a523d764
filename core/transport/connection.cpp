#include "core/transport/connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/engine/loop.hpp"

namespace loadhost::core {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr uint64_t kDefaultConnectTimeoutUs = 10'000'000;

// One context for each verification mode, shared by every connection of the
// process (an SSL_CTX may be used by many SSL objects on many threads).
asio::ssl::context &tls_context(bool verify) {
  static asio::ssl::context verifying = [] {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
  }();
  static asio::ssl::context trusting = [] {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_none);
    return ctx;
  }();
  return verify ? verifying : trusting;
}

std::string describe(const boost::system::error_code &ec) {
  if (ec == boost::system::errc::too_many_files_open || ec == boost::system::errc::too_many_files_open_in_system)
    return "too many open files (the open-file limit, ulimit -n, is reached: lower -u or raise the limit)";
  std::string text = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) text = "TLS: " + text;
  return text;
}

// The connections of this loop thread still connecting. Each loop is one
// thread and a connection lives on its loop, so no lock is needed.
using ConnectingList =
    boost::intrusive::list<Connection, boost::intrusive::base_hook<ConnectingHook>,
                           boost::intrusive::constant_time_size<false>>;
thread_local ConnectingList t_connecting;

}  // namespace

void Connection::fail_connecting(std::string_view why) {
  while (!t_connecting.empty()) {
    Connection &c = t_connecting.front();
    c.ConnectingHook::unlink();
    c.fail_connect(fmt::format("connect to {}:{}: {}", c.host_, c.port_, why));
  }
}

Connection::Connection(Loop &loop, const lh_conn_callbacks &callbacks, void *ud)
    : loop_(loop),
      callbacks_(callbacks),
      ud_(ud),
      resolver_(loop.io()),
      socket_(loop.io()),
      connect_timer_(loop.io()) {}

Connection *Connection::open(Loop &loop, const lh_conn_options &options,
                             const lh_conn_callbacks &callbacks, void *ud) {
  auto *conn = new Connection(loop, callbacks, ud);
  conn->start(options);
  return conn;
}

// Every handler of ours starts with this: the handler is no longer queued;
// if the connection was closed meanwhile, the last handler frees it.
bool Connection::done_with_handler() {
  --queued_;
  if (!closed_) return false;
  if (queued_ == 0 && !dispatching_) delete this;
  return true;
}

void Connection::maybe_free() {
  if (closed_ && queued_ == 0 && !dispatching_) delete this;
}

void Connection::start(const lh_conn_options &options) {
  t_connecting.push_back(*this);
  host_.assign(to_view(options.host));
  port_ = options.port;
  tls_ = options.tls;
  if (tls_) {
    ssl_.emplace(socket_, tls_context(options.tls_verify));
    SSL *ssl = ssl_->native_handle();
    std::string sni(options.tls_sni.data ? to_view(options.tls_sni) : std::string_view(host_));
    boost::system::error_code not_ip;
    asio::ip::make_address(sni, not_ip);
    bool is_ip = !not_ip;
    if (!is_ip) SSL_set_tlsext_host_name(ssl, sni.c_str());
    if (options.tls_verify) {
      if (is_ip)
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), sni.c_str());
      else
        SSL_set1_host(ssl, sni.c_str());
    }
    if (options.alpn.data && options.alpn.size)
      SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char *>(options.alpn.data),
                          unsigned(options.alpn.size));
  }

  uint64_t timeout_us = options.connect_timeout_us ? options.connect_timeout_us
                                                   : kDefaultConnectTimeoutUs;
  connect_timer_.expires_after(std::chrono::microseconds(timeout_us));
  ++queued_;
  connect_timer_.async_wait([this, timeout_us](boost::system::error_code ec) {
    if (done_with_handler() || ec || connected_) return;
    fail_connect(fmt::format("connect to {}:{}: timed out after {:g} s", host_, port_,
                             double(timeout_us) / 1e6));
  });

  boost::system::error_code ec;
  auto address = asio::ip::make_address(host_, ec);
  if (!ec) {
    // A literal address needs no resolver (and no resolver thread).
    tcp::resolver::results_type endpoints =
        tcp::resolver::results_type::create(tcp::endpoint(address, port_), host_,
                                            std::to_string(port_));
    connect(endpoints);
    return;
  }
  ++queued_;
  resolver_.async_resolve(host_, std::to_string(port_),
                          [this](boost::system::error_code rec, tcp::resolver::results_type r) {
                            if (done_with_handler()) return;
                            if (rec) {
                              fail_connect(fmt::format("resolve {}: {}", host_, describe(rec)));
                              return;
                            }
                            connect(r);
                          });
}

void Connection::connect(const tcp::resolver::results_type &endpoints) {
  endpoints_ = endpoints;
  try_endpoint(endpoints_.begin(), {});
}

// Each address in turn, as asio::async_connect would, but opening the
// socket here: async_connect reported a failed socket() (EMFILE) as
// "Operation canceled", hiding the one failure a user can fix.
void Connection::try_endpoint(tcp::resolver::results_type::const_iterator it, boost::system::error_code last) {
  if (it == endpoints_.end()) {
    fail_connect_later(fmt::format("connect to {}:{}: {}", host_, port_, describe(last)));
    return;
  }
  boost::system::error_code ec;
  socket_.close(ec);
  socket_.open(it->endpoint().protocol(), ec);
  if (ec) {  // no descriptor: the next address would not get one either
    fail_connect_later(fmt::format("connect to {}:{}: {}", host_, port_, describe(ec)));
    return;
  }
  ++queued_;
  socket_.async_connect(it->endpoint(), [this, it](boost::system::error_code cec) {
    if (done_with_handler()) return;
    if (cec) {
      try_endpoint(std::next(it), cec);
      return;
    }
    on_tcp_connected();
  });
}

void Connection::fail_connect_later(std::string message) {
  // From a fresh stack: this may run inside conn_open, where the ABI
  // promises no callback.
  ++queued_;
  asio::post(loop_.io(), [this, message = std::move(message)]() mutable {
    if (done_with_handler()) return;
    fail_connect(std::move(message));
  });
}

void Connection::on_tcp_connected() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (!tls_) {
    on_ready();
    return;
  }
  ++queued_;
  ssl_->async_handshake(asio::ssl::stream_base::client, [this](boost::system::error_code ec) {
    if (done_with_handler()) return;
    if (ec) {
      // "certificate verify failed" alone does not say whether the issuer is
      // untrusted or the name is wrong: add OpenSSL's verdict. (Unverified
      // connections get a verdict too, but it did not fail the handshake.)
      std::string why = describe(ec);
      SSL *ssl = ssl_->native_handle();
      long verdict = SSL_get_verify_result(ssl);
      if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) && verdict != X509_V_OK)
        why += fmt::format(" ({})", X509_verify_cert_error_string(verdict));
      fail_connect(fmt::format("TLS handshake with {}:{}: {}", host_, port_, why));
      return;
    }
    on_ready();
  });
}

void Connection::on_ready() {
  ConnectingHook::unlink();
  connected_ = true;
  connect_timer_.cancel();
  lh_str alpn = kAbsent;
  if (tls_) {
    const unsigned char *proto = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(ssl_->native_handle(), &proto, &len);
    if (proto) alpn = lh_str{reinterpret_cast<const char *>(proto), len};
  }
  dispatching_ = true;
  callbacks_.on_connected(ud_, this, alpn, kAbsent);
  dispatching_ = false;
  if (closed_) {
    maybe_free();
    return;
  }
  flush();
  read_more();
}

void Connection::fail_connect(std::string message) {
  ConnectingHook::unlink();
  closed_ = true;
  connect_timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  dispatching_ = true;
  callbacks_.on_connected(ud_, this, kAbsent, to_lh(message));
  dispatching_ = false;
  maybe_free();
}

void Connection::read_more() {
  if (!read_buffer_) read_buffer_ = std::make_unique<ReadBuffer>();
  ++queued_;
  auto handler = [this](boost::system::error_code ec, size_t n) {
    if (done_with_handler()) return;
    if (ec) {
      lose(ec);
      return;
    }
    dispatching_ = true;
    callbacks_.on_data(ud_, read_buffer_->data(), n);
    dispatching_ = false;
    if (closed_) {
      maybe_free();
      return;
    }
    read_more();
  };
  if (tls_)
    ssl_->async_read_some(asio::buffer(*read_buffer_), std::move(handler));
  else
    socket_.async_read_some(asio::buffer(*read_buffer_), std::move(handler));
}

void Connection::write(const uint8_t *data, size_t size) {
  if (closed_) return;
  pending_.append(reinterpret_cast<const char *>(data), size);
  if (connected_ && !writing_) flush();
}

void Connection::flush() {
  if (writing_ || pending_.empty()) return;
  sending_.swap(pending_);
  pending_.clear();
  writing_ = true;
  ++queued_;
  auto handler = [this](boost::system::error_code ec, size_t) {
    writing_ = false;
    if (done_with_handler()) return;
    if (ec) {
      lose(ec);
      return;
    }
    sending_.clear();
    flush();
  };
  if (tls_)
    asio::async_write(*ssl_, asio::buffer(sending_), std::move(handler));
  else
    asio::async_write(socket_, asio::buffer(sending_), std::move(handler));
}

void Connection::lose(const boost::system::error_code &ec) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  bool clean = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  std::string message = clean ? std::string() : describe(ec);
  dispatching_ = true;
  callbacks_.on_closed(ud_, clean ? kAbsent : to_lh(message));
  dispatching_ = false;
  maybe_free();
}

void Connection::close() {
  if (closed_) return;
  ConnectingHook::unlink();
  closed_ = true;
  connect_timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  maybe_free();
}

}  // namespace loadhost::core
