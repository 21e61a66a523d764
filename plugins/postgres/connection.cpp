#include "connection.hpp"

#include <sys/stat.h>

#include <stdexcept>

#include "result_text.hpp"

namespace loadhost::postgres {
namespace {

// libpq prints server notices ("FATAL: terminating connection ...") to
// stderr by default; the failure text already carries what matters.
void ignore_notice(void *, const char *) {}

// Identifies the open file behind a descriptor number: while connecting,
// libpq may close its socket and open another (a next address, a retry
// without SSL) that gets the same number.
ino_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

}  // namespace

Connection::Connection(const lh_host &host, const lh_host_fd_watch &fd_watch, lh_loop *loop,
                       std::string conninfo, Listener &listener)
    : host_(host), fd_watch_(fd_watch), loop_(loop), conninfo_(std::move(conninfo)), listener_(listener) {
  timer_ = host_.timer_create(loop_, &Connection::on_timer, this);
  if (!timer_) throw std::bad_alloc();
}

Connection::~Connection() {
  close();
  host_.timer_destroy(timer_);
}

void Connection::connect() {
  if (state_ != State::closed) return;
  state_ = State::connecting;
  host_.timer_arm(timer_, 0);
}

void Connection::close() {
  host_.timer_disarm(timer_);
  if (watch_) fd_watch_.destroy(watch_);  // before PQfinish closes the descriptor
  watch_ = nullptr;
  watched_fd_ = -1;
  armed_ = 0;
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  state_ = State::closed;
  flushing_ = false;
  prepared_.clear();
}

void Connection::fail(std::string why) {
  const bool connected = state_ == State::ready || state_ == State::busy;
  close();
  listener_.on_failed(connected, why);
}

void Connection::on_timer(void *self) {
  auto &c = *static_cast<Connection *>(self);
  if (!c.conn_) {
    c.start_connect();
    return;
  }
  c.watched_fd_ = PQsocket(c.conn_);
  c.watched_inode_ = inode_of(c.watched_fd_);
  c.watch_ = c.fd_watch_.create(c.loop_, c.watched_fd_, &Connection::on_fd, &c);
  if (!c.watch_) {
    c.fail("postgres: the host cannot watch the connection's socket");
    return;
  }
  c.fd_watch_.arm(c.watch_, c.pending_events_);
  c.armed_ = c.pending_events_;
}

void Connection::wait_for(lh_fd_events events) {
  const int fd = PQsocket(conn_);
  if (watch_ && fd == watched_fd_ && (state_ != State::connecting || inode_of(fd) == watched_inode_)) {
    if (events != armed_) fd_watch_.arm(watch_, events);
    armed_ = events;
    return;
  }
  if (watch_) fd_watch_.destroy(watch_);
  watch_ = nullptr;
  watched_fd_ = -1;
  armed_ = 0;
  pending_events_ = events;
  host_.timer_arm(timer_, 0);
}

void Connection::start_connect() {
  // Resolves a host name here (getaddrinfo blocks): give an address.
  conn_ = PQconnectStart(conninfo_.c_str());
  if (!conn_) {
    fail("postgres: connection failed: out of memory");
    return;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    fail("postgres: connection failed: " + one_line(PQerrorMessage(conn_)));
    return;
  }
  PQsetNoticeProcessor(conn_, &ignore_notice, nullptr);
  wait_for(LH_FD_WRITABLE);  // as libpq says: start as if PGRES_POLLING_WRITING
}

void Connection::continue_connect() {
  switch (PQconnectPoll(conn_)) {
    case PGRES_POLLING_READING:
      wait_for(LH_FD_READABLE);
      return;
    case PGRES_POLLING_WRITING:
      wait_for(LH_FD_WRITABLE);
      return;
    case PGRES_POLLING_OK:
      if (PQsetnonblocking(conn_, 1) != 0) {
        fail("postgres: connection failed: cannot make it non-blocking");
        return;
      }
      state_ = State::ready;
      listener_.on_connected();
      return;
    default:
      fail("postgres: connection failed: " + one_line(PQerrorMessage(conn_)));
      return;
  }
}

void Connection::on_fd(void *self, lh_fd_events ready) {
  auto &c = *static_cast<Connection *>(self);
  c.armed_ = 0;  // one-shot: the watch waits for nothing now
  if (c.state_ == State::connecting) c.continue_connect();
  else if (c.state_ == State::busy) c.continue_command(ready);
  else if (c.state_ == State::ready) {
    // Idle and readable: the server closed (or sent a notice). Read it so a
    // dead connection fails now, not on the next command.
    if (!PQconsumeInput(c.conn_) || PQstatus(c.conn_) == CONNECTION_BAD) {
      c.fail("postgres: connection lost: " + one_line(PQerrorMessage(c.conn_)));
      return;
    }
    c.wait_for(LH_FD_READABLE);
  }
}

void Connection::send_query(const std::string &sql, const std::vector<std::string> &params) {
  if (params.empty()) {
    // The simple protocol: one message, and several statements allowed.
    after_send(PQsendQuery(conn_, sql.c_str()));
    return;
  }
  param_pointers_.clear();
  for (const auto &p : params) param_pointers_.push_back(p.c_str());
  after_send(PQsendQueryParams(conn_, sql.c_str(), int(params.size()), nullptr, param_pointers_.data(), nullptr,
                               nullptr, 0));
}

void Connection::send_prepare(const std::string &name, const std::string &sql) {
  after_send(PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
}

void Connection::send_execute(const std::string &name, const std::vector<std::string> &params) {
  param_pointers_.clear();
  for (const auto &p : params) param_pointers_.push_back(p.c_str());
  after_send(PQsendQueryPrepared(conn_, name.c_str(), int(params.size()), param_pointers_.data(), nullptr, nullptr,
                                 0));
}

void Connection::after_send(int sent) {
  if (!sent) {
    fail("postgres: connection lost: " + one_line(PQerrorMessage(conn_)));
    return;
  }
  state_ = State::busy;
  const int flushed = PQflush(conn_);
  if (flushed < 0) {
    fail("postgres: connection lost: " + one_line(PQerrorMessage(conn_)));
    return;
  }
  flushing_ = flushed == 1;
  wait_for(flushing_ ? LH_FD_READABLE | LH_FD_WRITABLE : LH_FD_READABLE);
}

void Connection::continue_command(lh_fd_events ready) {
  if (flushing_) {
    const int flushed = PQflush(conn_);
    if (flushed < 0) {
      fail("postgres: connection lost: " + one_line(PQerrorMessage(conn_)));
      return;
    }
    flushing_ = flushed == 1;
  }
  if ((ready & (LH_FD_READABLE | LH_FD_ERROR)) && !PQconsumeInput(conn_)) {
    fail("postgres: connection lost: " + one_line(PQerrorMessage(conn_)));
    return;
  }
  while (!PQisBusy(conn_)) {
    PGresult *result = PQgetResult(conn_);
    if (!result) {
      if (PQstatus(conn_) == CONNECTION_BAD) {
        fail("postgres: connection lost: " + one_line(PQerrorMessage(conn_)));
        return;
      }
      state_ = State::ready;
      listener_.on_command_done();
      // Still idle (no next command sent): notice a server that goes away.
      if (state_ == State::ready) wait_for(LH_FD_READABLE);
      return;
    }
    listener_.on_result(result);
    PQclear(result);
  }
  wait_for(flushing_ ? LH_FD_READABLE | LH_FD_WRITABLE : LH_FD_READABLE);
}

}  // namespace loadhost::postgres
