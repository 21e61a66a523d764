// CallTimeouts: the host enforces every call's timeout, so no plugin needs
// timers for it. Calls with the same timeout expire in the order they
// started, so one FIFO per distinct timeout value keeps its soonest deadline
// at the front: adding and removing are O(1) with intrusive links and no
// allocation, and a sweep every few milliseconds looks only at the fronts.
#pragma once

#include <boost/intrusive/list.hpp>

#include <cstdint>
#include <vector>

namespace loadhost::core {

using TimeoutHook = boost::intrusive::list_base_hook<
    boost::intrusive::tag<struct TimeoutTag>,
    boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// What a timed item carries: its deadline and its link in one FIFO.
struct Timed : TimeoutHook {
  uint64_t deadline_ns = 0;
};

class CallTimeouts {
 public:
  using Fifo = boost::intrusive::list<
      Timed, boost::intrusive::base_hook<TimeoutHook>,
      boost::intrusive::constant_time_size<false>>;

  void add(Timed &item, uint64_t start_ns, uint64_t timeout_ns) {
    item.deadline_ns = start_ns + timeout_ns;
    for (auto &q : queues_) {
      if (q.timeout_ns == timeout_ns) {
        q.items.push_back(item);
        return;
      }
    }
    queues_.push_back(Queue{timeout_ns, {}});
    queues_.back().items.push_back(item);
  }

  static void remove(Timed &item) { item.TimeoutHook::unlink(); }

  // Pops every item whose deadline is at or before `now_ns` and hands it to
  // on_expired (which may add or remove other items).
  template <class F>
  void expire(uint64_t now_ns, F &&on_expired) {
    for (size_t i = 0; i < queues_.size(); ++i) {
      while (!queues_[i].items.empty() && queues_[i].items.front().deadline_ns <= now_ns) {
        Timed &item = queues_[i].items.front();
        queues_[i].items.pop_front();
        on_expired(item);
      }
    }
  }

 private:
  struct Queue {
    uint64_t timeout_ns;
    Fifo items;
    Queue(uint64_t t, Fifo &&f) : timeout_ns(t), items(std::move(f)) {}
    Queue(Queue &&) = default;
  };
  std::vector<Queue> queues_;
};

}  // namespace loadhost::core
