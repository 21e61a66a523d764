// One libpq connection driven without blocking on a loop thread: connect
// with PQconnectStart/PQconnectPoll, send with PQsend* in non-blocking mode,
// flush with PQflush, read with PQconsumeInput/PQisBusy/PQgetResult — each
// step waiting for PQsocket through the host's one-shot fd watch
// (fd_watch.h). One command at a time; the session queues the rest.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "loadhost/fd_watch.h"
#include "loadhost/host.h"

namespace loadhost::postgres {

class Connection {
 public:
  // What the connection tells its owner, on the loop thread. Each callback
  // may send the next command or close the connection.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_connected() = 0;
    // One result of the command in flight; borrowed for the call.
    virtual void on_result(const PGresult *result) = 0;
    // The command in flight has returned all its results.
    virtual void on_command_done() = 0;
    // Connecting failed (`connected` false) or an open connection was lost;
    // the connection is closed already. `why` is one line.
    virtual void on_failed(bool connected, std::string_view why) = 0;
  };

  enum class State { closed, connecting, ready, busy };

  // `conninfo`: a libpq connection URI or key=value string.
  Connection(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, std::string conninfo,
             Listener &listener);
  ~Connection();
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;

  State state() const { return state_; }
  // [ready] Inside a transaction block (BEGIN ran, no COMMIT/ROLLBACK yet),
  // also one an error aborted: the pool keeps such a connection with its
  // session (pool.hpp).
  bool in_transaction() const {
    const PGTransactionStatusType s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
  }

  // [closed] Starts connecting, from the next loop turn; on_connected or
  // on_failed follows.
  void connect();
  // [ready] Sends a command; its results follow, then on_command_done (or
  // on_failed). A command libpq refuses to send fails the connection.
  void send_query(const std::string &sql, const std::vector<std::string> &params);
  void send_prepare(const std::string &name, const std::string &sql);
  void send_execute(const std::string &name, const std::vector<std::string> &params);
  // Drops the connection (the server abandons what it was doing when it
  // notices). No callback runs afterwards until the next connect.
  void close();

  // Statements prepared on this connection (the session re-prepares the
  // ones it knows after a reconnect).
  bool has_prepared(const std::string &name) const { return prepared_.contains(name); }
  void note_prepared(const std::string &name) { prepared_.insert(name); }

 private:
  static void on_fd(void *self, lh_fd_events ready);
  static void on_timer(void *self);
  void start_connect();
  void continue_connect();
  void after_send(int sent);
  void continue_command(lh_fd_events ready);
  // Waits for `events` on PQsocket: arms the watch, or (a new socket)
  // replaces it, from the next loop turn.
  void wait_for(lh_fd_events events);
  void fail(std::string why);

  const lh_host &host_;
  const lh_host_fd_watch &fd_watch_;
  lh_loop *loop_;
  std::string conninfo_;
  Listener &listener_;
  State state_ = State::closed;
  PGconn *conn_ = nullptr;
  lh_fd_watch *watch_ = nullptr;
  int watched_fd_ = -1;
  ino_t watched_inode_ = 0;  // of watched_fd_'s socket, checked while connecting
  lh_fd_events pending_events_ = 0;  // to arm once the deferred watch exists
  // What watch_ is armed for, 0 once its callback ran. Arming again for the
  // same events would only replace the wait with an identical one, at the
  // cost of an epoll_ctl in the host's reactor: on every query the watch is
  // armed readable while idle, then readable again once the query is sent.
  lh_fd_events armed_ = 0;
  // Next-turn work: starting a connect, watching a new socket. (Never
  // replace a watch within one turn: the old one may still be releasing the
  // same descriptor number.)
  lh_timer *timer_ = nullptr;
  bool flushing_ = false;  // PQflush has data left to send
  std::unordered_set<std::string> prepared_;
  std::vector<const char *> param_pointers_;  // scratch for PQsend*Params
};

}  // namespace loadhost::postgres
