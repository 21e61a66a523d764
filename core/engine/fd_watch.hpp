// FdWatch: the fd-watch extension (loadhost/fd_watch.h) on Asio — a
// plugin's own descriptor, waited on with stream_descriptor::async_wait and
// never owned: the descriptor is released, not closed, when the watch goes.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>

#include "core/engine/abi_objects.hpp"

struct lh_fd_watch {};

namespace loadhost::core {

class Loop;

class FdWatch : public lh_fd_watch {
 public:
  FdWatch(Loop &loop, int fd, lh_fd_fn fn, void *ud);
  static FdWatch &from(lh_fd_watch *w) { return *static_cast<FdWatch *>(w); }

  void arm(lh_fd_events events);
  void destroy();  // frees now, or when the last queued handler runs

 private:
  ~FdWatch();
  void wait_for(boost::asio::posix::stream_descriptor::wait_type type, lh_fd_events bit);

  boost::asio::posix::stream_descriptor descriptor_;
  lh_fd_fn fn_;
  void *ud_;
  uint64_t arming_ = 0;  // handlers of an older arming are ignored
  uint32_t queued_ = 0;
  bool destroyed_ = false;
};

// The table get_extension(LH_HOST_FD_WATCH_ID) returns.
const lh_host_fd_watch *fd_watch_table();

}  // namespace loadhost::core
