// ZmqChannel: one ZeroMQ socket driven by the control thread's io_context —
// a ROUTER on the master (one peer per worker, addressed by its identity),
// a DEALER on a worker (its identity is its node id), as Locust's rpc/zmqrpc.
//
// Why on the io_context and not a thread of its own: every message touches
// the runner's state (workers, stats), which lives on the control thread;
// reading the socket there needs no lock and no hop. ZeroMQ's ZMQ_FD is
// edge-triggered, so after every wake and every send the socket is drained
// until ZMQ_EVENTS says nothing is left.
//
// Liveness below the protocol: ZMTP heartbeats (1 s, 3 s timeout) close a
// connection whose peer vanished, even without a FIN; a worker's channel
// reports that (on_link) through ZeroMQ's socket monitor.
//
// Thread: control thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <zmq.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace loadhost::distributed {

class ZmqChannel {
 public:
  enum class Role { router, dealer };

  ZmqChannel(boost::asio::io_context &io, Role role);
  ~ZmqChannel();
  ZmqChannel(const ZmqChannel &) = delete;
  ZmqChannel &operator=(const ZmqChannel &) = delete;

  // Optional CURVE encryption and authentication, before bind/connect.
  // Server (master): its secret key. Client (worker): the server's public
  // key; the client's own key pair is made up per connection.
  std::string use_curve_server(const std::string &secret_z85);
  std::string use_curve_client(const std::string &server_public_z85);

  // ROUTER: "" or why not (e.g. the port is taken). Port 0 picks a free one.
  std::string bind(const std::string &host, uint16_t port);
  uint16_t bound_port() const { return bound_port_; }
  // DEALER: connects (ZeroMQ keeps reconnecting in the background).
  std::string connect(const std::string &host, uint16_t port, const std::string &identity);

  // ROUTER: to the peer with this identity; false if it is not connected.
  // DEALER: `peer` is ignored. Never blocks: false when the queue is full.
  bool send(std::string_view peer, std::string_view payload);

  // [control-thread] Each message received: the sender's identity (ROUTER;
  // "" on a DEALER), its payload, and the number of frames it had after the
  // identity (Locust sends 1; anything else is garbage).
  std::function<void(std::string_view peer, std::string_view payload, size_t frames)> on_receive;
  // [control-thread] DEALER: the connection to the master came up (true) or
  // went down (false).
  std::function<void(bool up)> on_link;

  void close();

 private:
  class LinkMonitor;
  void arm_wait();
  void drain();
  void poll_monitor();

  boost::asio::io_context &io_;
  Role role_;
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> fd_;
  std::unique_ptr<LinkMonitor> monitor_;
  boost::asio::steady_timer monitor_timer_{io_};
  uint16_t bound_port_ = 0;
  bool draining_ = false;
  bool closed_ = false;
};

}  // namespace loadhost::distributed
