// loadhost C++ SDK — users and TaskSets.
//
//   struct Reader : loadhost::HttpUser {
//     Reader() { wait_time = between(1s, 3s); task(3, &Reader::read); }
//     Task<> read() { co_await client.get("/item/1"); }
//   };
//
// A user lives on one loop thread. Its life is one coroutine: on_start, then
// pick a task by weight, run it, wait, until stopped; then on_stop. In the
// open model (docs/workload-models.md) the host starts the iterations: after
// on_start the user waits for the host's run_iteration, runs one task picked
// by weight (no wait after it), tells the host it is idle again, and waits.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <cxxabi.h>

#include "loadhost/iterations.hpp"
#include "loadhost/tasks.hpp"

namespace loadhost {

namespace detail {
// The host handle of the user being constructed: user constructors (and the
// clients they hold) read it, so authors' constructors take no arguments.
inline thread_local lh_user *t_constructing = nullptr;
}  // namespace detail

class UserBase;
class TaskSetBase;
namespace detail {
// The host's running-slot service (running.h), for the crash report; null
// from a host without it.
inline const lh_host_running *running_service() {
  const void *ext = host().get_extension(g_host, LH_HOST_RUNNING_ID);
  return static_cast<const lh_host_running *>(ext);
}
// The user object under construction (set by its base constructor), so its
// member clients know their owner.
inline thread_local UserBase *t_constructing_owner = nullptr;
// The class's static `host` of the user being constructed (or null).
inline thread_local const char *t_constructing_default_host = nullptr;
}  // namespace detail

class UserBase : public TaskHolder {
 public:
  UserBase()
      : handle_(detail::t_constructing),
        loop_(handle_ ? host().user_loop(handle_) : nullptr),
        random_(Random::for_new_user()) {
    detail::t_constructing_owner = this;
    if (!handle_) return;  // built only to list its tasks (describe_tasks): it never runs
    timer_ = host().timer_create(loop_, &UserBase::on_timer, this);
    if (!timer_) throw std::bad_alloc();
    if (const lh_host_running *r = detail::running_service()) running_slot_ = r->slot(loop_);
  }

  // For its scope, notes in the loop's slot that this user's code runs, and
  // its task, for the crash report (running.h); then puts back what was
  // there. Every resume of the user's coroutine goes through one.
  class Running {
   public:
    explicit Running(UserBase *user) : slot_(user ? user->running_slot_ : nullptr) {
      if (!slot_) return;
      saved_ = *slot_;
      *slot_ = lh_running{user->handle_, user->current_task_};
    }
    ~Running() {
      if (slot_) *slot_ = saved_;
    }
    Running(const Running &) = delete;
    Running &operator=(const Running &) = delete;

   private:
    lh_running *slot_;
    lh_running saved_{};
  };
  ~UserBase() override {
    if (timer_) host().timer_destroy(timer_);
  }

  // The target of this user: -H/--host when given, else the class's static
  // `host` (Locust's precedence). Protocol users (HttpUser, GrpcUser, ...)
  // point their client at it in their constructors.
  static std::string_view target_host() {
    std::string_view h = option("host");
    if (h.empty() && detail::t_constructing_default_host) h = detail::t_constructing_default_host;
    return h;
  }

  virtual Task<> on_start() { co_return; }
  virtual Task<> on_stop() { co_return; }

  // Sleeps on the loop (a stop ends the sleep early).
  struct [[nodiscard]] SleepAwaiter {
    UserBase &user;
    Duration delay;
    bool await_ready() const noexcept { return delay <= Duration(0) && user.io_since_yield_; }
    void await_suspend(std::coroutine_handle<> h) {
      user.sleeper_ = h;
      user.io_since_yield_ = false;
      // A zero wait still goes through the loop, so a task with no I/O
      // cannot starve every other user of this thread.
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
      host().timer_arm(user.timer_, uint64_t(us > 0 ? us : 0));
    }
    void await_resume() const noexcept {}
  };
  SleepAwaiter sleep(Duration delay) { return SleepAwaiter{*this, delay}; }

  bool stopping() const { return stopping_; }
  Random &random() { return random_; }
  lh_user *handle() const { return handle_; }
  lh_loop *loop() const { return loop_; }

  // Reports a measured operation of your own into the stats, like a
  // plugin's request (Locust's events.request.fire). `error` empty = success.
  void report_request(std::string_view type, std::string_view name, Duration response_time,
                      uint64_t bytes = 0, std::string_view error = {}) {
    lh_request_event e{};
    e.size = sizeof(e);
    e.type = detail::str(type);
    e.name = detail::str(name);
    e.start_ns = now_ns();
    e.response_time_us = uint64_t(response_time.count() * 1e6);
    e.bytes_received = bytes;
    e.error = error.empty() ? lh_str{nullptr, 0} : detail::str(error);
    host().report(loop_, &e);
  }

  // Counts an error in the exceptions table and fires user_error.
  void report_error(std::string_view message) {
    host().user_error(handle_, detail::str(message));
  }

  // ---- driven by the scenario entry (scenario.hpp) ----
  void start_life() {
    Running running(this);
    life_ = life();
    life_.start_detached();
  }
  void request_stop() {
    stopping_ = true;
    if (sleeper_) {
      Running running(this);
      host().timer_disarm(timer_);
      std::exchange(sleeper_, {}).resume();
    } else if (iteration_waiter_) {
      Running running(this);
      std::exchange(iteration_waiter_, {}).resume();
    }
  }
  // The host's run_iteration (open model): the idle user runs one task.
  void run_iteration() {
    if (!iteration_waiter_) return;  // not idle: the host broke its promise, or a stop came first
    Running running(this);
    std::exchange(iteration_waiter_, {}).resume();
  }
  // Locust's stop without a stop timeout (lh_user_class.interrupt): the
  // current task is abandoned where it waits — never resumed; its frames go
  // with the user — and on_stop runs now, in a coroutine of its own. The
  // epoch tells a resume posted for the abandoned task (a call's result
  // that arrived just before) to do nothing.
  void interrupt_life() {
    if (finished_) return;  // user_finished already called
    stopping_ = true;
    ++epoch_;
    if (sleeper_) {
      host().timer_disarm(timer_);
      sleeper_ = {};
    }
    iteration_waiter_ = {};  // an idle open-model user: nothing to abandon
    Running running(this);
    if (in_on_stop_) {  // on_stop was already running: it is what is cut
      finish_life();
      return;
    }
    stop_life_ = stop_after_interrupt();
    stop_life_.start_detached();
  }
  // Which life a suspended coroutine belongs to (see interrupt_life).
  uint64_t epoch() const { return epoch_; }
  void note_io() { io_since_yield_ = true; }
  void setup_after_construction() { filter_by_tags(); }

  // Runs one holder's tasks until stopped, interrupted or StopUser.
  // Returns how it ended.
  enum class LoopEnd { stopped, stop_user, interrupted_reschedule, interrupted_wait };
  Task<LoopEnd> run_tasks(TaskHolder &holder) {
    if (holder.tasks_.empty()) {
      report_error("no tasks to run (none defined, or all filtered out by --tags/--exclude-tags)");
      co_return LoopEnd::stop_user;
    }
    const char *outer_task = current_task_;  // a TaskSet's tasks run inside a task
    while (!stopping_) {
      TaskEntry *entry = holder.pick(random_);
      if (!entry) break;
      if (!detail::iteration_may_start()) co_return LoopEnd::stop_user;  // -i reached
      begin_paced_iteration(holder);
      TaskOutcome outcome = co_await run_one_task(holder, *entry, outer_task);
      if (outcome.end) co_return *outcome.end;
      if (stopping_) break;
      co_await sleep(outcome.skip_wait ? Duration(0) : wait_for(holder));
    }
    set_current_task(outer_task);
    co_return stopping_ ? LoopEnd::stopped : LoopEnd::stop_user;
  }

  // How one task ended, for the loop that ran it: the loop ends (StopUser,
  // a TaskSet's interrupt), or goes on, with or without the wait.
  struct TaskOutcome {
    std::optional<LoopEnd> end;
    bool skip_wait = false;
  };
  // Runs one task of `holder` — the closed loop's and the open model's
  // iteration alike — turning what it throws into its outcome.
  Task<TaskOutcome> run_one_task(TaskHolder &holder, TaskEntry &entry, const char *outer_task) {
    set_current_task(entry.label.c_str());
    task_started_ns_ = now_ns();
    TaskOutcome outcome;
    try {
      co_await entry.run(entry);
    } catch (const RescheduleTask &) {
      outcome.skip_wait = true;
    } catch (const StopUser &) {
      outcome.end = LoopEnd::stop_user;
    } catch (const InterruptTaskSet &i) {
      if (&holder != this) outcome.end = i.reschedule ? LoopEnd::interrupted_reschedule : LoopEnd::interrupted_wait;
    } catch (const std::exception &e) {
      report_error(e.what());
    } catch (...) {
      report_error("unknown exception");
    }
    detail::iteration_done();
    set_current_task(outer_task);  // a TaskSet's names die with it
    co_return outcome;
  }

  // The open model: one task per run_iteration from the host, until
  // stopped, StopUser or -i.
  Task<> run_open_iterations() {
    if (tasks_.empty()) {
      report_error("no tasks to run (none defined, or all filtered out by --tags/--exclude-tags)");
      co_return;
    }
    while (!stopping_) {
      co_await IterationAwaiter{*this};  // idle until the host starts an iteration (or a stop)
      if (stopping_) break;
      TaskEntry *entry = pick(random_);
      if (!entry) break;
      if (!detail::iteration_may_start()) co_return;  // -i reached
      TaskOutcome outcome = co_await run_one_task(*this, *entry, nullptr);
      if (outcome.end == LoopEnd::stop_user) co_return;
    }
  }

  const WaitTime &wait_time_of(TaskHolder &holder) const {
    return holder.wait_time ? holder.wait_time : wait_time;
  }

  // A paced user (PacedWait) tells the host when this task should have
  // started: the previous intended start plus the period, the first at once.
  void begin_paced_iteration(TaskHolder &holder) {
    const PacedWait *paced = wait_time_of(holder).target<PacedWait>();
    if (!paced || detail::g_host->abi.minor < 3 || !host().iteration_begins) return;
    uint64_t now = now_ns();
    paced_intended_ns_ = paced_intended_ns_ ? paced_intended_ns_ + period_ns(*paced) : now;
    host().iteration_begins(handle_, paced_intended_ns_);
  }
  static uint64_t period_ns(const PacedWait &paced) { return uint64_t(std::max(0.0, paced.period.count()) * 1e9); }

  Duration wait_for(TaskHolder &holder) {
    const WaitTime &w = wait_time_of(holder);
    if (!w) return Duration(0);
    if (const PacedWait *paced = w.target<PacedWait>(); paced && paced_intended_ns_) {
      // Until the next intended start; none when behind schedule.
      uint64_t next = paced_intended_ns_ + period_ns(*paced), now = now_ns();
      return Duration(next > now ? double(next - now) / 1e9 : 0.0);
    }
    WaitContext ctx{Duration(double(now_ns() - task_started_ns_) / 1e9), random_};
    return w(ctx);
  }

 private:
  // Tells the host this user is idle and waits for run_iteration; the host
  // never calls it back inside iteration_done, so the handle is set first.
  struct [[nodiscard]] IterationAwaiter {
    UserBase &user;
    bool await_ready() const noexcept { return user.stopping_; }
    void await_suspend(std::coroutine_handle<> h) {
      user.iteration_waiter_ = h;
      host().iteration_done(user.handle_);
    }
    void await_resume() const noexcept {}
  };

  // The host drives this user by arrival rate (a host older than ABI 1.3
  // never does).
  bool open_model() const {
    return detail::g_host->abi.minor >= 3 && host().user_is_open && host().user_is_open(handle_);
  }

  static void on_timer(void *ud) {
    auto *self = static_cast<UserBase *>(ud);
    Running running(self);
    if (auto h = std::exchange(self->sleeper_, {})) h.resume();
  }

  // The task in the crash report's slot too, when this user is the one
  // running (its Running scope wrote the old name there).
  void set_current_task(const char *label) {
    current_task_ = label;
    if (running_slot_ && running_slot_->user == handle_) running_slot_->task = label;
  }

  Task<> life() {
    bool stop_user = false;
    set_current_task("on_start");
    try {
      co_await on_start();
    } catch (const StopUser &) {
      stop_user = true;
    } catch (const std::exception &e) {
      // As in Locust, the user dies here: no tasks, no on_stop, and it is
      // not replaced.
      report_error(e.what());
      finish_life();
      co_return;
    } catch (...) {
      report_error("unknown exception");
      finish_life();
      co_return;
    }
    set_current_task(nullptr);
    if (!stop_user && !stopping_) {
      if (open_model()) co_await run_open_iterations();
      else co_await run_tasks(*this);
    }
    co_await run_on_stop();
  }

  // After interrupt_life: the open TaskSets' on_stop, innermost first, then
  // the user's (Locust runs both on a GreenletExit).
  Task<> stop_after_interrupt() {
    while (!task_sets_.empty()) {
      TaskSetBase *set = task_sets_.back();
      task_sets_.pop_back();
      co_await run_task_set_stop(*set);
    }
    co_await run_on_stop();
  }
  Task<> run_task_set_stop(TaskSetBase &set);

  Task<> run_on_stop() {
    in_on_stop_ = true;
    set_current_task("on_stop");
    try {
      co_await on_stop();
    } catch (const std::exception &e) {
      report_error(e.what());
    } catch (...) {
      report_error("unknown exception");
    }
    finish_life();
  }

  void finish_life() {
    set_current_task(nullptr);
    if (finished_) return;
    finished_ = true;
    host().user_finished(handle_);
  }

  friend class TaskSetBase;

  lh_user *handle_;
  lh_loop *loop_;
  lh_timer *timer_ = nullptr;
  std::coroutine_handle<> sleeper_;
  std::coroutine_handle<> iteration_waiter_;  // open model: idle, until run_iteration
  Task<> life_;
  Task<> stop_life_;  // on_stop after an interrupt
  std::vector<TaskSetBase *> task_sets_;  // running, outermost first
  uint64_t epoch_ = 0;
  Random random_;
  uint64_t task_started_ns_ = 0;
  uint64_t paced_intended_ns_ = 0;  // a paced user's current intended start (0: none yet)
  lh_running *running_slot_ = nullptr;  // the loop's, for the crash report
  const char *current_task_ = nullptr;  // its label, while a task runs
  bool stopping_ = false;
  bool in_on_stop_ = false;
  bool finished_ = false;
  bool io_since_yield_ = false;
};

// A plain user (no protocol client); protocol users derive from it.
using User = UserBase;

// A group of tasks run as one task of its parent, until interrupt().
class TaskSetBase : public TaskHolder {
 public:
  virtual Task<> on_start() { co_return; }
  virtual Task<> on_stop() { co_return; }
  // Back to the parent: with reschedule, it picks its next task at once;
  // without, it waits first.
  [[noreturn]] void interrupt(bool reschedule = true) { throw InterruptTaskSet{reschedule}; }
  UserBase &base_user() { return *user_; }

  // Runs the set as one task of its parent.
  Task<> run(UserBase &user, const std::vector<std::string> &tags) {
    user_ = &user;
    filter_by_tags(tags);
    co_await on_start();
    user.task_sets_.push_back(this);  // an interrupt from here on runs its on_stop
    UserBase::LoopEnd end = co_await user.run_tasks(*this);
    user.task_sets_.pop_back();
    co_await on_stop();
    if (end == UserBase::LoopEnd::stop_user) throw StopUser{};
    if (end == UserBase::LoopEnd::interrupted_reschedule) throw RescheduleTask{};
  }

 protected:
  UserBase *user_ = nullptr;
};

template <class U>
class TaskSet : public TaskSetBase {
 public:
  U &user() { return static_cast<U &>(*user_); }
};

inline Task<> UserBase::run_task_set_stop(TaskSetBase &set) {
  try {
    co_await set.on_stop();
  } catch (const std::exception &e) {
    report_error(e.what());
  } catch (...) {
    report_error("unknown exception");
  }
}

template <class U>
class SequentialTaskSet : public TaskSet<U> {
 public:
  SequentialTaskSet() { this->sequential_ = true; }
};

template <class TS>
Task<> run_task_set(UserBase &user, std::vector<std::string> tags) {
  TS set;  // a fresh instance each time it is picked, as in Locust
  co_await set.run(user, tags);
}

namespace detail {
inline std::string demangle(const char *mangled) {
  int status = 0;
  char *name = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && name ? name : mangled;
  std::free(name);
  auto colon = out.rfind("::");
  return colon == std::string::npos ? out : out.substr(colon + 2);
}
}  // namespace detail

template <class TS>
TaskEntry &TaskHolder::task_set(uint32_t weight) {
  TaskHolder *self = this;
  auto &entry = add(weight, [self](const TaskEntry &e) -> Task<> {
    // Which user: the holder is a user, or a TaskSet attached to one.
    UserBase *user = dynamic_cast<UserBase *>(self);
    if (!user) user = &static_cast<TaskSetBase *>(self)->base_user();
    return run_task_set<TS>(*user, e.tags);
  });
  entry.is_task_set = true;
  entry.label = detail::demangle(typeid(TS).name());
  entry.describe_set = [](const TaskEntry &e, uint32_t depth, lh_task_visit_fn visit, void *ud) {
    TS set;
    static_cast<TaskHolder &>(set).filter_by_tags(e.tags);
    set.describe(depth, visit, ud);
  };
  return entry;
}

}  // namespace loadhost
