// Loop: one event-loop thread. Users, their sessions, connections, timers and
// calls live on one loop for their whole life, so nothing on the request path
// takes a lock or hops threads. The loop owns a stats shard that only its
// thread writes; when the runner's tick asks (once a second) it swaps the
// shard with its drained outbox under a mutex (the only lock, off the hot
// path), and the runner merges the outbox at its next tick.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/engine/abi_objects.hpp"
#include "core/engine/call_timeouts.hpp"
#include "core/engine/hooks.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::core {

class Engine;
class UserRuntime;

class Loop : public lh_loop {
 public:
  Loop(Engine &engine, uint32_t index);
  ~Loop();
  Loop(const Loop &) = delete;
  Loop &operator=(const Loop &) = delete;

  static Loop &from(lh_loop *loop) { return *static_cast<Loop *>(loop); }

  void start_thread();
  // Lets run() return once no work is left, and joins the thread.
  void stop_thread();
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_id_; }

  boost::asio::io_context &io() { return io_; }
  Engine &engine() { return engine_; }
  uint32_t index() const { return index_; }
  UserRuntime &users() { return *users_; }
  CallTimeouts &timeouts() { return timeouts_; }
  // [loop-thread] For the C ABI's post: runs fn(ud) after the current handler.
  void post(lh_task_fn fn, void *ud) {
    boost::asio::post(io_, [fn, ud] { fn(ud); });
  }

  // [loop-thread] The hot path of every request: into the shard, then to
  // LH_HOOK_REQUEST subscribers if any.
  void report(const lh_request_event &event);
  // [loop-thread] Open-model iterations started and dropped (ArrivalDriver).
  void count_iterations(uint64_t started, uint64_t dropped) { shard_.count_iterations(started, dropped); }
  // [loop-thread] A call handed to its plugin (CallEngine::start), and one
  // the scenario took back by cancelling it: the sent counter that
  // requests_sent in the reports is (one increment of the shard, no lock).
  void count_sent() { shard_.count_sent(); }
  void withdraw_sent() { shard_.withdraw_sent(); }
  // [loop-thread] An error that escaped a user's task. `task` is where
  // (a task's name, "on_start"), or empty when unknown; the exceptions
  // table keeps "user class C, task T" beside the message.
  void report_user_error(std::string_view user_class, std::string_view task, std::string_view message);
  // [loop-thread] LH_HOOK_USER_ADD / LH_HOOK_USER_REMOVE for `user`, if
  // anyone subscribed.
  void fire_user_hook(lh_hook_kind kind, lh_user *user, std::string_view user_class);

  // [thread-safe, while the thread runs] CPU time the loop's thread has
  // used, in nanoseconds (for the CPU warning); 0 when unknown.
  uint64_t thread_cpu_ns() const;

  // [loop-thread] Swaps the shard with the outbox if the runner has drained
  // it (O(1); the runner posts this once per tick). It never waits for the
  // control thread: an outbox still locked or full is tried again next tick.
  void flush_shard();
  // [control-thread] Takes what the outbox holds, merging it into `into`
  // and, when given, into `also` (a worker's not-yet-reported delta); once
  // the thread is joined, the shard's rest too, so nothing recorded is left.
  void drain_outbox(stats::StatsTable &into, stats::StatsTable *also = nullptr);

  // [control-thread, before a test starts] The loop-thread hook subscribers.
  struct LoopHooks {
    std::vector<HookSubscriber> request;
    std::vector<HookSubscriber> user_error;
    std::vector<HookSubscriber> user_add;
    std::vector<HookSubscriber> user_remove;
  };
  void set_loop_hooks(LoopHooks hooks);

  // Scratch for the `lh_str *error` out-parameters of the ABI: valid until
  // the next call on this loop that sets it.
  std::string &error_scratch() { return error_scratch_; }

  // [loop-thread] Whose code runs now, for the crash report (running.h).
  lh_running &running() { return running_; }

 private:
  void arm_sweep_timer();

  Engine &engine_;
  uint32_t index_;
  boost::asio::io_context io_{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::thread::id thread_id_;
  boost::asio::steady_timer sweep_timer_{io_};

  stats::StatsTable shard_;
  std::mutex outbox_mutex_;
  stats::StatsTable outbox_;

  CallTimeouts timeouts_;
  std::unique_ptr<UserRuntime> users_;
  LoopHooks hooks_;
  std::atomic<bool> has_cpu_clock_{false};
  clockid_t cpu_clock_{};  // the thread's CPU-time clock, set before has_cpu_clock_
  std::string error_scratch_;
  lh_running running_{};
};

// For its scope, notes in the loop's slot that `user`'s code runs (the
// host calling into a scenario), for the crash report; then puts back what
// was there.
class RunningUser {
 public:
  RunningUser(Loop &loop, lh_user *user) : slot_(loop.running()), saved_(slot_) {
    slot_.task = saved_.user == user ? saved_.task : nullptr;
    slot_.user = user;
  }
  ~RunningUser() { slot_ = saved_; }
  RunningUser(const RunningUser &) = delete;
  RunningUser &operator=(const RunningUser &) = delete;

 private:
  lh_running &slot_;
  lh_running saved_;
};

}  // namespace loadhost::core
