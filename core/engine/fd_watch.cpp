#include "core/engine/fd_watch.hpp"

#include "core/engine/loop.hpp"

namespace loadhost::core {

FdWatch::FdWatch(Loop &loop, int fd, lh_fd_fn fn, void *ud)
    : descriptor_(loop.io(), fd), fn_(fn), ud_(ud) {}

FdWatch::~FdWatch() = default;  // released in destroy(): nothing to close

void FdWatch::arm(lh_fd_events events) {
  ++arming_;
  descriptor_.cancel();  // a previous arming's waits end as stale
  if (events & LH_FD_READABLE) wait_for(boost::asio::posix::stream_descriptor::wait_read, LH_FD_READABLE);
  if (events & LH_FD_WRITABLE) wait_for(boost::asio::posix::stream_descriptor::wait_write, LH_FD_WRITABLE);
}

void FdWatch::wait_for(boost::asio::posix::stream_descriptor::wait_type type, lh_fd_events bit) {
  ++queued_;
  descriptor_.async_wait(type, [this, arming = arming_, bit](boost::system::error_code ec) {
    --queued_;
    if (destroyed_) {
      if (queued_ == 0) delete this;
      return;
    }
    if (arming != arming_ || ec == boost::asio::error::operation_aborted) return;
    // One-shot: the first ready event ends this arming.
    ++arming_;
    descriptor_.cancel();
    fn_(ud_, ec ? LH_FD_ERROR : bit);
  });
}

void FdWatch::destroy() {
  destroyed_ = true;
  // Deregister now, while the descriptor number is still the plugin's: a
  // deferred release could deregister a newer watch on a reused number.
  // Releasing also ends the pending waits (operation_aborted). Never closed.
  descriptor_.release();
  if (queued_ == 0) delete this;
}

namespace {

lh_fd_watch *watch_create(lh_loop *loop, int fd, lh_fd_fn fn, void *ud) {
  try {
    return new FdWatch(Loop::from(loop), fd, fn, ud);
  } catch (...) {
    return nullptr;  // e.g. a descriptor epoll cannot watch (a regular file)
  }
}
void watch_arm(lh_fd_watch *w, lh_fd_events events) { FdWatch::from(w).arm(events); }
void watch_destroy(lh_fd_watch *w) {
  if (w) FdWatch::from(w).destroy();
}

const lh_host_fd_watch kTable = {sizeof(lh_host_fd_watch), watch_create, watch_arm, watch_destroy};

}  // namespace

const lh_host_fd_watch *fd_watch_table() { return &kTable; }

}  // namespace loadhost::core
