// UserRuntime: the users living on one loop — spawning them, stopping them
// (most recent first), and destroying them only when nothing of theirs can
// still run.
//
// A user's end, in order:
//   stop (graceful, a stop timeout given): the scenario finishes its task,
//     runs on_stop, calls user_finished -> destroy is posted;
//   interrupt (no stop timeout, as Locust): the task is abandoned — the
//     results of its calls in flight are counted but never delivered — and
//     on_stop runs at once, within StopRule::on_stop_timeout_ns, then
//     user_finished (a scenario without lh_user_class.interrupt is killed);
//   kill (stop timeout passed): the scenario is not resumed again; calls in
//     flight may still complete and are reported (a stopped test loses no
//     completed request), then destroy is posted; new calls are parked.
//   abandon (drain deadline passed): calls still in flight are cancelled
//     and each is counted as the failure "interrupted: no response before
//     the test stopped" (CallEngine::interrupt_session); users are destroyed.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/engine/abi_objects.hpp"
#include "core/engine/arrival_driver.hpp"
#include "core/engine/call_engine.hpp"

namespace loadhost::core {

class Loop;

enum class UserState { running, stopping, interrupted, killed };

// How users stop: with a stop timeout (-s) gracefully — the task finishes,
// then on_stop, both within the timeout; without one they are interrupted
// and on_stop gets on_stop_timeout_ns. Past either, the user is killed.
struct StopRule {
  uint64_t stop_timeout_ns = 0;
  uint64_t on_stop_timeout_ns = 3'000'000'000;
};

using ClassUsersHook = boost::intrusive::list_base_hook<
    boost::intrusive::tag<struct ClassUsersTag>,
    boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class User : public lh_user, public ClassUsersHook, public IdleUsersHook {
 public:
  static User &from(lh_user *u) { return *static_cast<User *>(u); }
  static const User &from(const lh_user *u) { return *static_cast<const User *>(u); }

  Loop *loop = nullptr;
  const lh_user_class *cls = nullptr;
  void *instance = nullptr;
  UserState state = UserState::running;
  uint32_t in_flight = 0;
  bool destroy_posted = false;
  uint64_t kill_deadline_ns = 0;  // while stopping
  uint32_t connects_failed_in_a_row = 0;  // connect_backoff.hpp
  boost::intrusive::list<Session, boost::intrusive::constant_time_size<false>> sessions;
  // The current iteration's intended start (docs/workload-models.md), set
  // by the open schedule or a paced user's iteration_begins: every call
  // started meanwhile gets `its start - lateness_ns` as its intended start.
  bool has_intended_start = false;
  uint64_t lateness_ns = 0;  // actual start - intended start; 0 when on time
  // Open model (ArrivalDriver): the user's lane, null for a closed user;
  // the slot a new user was spawned for, run once on_start is done.
  ArrivalDriver::Lane *lane = nullptr;
  bool has_pending_iteration = false;
  uint64_t pending_intended_ns = 0;
};

class UserRuntime {
 public:
  explicit UserRuntime(Loop &loop);
  ~UserRuntime();

  // [loop-thread] All of these.
  // Queues `count` users of `cls` to start. They start a slice at a time,
  // one slice per handler, so a loop told to start half a million users
  // still handles connect results and a stop every few milliseconds (one
  // handler once held a loop for 10 s, and the stop behind it).
  void spawn(const lh_user_class *cls, uint32_t count);
  // Starts one open-model user of `lane` now; with `pending_intended_ns` it
  // runs that slot's iteration once on_start is done. Null when the class
  // could not create it (counted as a user error).
  User *create_open(const lh_user_class *cls, ArrivalDriver::Lane *lane, std::optional<uint64_t> pending_intended_ns);
  ArrivalDriver &arrivals() { return arrivals_; }
  // Stops up to `count` users of `cls`, most recently spawned first (those
  // still queued to start first of all), by `rule`.
  void stop(const lh_user_class *cls, uint32_t count, StopRule rule);
  void stop_all(StopRule rule);
  // Kills every user now: no on_stop (a test that cannot run as given).
  void kill_all();
  // Counts every call still in flight as interrupted and destroys every
  // user now.
  void abandon_all();

  void user_finished(User &user);
  void call_finished(User &user);  // after a call of this user completed
  // Kills stopping users whose stop timeout has passed (the loop's sweep).
  void sweep(uint64_t now_ns);

  // [thread-safe] Users alive on this loop (running, stopping or killed).
  uint32_t alive() const { return alive_.load(std::memory_order_relaxed); }
  CallEngine &calls() { return calls_; }

 private:
  using ClassList = boost::intrusive::list<User, boost::intrusive::base_hook<ClassUsersHook>,
                                           boost::intrusive::constant_time_size<false>>;
  struct Pending {
    const lh_user_class *cls;
    uint32_t count;
  };
  void spawn_slice();
  User *create(const lh_user_class *cls, ArrivalDriver::Lane *lane = nullptr,
               std::optional<uint64_t> pending_intended_ns = std::nullopt);
  void kill(User &user);
  void interrupt(User &user, uint64_t on_stop_timeout_ns);
  void post_destroy(User &user);
  void destroy(User *user);
  void begin_stop(User &user, StopRule rule);
  void arm_connect_grace();

  Loop &loop_;
  CallEngine calls_;
  std::vector<Pending> pending_;  // queued to start, oldest first
  bool slice_posted_ = false;
  boost::asio::steady_timer connect_grace_;  // after kill_all: connects still in flight fail
  std::unordered_map<const lh_user_class *, ClassList> running_;  // spawn order
  boost::intrusive::list<User, boost::intrusive::base_hook<ClassUsersHook>,
                         boost::intrusive::constant_time_size<false>>
      stopping_;  // stopping or interrupted, in stop order: kill deadlines ascend (one rule per run)
  boost::intrusive::list<User, boost::intrusive::base_hook<ClassUsersHook>,
                         boost::intrusive::constant_time_size<false>>
      killed_;  // waiting for their calls in flight
  std::atomic<uint32_t> alive_{0};
  ArrivalDriver arrivals_{loop_, *this};  // after the lists: its users unlink from them first
};

}  // namespace loadhost::core
