#include "core/distributed/zmq_channel.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <vector>

namespace loadhost::distributed {

namespace asio = boost::asio;

namespace {
constexpr int kHeartbeatMs = 1000;          // ZMTP ping every second
constexpr int kHeartbeatTimeoutMs = 3000;   // no pong in 3 s: the link is dead
constexpr int64_t kMaxMessageBytes = int64_t{256} << 20;  // a garbage length cannot eat the memory
constexpr auto kMonitorInterval = std::chrono::milliseconds(100);

std::string endpoint(const std::string &host, uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return v6 ? fmt::format("tcp://[{}]:{}", host, port) : fmt::format("tcp://{}:{}", host, port);
}
}  // namespace

// The connected/disconnected events of a worker's link to its master.
class ZmqChannel::LinkMonitor : public zmq::monitor_t {
 public:
  explicit LinkMonitor(std::function<void(bool)> &on_link) : on_link_(on_link) {}
  void on_event_connected(const zmq_event_t &, const char *) override {
    if (on_link_) on_link_(true);
  }
  void on_event_disconnected(const zmq_event_t &, const char *) override {
    if (on_link_) on_link_(false);
  }

 private:
  std::function<void(bool)> &on_link_;
};

ZmqChannel::ZmqChannel(asio::io_context &io, Role role)
    : io_(io), role_(role), socket_(context_, role == Role::router ? zmq::socket_type::router : zmq::socket_type::dealer) {
  // As Locust's BaseSocket, plus ZMTP heartbeats and a bounded message size.
  socket_.set(zmq::sockopt::tcp_keepalive, 1);
  socket_.set(zmq::sockopt::tcp_keepalive_idle, 30);
  socket_.set(zmq::sockopt::heartbeat_ivl, kHeartbeatMs);
  socket_.set(zmq::sockopt::heartbeat_timeout, kHeartbeatTimeoutMs);
  socket_.set(zmq::sockopt::maxmsgsize, kMaxMessageBytes);
  socket_.set(zmq::sockopt::linger, 1000);  // a last report or quit still leaves on close
  if (role == Role::router) socket_.set(zmq::sockopt::router_mandatory, 1);
  else socket_.set(zmq::sockopt::reconnect_ivl, 200);
}

ZmqChannel::~ZmqChannel() { close(); }

std::string ZmqChannel::use_curve_server(const std::string &secret_z85) {
  try {
    socket_.set(zmq::sockopt::curve_server, 1);
    socket_.set(zmq::sockopt::curve_secretkey, secret_z85);
  } catch (const zmq::error_t &e) {
    return fmt::format("CURVE needs libzmq with libsodium: {}", e.what());
  }
  return "";
}

std::string ZmqChannel::use_curve_client(const std::string &server_public_z85) {
  char pub[41], sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) return fmt::format("CURVE is not available: {}", zmq_strerror(zmq_errno()));
  try {
    socket_.set(zmq::sockopt::curve_serverkey, server_public_z85);
    socket_.set(zmq::sockopt::curve_publickey, std::string(pub));
    socket_.set(zmq::sockopt::curve_secretkey, std::string(sec));
  } catch (const zmq::error_t &e) {
    return fmt::format("CURVE: {}", e.what());
  }
  return "";
}

std::string ZmqChannel::bind(const std::string &host, uint16_t port) {
  try {
    socket_.bind(endpoint(host == "*" ? "0.0.0.0" : host, port));
    std::string last = socket_.get(zmq::sockopt::last_endpoint);
    bound_port_ = uint16_t(std::stoi(last.substr(last.rfind(':') + 1)));
  } catch (const zmq::error_t &e) {
    return fmt::format("cannot listen on {}: {}", endpoint(host, port), e.what());
  }
  arm_wait();
  return "";
}

std::string ZmqChannel::connect(const std::string &host, uint16_t port, const std::string &identity) {
  try {
    socket_.set(zmq::sockopt::routing_id, identity);
    monitor_ = std::make_unique<LinkMonitor>(on_link);
    monitor_->init(socket_, fmt::format("inproc://link-{}", static_cast<void *>(this)),
                   ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
    socket_.connect(endpoint(host, port));
  } catch (const zmq::error_t &e) {
    return fmt::format("cannot connect to {}: {}", endpoint(host, port), e.what());
  }
  arm_wait();
  poll_monitor();
  return "";
}

bool ZmqChannel::send(std::string_view peer, std::string_view payload) {
  if (closed_) return false;
  bool ok = true;
  try {
    if (role_ == Role::router) {
      ok = socket_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait).has_value();
      if (ok) ok = socket_.send(zmq::buffer(payload), zmq::send_flags::dontwait).has_value();
    } else {
      ok = socket_.send(zmq::buffer(payload), zmq::send_flags::dontwait).has_value();
    }
  } catch (const zmq::error_t &) {
    ok = false;  // EHOSTUNREACH: that worker is gone
  }
  // A send may swallow the edge of ZMQ_FD: look at the socket again.
  if (!draining_) asio::post(io_, [this] { drain(); });
  return ok;
}

void ZmqChannel::arm_wait() {
  if (!fd_) {
    int fd = ::dup(socket_.get(zmq::sockopt::fd));  // the descriptor stays ZeroMQ's
    fd_ = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
  }
  fd_->async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
    if (ec || closed_) return;
    drain();
    arm_wait();
  });
}

void ZmqChannel::drain() {
  if (closed_ || draining_) return;
  draining_ = true;
  std::vector<zmq::message_t> frames;
  try {
    while (!closed_ && (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN)) {
      frames.clear();
      do {
        frames.emplace_back();
        if (!socket_.recv(frames.back(), zmq::recv_flags::dontwait)) {
          frames.pop_back();
          break;
        }
      } while (frames.back().more());
      if (frames.empty()) break;
      size_t first = role_ == Role::router ? 1 : 0;
      std::string_view peer = first ? frames[0].to_string_view() : std::string_view();
      std::string_view payload = frames.size() > first ? frames[first].to_string_view() : std::string_view();
      if (on_receive) on_receive(peer, payload, frames.size() - first);
    }
  } catch (const zmq::error_t &) {
    // ETERM while closing: nothing more to read.
  }
  draining_ = false;
}

void ZmqChannel::poll_monitor() {
  if (!monitor_ || closed_) return;
  try {
    while (monitor_->check_event(0)) {
    }
  } catch (const zmq::error_t &) {
    return;
  }
  monitor_timer_.expires_after(kMonitorInterval);
  monitor_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) poll_monitor();
  });
}

void ZmqChannel::close() {
  if (closed_) return;
  closed_ = true;
  monitor_timer_.cancel();
  if (fd_) {
    fd_->cancel();
    fd_->close();
    fd_.reset();
  }
  monitor_.reset();
  socket_.close();
  context_.close();
}

}  // namespace loadhost::distributed
