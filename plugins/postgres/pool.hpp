// The optional connection pool (session option pool=N, quick mode --pool N):
// the sessions of one loop thread that name the same connection URL (and the
// same N) share N connections instead of one each.
//
// - A call takes an idle connection of the pool, or waits for one in FIFO
//   order with the other sessions' calls (the wait is part of its response
//   time; the host's timeout still applies, and a call cancelled while
//   waiting just leaves the queue). A session's own calls run in order.
// - Transactions: after each command the connection's transaction status
//   (PQtransactionStatus) says whether a transaction block is open (BEGIN or
//   START TRANSACTION ran, even inside a multi-statement query; or an error
//   aborted it and ROLLBACK is still due). While it is, the connection stays
//   with its session; COMMIT, ROLLBACK, END (or anything that ends the
//   block) give it back. A session destroyed inside a transaction has the
//   pool send ROLLBACK before the connection serves anyone else.
// - Prepared statements: PostgreSQL prepares per connection, so the pool
//   remembers what each session prepared (name and SQL) and prepares it
//   lazily on whichever connection runs the session's execute. A name stands
//   for one SQL text per session; two sessions may use one name for
//   different SQL (the pool gives the second text a name of its own on the
//   server).
// - A connection lost with a call on it fails that call ("postgres:
//   connection lost: ...") and is reopened on its next use; a call cancelled
//   on the wire (timeout) drops its connection the same way.
// - Lifetime: created by the first session that asks for it, destroyed with
//   the last one (sessions are destroyed on the loop before it stops), so no
//   connection or fd watch outlives the loop.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "call_queue.hpp"
#include "connection.hpp"
#include "loadhost/fd_watch.h"
#include "loadhost/host.h"
#include "result_text.hpp"

namespace loadhost::postgres {

class Pool;
class PooledSession;

// Reads the value of the session option pool=N: a whole number, 0 for no
// pool (a connection per session). False with a one-line reason in `error`.
bool parse_pool_size(std::string_view text, uint32_t &size, std::string &error);

// The names under which the pool's connections prepare statements: the
// session's own name for the first SQL text seen under it, another name for
// each further text, so that two sessions' same-named statements never clash
// on a shared connection.
class StatementNames {
 public:
  // Stable for the object's life (references stay valid).
  const std::string &server_name(const std::string &name, const std::string &sql);

 private:
  std::unordered_map<std::string, std::string> by_statement_;  // name + '\0' + SQL -> server name
  std::unordered_map<std::string, uint32_t> texts_;            // name -> SQL texts seen under it
};

// One connection of a pool.
class PoolSlot final : public Connection::Listener {
 public:
  PoolSlot(Pool &pool, const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
           const std::string &conninfo);

  Pool &pool;
  Connection connection;
  PooledSession *owner = nullptr;  // the session running a call or holding a transaction on it
  ResultCollector results;         // of the owner's call on the wire
  bool collecting = false;
  bool preparing_for_execute = false;  // preparing the statement, then the execute
  bool rolling_back = false;           // ROLLBACK for a session that went mid-transaction
  const std::string *server_name = nullptr;  // of the statement being prepared

  // Free for another session: no owner, no ROLLBACK of its own in flight.
  bool free() const { return owner == nullptr && !rolling_back; }

 private:
  void on_connected() override;
  void on_result(const PGresult *result) override;
  void on_command_done() override;
  void on_failed(bool connected, std::string_view why) override;
};

class Pool {
 public:
  // The pool of `loop` for (conninfo, size), created on first use; one more
  // session counted. Each attach is matched by a detach.
  static Pool &attach(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
                      const std::string &conninfo, uint32_t size);
  // One session fewer: the last one destroys the pool and its connections.
  void detach();

  // `s` needs a connection: hands it a free one (PooledSession::take), or
  // queues it.
  void acquire(PooledSession &s);
  // `s` no longer waits.
  void leave(PooledSession &s);
  // `slot` became free: the first waiting session takes it.
  void slot_free(PoolSlot &slot);

  StatementNames &statement_names() { return names_; }

  Pool(std::string key, const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
       const std::string &conninfo, uint32_t size);
  ~Pool();
  Pool(const Pool &) = delete;
  Pool &operator=(const Pool &) = delete;

 private:
  std::string key_;
  uint32_t sessions_ = 0;
  std::vector<std::unique_ptr<PoolSlot>> slots_;
  std::deque<PooledSession *> waiting_;
  StatementNames names_;
};

// The pool side of a Session (session.hpp): its calls in order, run on the
// pool's connections.
class PooledSession {
 public:
  PooledSession(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, const std::string &conninfo,
                uint32_t pool_size);
  ~PooledSession();
  PooledSession(const PooledSession &) = delete;
  PooledSession &operator=(const PooledSession &) = delete;

  void start(lh_call *call, const lh_request &request);
  void cancel(lh_call *call);
  void abort(lh_call *call, std::string_view error);

  // From the pool and its slots.
  void take(PoolSlot &slot);
  void pump();
  void on_command_done(PoolSlot &slot);
  void on_failed(PoolSlot &slot, bool connected, std::string_view why);
  bool waiting = false;  // in the pool's queue

 private:
  struct Statement {
    std::string sql;
    const std::string *server_name;  // in the pool's StatementNames
  };

  void send(PoolSlot &slot, Pending &head);
  // Completes the head (the command ran, or was answered without the server).
  void finish_head(PoolSlot &slot, const std::optional<std::string> &error, const ResultCollector *results);
  // Drops the connection under the head on the wire (cancel, abort).
  void drop_connection();
  // Gives the connection back unless a transaction holds it, and stops
  // waiting when no call is left.
  void settle();
  void give_back();

  const lh_host &host_;
  Pool &pool_;
  PoolSlot *slot_ = nullptr;  // the connection in use or held by a transaction
  CallQueue queue_;
  std::unordered_map<std::string, Statement> statements_;  // prepared through this session
};

}  // namespace loadhost::postgres
