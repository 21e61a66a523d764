// A user's session with PostgreSQL: its own connection, opened on the first
// call, and its calls in order — one on the wire, the others queued (the
// SDK's Client gives concurrent calls sessions of their own). Statements
// prepared through the session are prepared again, transparently, on a new
// connection after a reconnect.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "command.hpp"
#include "connection.hpp"
#include "loadhost/protocol.h"
#include "result_text.hpp"

namespace loadhost::postgres {

class Session final : private Connection::Listener {
 public:
  // Null with the reason in `error` (no fd watch in this host, no URL).
  static std::unique_ptr<Session> create(const lh_host &host, const lh_session_config &config, std::string &error);
  Session(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, std::string conninfo);
  ~Session() override = default;

  void start(lh_call *call, const lh_request &request);
  // The host gives up on `call`: a queued call is forgotten; the one on the
  // wire drops the connection (libpq's PQcancel blocks; a new connection is
  // cheaper than a stuck loop). The next call reconnects.
  void cancel(lh_call *call);
  // Completes `call` at once with `error` (an internal failure in start).
  void abort(lh_call *call, std::string_view error);

 private:
  struct Pending {
    lh_call *call = nullptr;
    Command command;
    bool sent = false;
  };

  // The calls in order, the head on the wire: a ring whose slots are reused,
  // so a call costs no allocation once the slots' strings have grown.
  class Queue {
   public:
    bool empty() const { return size_ == 0; }
    size_t size() const { return size_; }
    Pending &operator[](size_t i) { return slots_[(head_ + i) % slots_.size()]; }
    Pending &front() { return (*this)[0]; }
    // A slot at the back, holding whatever its last call left.
    Pending &push_back();
    void pop_front();
    void erase(size_t i);

   private:
    std::vector<Pending> slots_;
    size_t head_ = 0, size_ = 0;
  };

  // Sends the head of the queue when the connection allows; connects first.
  void pump();
  void send(Pending &head);
  // Completes `call`: with `results` (of the command that ran) or not, and
  // failed when `error` has a value.
  void complete(lh_call *call, const std::optional<std::string> &error, const ResultCollector *results,
                uint64_t bytes_sent);

  void on_connected() override;
  void on_result(const PGresult *result) override;
  void on_command_done() override;
  void on_failed(bool connected, std::string_view why) override;

  const lh_host &host_;
  Connection connection_;
  Queue queue_;
  ResultCollector results_;                  // of the head, while on the wire
  bool collecting_ = false;                  // results_ belongs to the head on the wire
  bool preparing_for_execute_ = false;       // the head's statement is being re-prepared first
  std::unordered_map<std::string, std::string> statements_;  // name -> SQL, prepared by this session
};

}  // namespace loadhost::postgres
