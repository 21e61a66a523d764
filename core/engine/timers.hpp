// The C ABI's timers and wakers on top of Asio.
//
// Both may be destroyed while a handler of theirs is still queued in the
// io_context; the queued handler then owns the object and frees it, so the
// ABI promise "fn never runs after destroy returns" holds without waiting.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <atomic>

#include "core/engine/abi_objects.hpp"

namespace loadhost::core {

class Loop;

class Timer : public lh_timer {
 public:
  Timer(Loop &loop, lh_task_fn fn, void *ud);
  static Timer &from(lh_timer *t) { return *static_cast<Timer *>(t); }

  void arm(uint64_t delay_us);
  void disarm();
  void destroy();  // frees now or when the queued handler runs

 private:
  boost::asio::steady_timer timer_;
  lh_task_fn fn_;
  void *ud_;
  uint64_t arming_ = 0;    // which arming a handler belongs to
  uint32_t queued_ = 0;    // handlers still in the io_context
  bool destroyed_ = false;
};

class Waker : public lh_waker {
 public:
  Waker(Loop &loop, lh_task_fn fn, void *ud) : loop_(loop), fn_(fn), ud_(ud) {}
  static Waker &from(lh_waker *w) { return *static_cast<Waker *>(w); }

  void wake();  // [thread-safe]
  void destroy();

 private:
  void run();
  Loop &loop_;
  lh_task_fn fn_;
  void *ud_;
  std::atomic<bool> scheduled_{false};
  bool destroyed_ = false;
};

}  // namespace loadhost::core
