// Connection: the host-owned TCP/TLS transport behind lh_host.conn_*.
//
// One object per connection, on its loop thread. Reads run continuously into
// a fixed buffer handed to the plugin's on_data; writes are copied into a
// pending buffer and flushed one async_write at a time (double buffering, so a
// plugin may write while a write is in flight). The object is freed when it is
// closed and no Asio handler of its own is still queued.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/engine/abi_objects.hpp"

namespace loadhost::core {

class Loop;

// Links a connection into its thread's list of connections still connecting.
using ConnectingHook =
    boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class Connection : public lh_conn, public ConnectingHook {
 public:
  static Connection &from(lh_conn *c) { return *static_cast<Connection *>(c); }

  // [loop-thread] Fails every connection of this loop thread that is still
  // connecting (TCP or TLS), with "connect to H:P: <why>": at a stop that
  // kills the users, a connect in flight is a failure now, not a wait for a
  // SYN that may never be answered.
  static void fail_connecting(std::string_view why);

  // Starts resolving/connecting; callbacks come later, on the loop.
  static Connection *open(Loop &loop, const lh_conn_options &options,
                          const lh_conn_callbacks &callbacks, void *ud);

  void write(const uint8_t *data, size_t size);
  void close();  // no callback after this returns

 private:
  Connection(Loop &loop, const lh_conn_callbacks &callbacks, void *ud);
  void start(const lh_conn_options &options);
  void connect(const boost::asio::ip::tcp::resolver::results_type &endpoints);
  void try_endpoint(boost::asio::ip::tcp::resolver::results_type::const_iterator it,
                    boost::system::error_code last);
  void fail_connect_later(std::string message);
  void on_tcp_connected();
  void on_ready();
  void fail_connect(std::string message);
  void read_more();
  void flush();
  void lose(const boost::system::error_code &ec);  // peer closed or error
  bool done_with_handler();  // true when closed: the handler must return
  void maybe_free();

  Loop &loop_;
  lh_conn_callbacks callbacks_;
  void *ud_;
  std::string host_;
  uint16_t port_ = 0;
  bool tls_ = false;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;  // tried in turn
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket &>> ssl_;
  boost::asio::steady_timer connect_timer_;
  bool connected_ = false;
  bool closed_ = false;
  bool writing_ = false;
  bool dispatching_ = false;  // inside a plugin callback: do not free yet
  uint32_t queued_ = 0;  // Asio handlers of ours still queued
  std::string pending_;  // bytes the plugin wrote, not yet sent
  std::string sending_;  // bytes of the async_write in flight
  // Made when the connection is up: a user still connecting (or retrying a
  // refused connect) then costs a few hundred bytes, not 64 KiB.
  using ReadBuffer = std::array<uint8_t, 64 * 1024>;
  std::unique_ptr<ReadBuffer> read_buffer_;
};

}  // namespace loadhost::core
