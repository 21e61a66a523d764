#include "core/engine/timers.hpp"

#include <boost/asio/post.hpp>

#include "core/engine/loop.hpp"

namespace loadhost::core {

Timer::Timer(Loop &loop, lh_task_fn fn, void *ud) : timer_(loop.io()), fn_(fn), ud_(ud) {}

void Timer::arm(uint64_t delay_us) {
  // expires_after cancels a pending wait; its handler sees a stale arming.
  timer_.expires_after(std::chrono::microseconds(delay_us));
  uint64_t arming = ++arming_;
  ++queued_;
  timer_.async_wait([this, arming](boost::system::error_code ec) {
    --queued_;
    if (destroyed_) {
      if (queued_ == 0) delete this;
      return;
    }
    if (!ec && arming == arming_) fn_(ud_);
  });
}

void Timer::disarm() {
  ++arming_;
  timer_.cancel();
}

void Timer::destroy() {
  disarm();
  destroyed_ = true;
  if (queued_ == 0) delete this;
}

void Waker::wake() {
  if (scheduled_.exchange(true, std::memory_order_acq_rel)) return;  // coalesce
  boost::asio::post(loop_.io(), [this] { run(); });
}

void Waker::run() {
  if (destroyed_) {
    delete this;
    return;
  }
  // Cleared before fn runs: a wake during fn schedules another run, so fn
  // never misses work queued while it drained.
  scheduled_.store(false, std::memory_order_release);
  fn_(ud_);
}

void Waker::destroy() {
  destroyed_ = true;
  if (!scheduled_.load(std::memory_order_acquire)) delete this;
}

}  // namespace loadhost::core
