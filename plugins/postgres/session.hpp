// A user's session with PostgreSQL: its own connection, opened on the first
// call, and its calls in order — one on the wire, the others queued (the
// SDK's Client gives concurrent calls sessions of their own). Statements
// prepared through the session are prepared again, transparently, on a new
// connection after a reconnect. With the session option pool=N the session
// has no connection of its own: its calls run on the pool its loop shares
// for the URL (pool.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "call_queue.hpp"
#include "command.hpp"
#include "connection.hpp"
#include "loadhost/protocol.h"
#include "pool.hpp"
#include "result_text.hpp"

namespace loadhost::postgres {

class Session final : private Connection::Listener {
 public:
  // Null with the reason in `error` (no fd watch in this host, no URL, a bad
  // pool=N).
  static std::unique_ptr<Session> create(const lh_host &host, const lh_session_config &config, std::string &error);
  // A connection of its own, or with `pool_size` > 0 the pool of `loop` for
  // `conninfo` and that size.
  Session(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, std::string conninfo,
          uint32_t pool_size = 0);
  ~Session() override = default;

  void start(lh_call *call, const lh_request &request);
  // The host gives up on `call`: a queued call is forgotten; the one on the
  // wire drops the connection (libpq's PQcancel blocks; a new connection is
  // cheaper than a stuck loop). The next call reconnects.
  void cancel(lh_call *call);
  // Completes `call` at once with `error` (an internal failure in start).
  void abort(lh_call *call, std::string_view error);

 private:
  // Sends the head of the queue when the connection allows; connects first.
  void pump();
  void send(Pending &head);

  void on_connected() override;
  void on_result(const PGresult *result) override;
  void on_command_done() override;
  void on_failed(bool connected, std::string_view why) override;

  const lh_host &host_;
  // Pool mode: every call goes there, and the members below stay unused.
  std::unique_ptr<PooledSession> pooled_;
  std::optional<Connection> connection_;  // engaged unless pooled_
  CallQueue queue_;
  ResultCollector results_;                  // of the head, while on the wire
  bool collecting_ = false;                  // results_ belongs to the head on the wire
  bool preparing_for_execute_ = false;       // the head's statement is being re-prepared first
  std::unordered_map<std::string, std::string> statements_;  // name -> SQL, prepared by this session
};

}  // namespace loadhost::postgres
