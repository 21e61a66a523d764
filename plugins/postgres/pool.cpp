#include "pool.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <utility>

#include "loadhost/kit/option_reader.hpp"

namespace loadhost::postgres {
namespace {

constexpr uint32_t kMaxPoolSize = 10000;

// Every pool of the process by (loop, size, conninfo). Touched only when a
// session is created or destroyed; the lock because loops are threads.
std::mutex g_pools_mutex;
std::unordered_map<std::string, Pool *> &pools() {
  static auto *map = new std::unordered_map<std::string, Pool *>();  // never destroyed: outlives every loop
  return *map;
}

std::string pool_key(lh_loop *loop, const std::string &conninfo, uint32_t size) {
  return std::to_string(reinterpret_cast<uintptr_t>(loop)) + '/' + std::to_string(size) + '/' + conninfo;
}

const std::string kRollback = "ROLLBACK";
const std::vector<std::string> kNoParams;

}  // namespace

bool parse_pool_size(std::string_view text, uint32_t &size, std::string &error) {
  kit::OptionReader reader("postgres");
  const std::string expected =
      "a number of connections from 0 (one per user, the default) to " + std::to_string(kMaxPoolSize);
  if (reader.number("pool", text, size, 0, kMaxPoolSize, expected)) return true;
  error = reader.error();
  return false;
}

const std::string &StatementNames::server_name(const std::string &name, const std::string &sql) {
  std::string key;
  key.reserve(name.size() + 1 + sql.size());
  key.append(name).push_back('\0');
  key.append(sql);
  auto [it, added] = by_statement_.try_emplace(std::move(key));
  if (added) {
    const uint32_t n = ++texts_[name];
    it->second = n == 1 ? name : name + " (loadhost " + std::to_string(n) + ")";
  }
  return it->second;
}

// ---- PoolSlot ----------------------------------------------------------

PoolSlot::PoolSlot(Pool &pool, const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
                   const std::string &conninfo)
    : pool(pool), connection(host, fd_watch, loop, conninfo, *this) {}

void PoolSlot::on_connected() {
  if (owner) owner->pump();
  else pool.slot_free(*this);  // its session left while it connected
}

void PoolSlot::on_result(const PGresult *result) {
  if (collecting) results.add(result);
}

void PoolSlot::on_command_done() {
  if (rolling_back) {
    rolling_back = false;
    pool.slot_free(*this);
    return;
  }
  if (owner && collecting) owner->on_command_done(*this);
}

void PoolSlot::on_failed(bool connected, std::string_view why) {
  collecting = false;
  preparing_for_execute = false;
  if (owner) {
    owner->on_failed(*this, connected, why);
    return;
  }
  // An idle connection lost, or a ROLLBACK's: reopened on its next use.
  rolling_back = false;
  pool.slot_free(*this);
}

// ---- Pool ----------------------------------------------------------------

Pool &Pool::attach(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop, const std::string &conninfo,
                   uint32_t size) {
  std::string key = pool_key(loop, conninfo, size);
  std::lock_guard lock(g_pools_mutex);
  auto [it, added] = pools().try_emplace(key, nullptr);
  if (added) {
    try {
      it->second = new Pool(key, host, fd_watch, loop, conninfo, size);
    } catch (...) {
      pools().erase(it);
      throw;
    }
  }
  ++it->second->sessions_;
  return *it->second;
}

void Pool::detach() {
  {
    std::lock_guard lock(g_pools_mutex);
    if (--sessions_ > 0) return;
    pools().erase(key_);
  }
  delete this;
}

Pool::Pool(std::string key, const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
           const std::string &conninfo, uint32_t size)
    : key_(std::move(key)) {
  // The connections open on first use; a slot costs a timer until then.
  slots_.reserve(size);
  for (uint32_t i = 0; i < size; ++i)
    slots_.push_back(std::make_unique<PoolSlot>(*this, host, fd_watch, loop, conninfo));
}

Pool::~Pool() = default;  // each Connection closes: no callback runs afterwards

void Pool::acquire(PooledSession &s) {
  // An open connection first, then one on its way, then a closed one.
  PoolSlot *best = nullptr;
  int best_rank = 3;
  for (auto &slot : slots_) {
    if (!slot->free()) continue;
    int rank = 2;
    switch (slot->connection.state()) {
      case Connection::State::ready: rank = 0; break;
      case Connection::State::connecting: rank = 1; break;
      default: break;
    }
    if (rank < best_rank) {
      best = slot.get();
      best_rank = rank;
      if (rank == 0) break;
    }
  }
  if (best) {
    s.take(*best);
    return;
  }
  s.waiting = true;
  waiting_.push_back(&s);
}

void Pool::leave(PooledSession &s) {
  auto it = std::find(waiting_.begin(), waiting_.end(), &s);
  if (it != waiting_.end()) waiting_.erase(it);
  s.waiting = false;
}

void Pool::slot_free(PoolSlot &slot) {
  if (!slot.free() || waiting_.empty()) return;
  PooledSession *next = waiting_.front();
  waiting_.pop_front();
  next->waiting = false;
  next->take(slot);
}

// ---- PooledSession -------------------------------------------------------

PooledSession::PooledSession(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
                             const std::string &conninfo, uint32_t pool_size)
    : host_(host), pool_(Pool::attach(host, fd_watch, loop, conninfo, pool_size)) {}

PooledSession::~PooledSession() {
  // The host cancelled every call first: nothing of ours is on the wire.
  if (waiting) pool_.leave(*this);
  if (PoolSlot *slot = slot_) {
    slot_ = nullptr;
    slot->owner = nullptr;
    slot->collecting = false;
    if (slot->connection.state() == Connection::State::ready && slot->connection.in_transaction()) {
      // The session went inside a transaction: end it before anyone else
      // uses the connection (on_command_done or on_failed frees the slot).
      slot->rolling_back = true;
      slot->connection.send_query(kRollback, kNoParams);
    } else {
      pool_.slot_free(*slot);
    }
  }
  pool_.detach();
}

void PooledSession::start(lh_call *call, const lh_request &request) {
  if (queue_.admit(host_, call, request)) pump();
}

void PooledSession::drop_connection() {
  PoolSlot &slot = *slot_;
  slot.connection.close();  // no callback; the next user of the slot reconnects
  slot.collecting = false;
  slot.preparing_for_execute = false;
  give_back();
}

void PooledSession::cancel(lh_call *call) {
  for (size_t i = 0; i < queue_.size(); ++i) {
    if (queue_[i].call != call) continue;
    const bool sent = queue_[i].sent;
    queue_.erase(i);
    if (sent) drop_connection();
    settle();
    pump();
    return;
  }
}

void PooledSession::abort(lh_call *call, std::string_view error) {
  for (size_t i = 0; i < queue_.size(); ++i)
    if (queue_[i].call == call) {
      const bool sent = queue_[i].sent;
      queue_.erase(i);
      if (sent) drop_connection();
      settle();
      break;
    }
  complete_call(host_, call, std::string(error), nullptr, 0);
}

void PooledSession::settle() {
  if (!queue_.empty()) return;
  if (waiting) pool_.leave(*this);
  if (slot_ && !(slot_->connection.state() == Connection::State::ready && slot_->connection.in_transaction()))
    give_back();
}

void PooledSession::give_back() {
  PoolSlot *slot = slot_;
  slot_ = nullptr;
  slot->owner = nullptr;
  pool_.slot_free(*slot);
}

void PooledSession::take(PoolSlot &slot) {
  slot_ = &slot;
  slot.owner = this;
  if (queue_.empty()) {
    give_back();  // cannot happen: a session waits only with a call queued
    return;
  }
  pump();
}

void PooledSession::pump() {
  if (queue_.empty() || queue_.front().sent) return;
  if (!slot_) {
    if (!waiting) pool_.acquire(*this);  // take() comes back here
    return;
  }
  switch (slot_->connection.state()) {
    case Connection::State::closed: slot_->connection.connect(); return;
    case Connection::State::ready: send(*slot_, queue_.front()); return;
    default: return;  // connecting: on_connected comes back here
  }
}

void PooledSession::send(PoolSlot &slot, Pending &head) {
  head.sent = true;
  slot.results.reset(!head.command.discard_body);
  slot.collecting = true;
  const Command &c = head.command;
  Connection &connection = slot.connection;
  switch (c.kind) {
    case Command::Kind::query: connection.send_query(c.sql, c.params); return;
    case Command::Kind::prepare: {
      if (statements_.contains(c.statement)) {
        // As on a connection of its own: a name is prepared once.
        finish_head(slot, "42P05: prepared statement \"" + c.statement + "\" already exists", nullptr);
        return;
      }
      const std::string &server_name = pool_.statement_names().server_name(c.statement, c.sql);
      slot.server_name = &server_name;
      if (connection.has_prepared(server_name)) {
        // Another session prepared the same SQL under the same name on this
        // connection: nothing to ask the server.
        statements_[c.statement] = Statement{c.sql, &server_name};
        finish_head(slot, std::nullopt, &slot.results);
        return;
      }
      connection.send_prepare(server_name, c.sql);
      return;
    }
    case Command::Kind::execute: {
      auto known = statements_.find(c.statement);
      if (known == statements_.end()) {
        // Not prepared through this session (a PREPARE in a query): as is.
        connection.send_execute(c.statement, c.params);
        return;
      }
      const std::string &server_name = *known->second.server_name;
      if (!connection.has_prepared(server_name)) {
        // Prepared on another connection of the pool: here too, first.
        slot.preparing_for_execute = true;
        slot.server_name = &server_name;
        connection.send_prepare(server_name, known->second.sql);
        return;
      }
      connection.send_execute(server_name, c.params);
      return;
    }
  }
}

void PooledSession::on_command_done(PoolSlot &slot) {
  if (queue_.empty() || &slot != slot_) return;
  Pending &head = queue_.front();
  if (slot.preparing_for_execute) {
    slot.preparing_for_execute = false;
    if (!slot.results.error()) {
      slot.connection.note_prepared(*slot.server_name);
      slot.results.reset(!head.command.discard_body);
      slot.connection.send_execute(*slot.server_name, head.command.params);
      return;
    }
  } else if (head.command.kind == Command::Kind::prepare && !slot.results.error()) {
    slot.connection.note_prepared(*slot.server_name);
    statements_[head.command.statement] = Statement{head.command.sql, slot.server_name};
  }
  finish_head(slot, slot.results.error(), &slot.results);
}

void PooledSession::finish_head(PoolSlot &slot, const std::optional<std::string> &error,
                                const ResultCollector *results) {
  Pending &head = queue_.front();
  lh_call *call = head.call;
  const uint64_t bytes_sent = head.command.bytes_sent();
  queue_.pop_front();
  slot.collecting = false;
  // Nothing re-enters the session from call_complete (the SDK resumes the
  // user from a posted task).
  complete_call(host_, call, error, results, bytes_sent);
  // Outside a transaction the connection goes back to the pool, to the
  // first session waiting; a next call of this session queues behind it.
  if (!(slot.connection.state() == Connection::State::ready && slot.connection.in_transaction())) give_back();
  pump();
}

void PooledSession::on_failed(PoolSlot &slot, bool connected, std::string_view why) {
  (void)slot;
  if (connected) {
    // Only the call on the wire is lost (with the transaction, if any); the
    // connection reopens on its next use.
    lh_call *lost = nullptr;
    if (!queue_.empty() && queue_.front().sent) {
      lost = queue_.front().call;
      queue_.pop_front();
    }
    give_back();
    if (lost) complete_call(host_, lost, std::string(why), nullptr, 0);
    pump();
    return;
  }
  // Connecting failed: every call of this session would wait for the same
  // server. (A waiting session that takes the slot next tries again.)
  std::vector<lh_call *> failed;
  while (!queue_.empty()) {
    failed.push_back(queue_.front().call);
    queue_.pop_front();
  }
  give_back();
  for (lh_call *call : failed) complete_call(host_, call, std::string(why), nullptr, 0, LH_RESPONSE_NOT_CONNECTED);
}

}  // namespace loadhost::postgres
