// Hooks: the event hooks plugins and scenarios subscribe to (events.h).
// Control-thread kinds are fired here; the loop-thread kinds (request,
// user_error) are copied to each loop when a test starts, so firing them on
// the hot path needs no lock.
#pragma once

#include <loadhost/events.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace loadhost::core {

struct HookSubscriber {
  lh_hook_fn fn;
  void *ud;
};

class Hooks {
 public:
  uint64_t subscribe(lh_hook_kind kind, lh_hook_fn fn, void *ud);
  void unsubscribe(uint64_t id);
  // [control-thread] Runs every subscriber of args.kind, in subscription order.
  void fire(const lh_hook_args &args) const;
  void fire(lh_hook_kind kind, uint64_t user_count = 0) const;
  std::vector<HookSubscriber> subscribers(lh_hook_kind kind) const;

 private:
  struct Entry {
    uint64_t id;
    lh_hook_kind kind;
    HookSubscriber subscriber;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  uint64_t next_id_ = 1;
};

}  // namespace loadhost::core
