// One user's WebSocket session: at most one connection (host transport,
// websocketpp's protocol engine on top), the calls waiting on it, and the
// messages that arrived with nobody waiting.
//
// Operations (lh_request.operation; the target is only the stats name,
// except for connect):
//   connect  target = path or ws(s):// URL; handshake headers and
//            subprotocols from metadata. Completes on the 101 (status 101).
//            Connecting again first drops the current connection.
//   send     the body as one text/binary message; completes once written.
//   receive  the next message: a queued one at once, else the next to arrive.
//   request  send, then the next message that arrives after it (the round
//            trip). Queued messages stay for receive.
//   ping     completes on the pong.
//   close    close handshake (metadata code, body = reason); completes when
//            the server has answered and the connection is down.
// The peer closing or dropping the connection fails every waiting call with
// "websocket: connection closed by peer (code N)"; later calls fail with
// "websocket: not connected: ..." until the next connect.
//
// Everything runs on the session's loop thread. Results decided inside
// call_start are delivered from a zero-delay timer, because the host keeps
// only the status and error of a call completed inside call_start.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loadhost/protocol.h"
#include "message_queue.hpp"
#include "ws_config.hpp"
#include "ws_url.hpp"

namespace loadhost::websocket {

struct SessionSettings {
  std::string base_url;
  bool tls_verify = true;       // run option "insecure" turns it off
  size_t queue_size = 1000;     // "queue-size": messages kept for a later receive
  bool report_messages = false; // "report-messages": unawaited ones as "ws-message" events
};

class Session {
 public:
  // Reads the base URL and options (session options win over run options).
  static std::unique_ptr<Session> create(const lh_host *host, const lh_session_config &config, std::string &error);
  ~Session();  // drops the connection; no callback runs afterwards
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  // lh_protocol.call_start / call_cancel.
  void start(lh_call *call, const lh_request &request);
  void cancel(lh_call *call);
  // After an exception at the ABI edge: fails `call` with `text` (static).
  void abort(lh_call *call, const char *text) noexcept;

 private:
  enum class State { closed, connecting, open, closing };
  enum class Kind { connect, send, receive, request, ping, close };

  // A call answered inside call_start, delivered by the timer.
  struct Ready {
    lh_call *call;
    int64_t status = 0;
    std::string error;  // empty = success
    std::optional<ReceivedMessage> message;  // for a receive
    uint64_t bytes_sent = 0;
  };

  Session(const lh_host *host, lh_loop *loop, SessionSettings settings);

  // Host transport callbacks.
  static void on_connected_cb(void *ud, lh_conn *conn, lh_str alpn, lh_str error);
  static void on_data_cb(void *ud, const uint8_t *data, size_t size);
  static void on_closed_cb(void *ud, lh_str error);
  static const lh_conn_callbacks kCallbacks;
  static void on_deliver_timer(void *ud);

  void start_connect(lh_call *call, const lh_request &request);
  void start_send(lh_call *call, const lh_request &request, Kind kind);
  void start_ping(lh_call *call, const lh_request &request);
  void start_close(lh_call *call, const lh_request &request);

  // websocketpp handlers (for the connection of generation `gen` only).
  void install_handlers(uint64_t gen);
  void on_ws_open();
  void on_ws_fail();
  void on_ws_close();
  void on_ws_message(WsMessage message);
  void on_ws_pong();
  void write_bytes(const char *data, size_t size);

  // Drops the connection without a close handshake (reconnect, destroy).
  void abandon_connection();
  // The connection ended: fail every waiting call with `why`.
  void connection_ended(const std::string &why);
  void fail_waiting(const std::string &why);

  void complete(lh_call *call, int64_t status, const std::string &error, const ReceivedMessage *message,
                uint64_t bytes_sent, bool with_opcode,
                uint32_t flags = 0);
  void deliver_later(Ready ready);
  std::string not_connected() const;

  const lh_host *host_;
  lh_loop *loop_;
  SessionSettings settings_;
  lh_timer *deliver_timer_ = nullptr;
  std::vector<Ready> ready_;

  WsClient endpoint_;
  WsConnection::ptr ws_;
  lh_conn *conn_ = nullptr;
  uint64_t generation_ = 0;  // bumped per connection: stale handlers ignore themselves
  State state_ = State::closed;
  WsUrl url_;
  std::string ended_;        // why the last connection ended ("connection closed by peer (code 1006)")
  uint64_t bytes_written_ = 0;
  std::string write_scratch_;

  // A call waiting for the connection, with the bytes it put on the wire.
  struct Waiter {
    lh_call *call;
    uint64_t bytes_sent;
  };
  Waiter connect_call_{nullptr, 0};
  Waiter close_call_{nullptr, 0};
  std::deque<Waiter> receivers_;  // receive and request calls, in order
  std::deque<Waiter> pingers_;
  uint64_t bytes_read_ = 0;      // since the connect: the handshake's answer
  bool transport_ended_ = false;  // the host reported the connection closed
  std::string transport_error_;   // and why, if it failed
  MessageQueue queue_;
  std::string user_class_;
};

}  // namespace loadhost::websocket
