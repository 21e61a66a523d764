#include "core/engine/user_runtime.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "core/engine/clock.hpp"
#include "core/engine/loop.hpp"
#include "core/transport/connection.hpp"

namespace loadhost::core {

namespace {
// How long connects in flight at a kill may still complete.
constexpr auto kConnectGrace = std::chrono::seconds(1);
// Users started per handler: a few milliseconds of work.
constexpr uint32_t kSpawnSlice = 256;
}  // namespace

UserRuntime::UserRuntime(Loop &loop) : loop_(loop), calls_(loop), connect_grace_(loop.io()) {}

UserRuntime::~UserRuntime() { abandon_all(); }

void UserRuntime::spawn(const lh_user_class *cls, uint32_t count) {
  if (count == 0) return;
  pending_.push_back(Pending{cls, count});
  if (slice_posted_) return;
  slice_posted_ = true;
  boost::asio::post(loop_.io(), [this] { spawn_slice(); });
}

void UserRuntime::spawn_slice() {
  slice_posted_ = false;
  uint32_t budget = kSpawnSlice;
  while (budget > 0 && !pending_.empty()) {
    Pending &p = pending_.front();
    uint32_t n = std::min(budget, p.count);
    for (uint32_t i = 0; i < n; ++i) create(p.cls);
    budget -= n;
    if ((p.count -= n) == 0) pending_.erase(pending_.begin());
  }
  if (pending_.empty()) return;
  slice_posted_ = true;
  boost::asio::post(loop_.io(), [this] { spawn_slice(); });
}

User *UserRuntime::create_open(const lh_user_class *cls, ArrivalDriver::Lane *lane,
                               std::optional<uint64_t> pending_intended_ns) {
  return create(cls, lane, pending_intended_ns);
}

User *UserRuntime::create(const lh_user_class *cls, ArrivalDriver::Lane *lane,
                          std::optional<uint64_t> pending_intended_ns) {
  auto *user = new User();
  user->loop = &loop_;
  user->cls = cls;
  user->lane = lane;
  user->has_pending_iteration = pending_intended_ns.has_value();
  user->pending_intended_ns = pending_intended_ns.value_or(0);
  lh_str error = kAbsent;
  RunningUser running(loop_, user);
  user->instance = cls->create(cls, user, &error);
  if (!user->instance) {
    loop_.report_user_error(cls->name, "", fmt::format("cannot create a {} user: {}", cls->name,
                                                   error.data ? to_view(error) : "no reason given"));
    delete user;
    return nullptr;
  }
  running_[cls].push_back(*user);
  alive_.fetch_add(1, std::memory_order_relaxed);
  loop_.fire_user_hook(LH_HOOK_USER_ADD, user, cls->name);
  cls->start(user->instance);
  return user;
}

namespace {
bool can_interrupt(const lh_user_class *cls) {
  return cls->size >= offsetof(lh_user_class, interrupt) + sizeof(cls->interrupt) && cls->interrupt;
}
}  // namespace

void UserRuntime::begin_stop(User &user, StopRule rule) {
  user.ClassUsersHook::unlink();
  if (rule.stop_timeout_ns == 0) {
    // Locust's default: no stop timeout means stop at once — the task is
    // interrupted, on_stop still runs.
    if (can_interrupt(user.cls)) interrupt(user, rule.on_stop_timeout_ns);
    else kill(user);
    return;
  }
  user.state = UserState::stopping;
  user.kill_deadline_ns = monotonic_ns() + rule.stop_timeout_ns;
  stopping_.push_back(user);
  RunningUser running(loop_, &user);
  user.cls->stop(user.instance);
}

void UserRuntime::interrupt(User &user, uint64_t on_stop_timeout_ns) {
  user.state = UserState::interrupted;
  user.kill_deadline_ns = monotonic_ns() + on_stop_timeout_ns;
  stopping_.push_back(user);
  // The interrupted task's calls complete and are counted, but their
  // results go nowhere: the task is never resumed.
  for (Session &session : user.sessions)
    for (Call &call : session.calls) call.done = nullptr;
  calls_.end_pacing(user);
  RunningUser running(loop_, &user);
  user.cls->interrupt(user.instance);
}

void UserRuntime::stop(const lh_user_class *cls, uint32_t count, StopRule rule) {
  for (auto p = pending_.rbegin(); p != pending_.rend() && count > 0; ++p) {
    if (p->cls != cls) continue;
    uint32_t n = std::min(count, p->count);
    p->count -= n;
    count -= n;
  }
  std::erase_if(pending_, [](const Pending &p) { return p.count == 0; });
  auto it = running_.find(cls);
  if (it == running_.end()) return;
  for (uint32_t i = 0; i < count && !it->second.empty(); ++i)
    begin_stop(it->second.back(), rule);
}

void UserRuntime::stop_all(StopRule rule) {
  arrivals_.stop();
  pending_.clear();
  for (auto &[cls, users] : running_)
    while (!users.empty()) begin_stop(users.back(), rule);
  if (rule.stop_timeout_ns == 0) arm_connect_grace();
}

void UserRuntime::kill_all() {
  arrivals_.stop();
  pending_.clear();
  for (auto &[cls, users] : running_)
    while (!users.empty()) kill(users.back());
  while (!stopping_.empty()) kill(stopping_.front());
  arm_connect_grace();
}

void UserRuntime::arm_connect_grace() {
  // Connects still in flight a second from now fail then (each a counted
  // failure) rather than holding the stop for a SYN that may never be
  // answered; one a live server answers in time goes on as any call in
  // flight at a stop does, so a healthy run gets no failure from it.
  connect_grace_.expires_after(kConnectGrace);
  connect_grace_.async_wait([](boost::system::error_code ec) {
    if (!ec) Connection::fail_connecting("the test stopped while connecting (no answer within 1 s of the stop)");
  });
}

void UserRuntime::kill(User &user) {
  user.ClassUsersHook::unlink();
  user.state = UserState::killed;
  killed_.push_back(user);
  calls_.end_pacing(user);  // a held-back connect failure must not hold the stop
  if (user.in_flight == 0) post_destroy(user);
}

void UserRuntime::sweep(uint64_t now_ns) {
  while (!stopping_.empty() && stopping_.front().kill_deadline_ns <= now_ns)
    kill(stopping_.front());
}

void UserRuntime::user_finished(User &user) {
  // Calls still in flight (an interrupted task's) are waited for and
  // counted, as a killed user's are.
  if (user.in_flight > 0 && user.state != UserState::killed) kill(user);
  else post_destroy(user);
}

void UserRuntime::call_finished(User &user) {
  if (user.state == UserState::killed && user.in_flight == 0) post_destroy(user);
}

void UserRuntime::post_destroy(User &user) {
  if (user.destroy_posted) return;
  user.destroy_posted = true;
  // Posted, never inline: the caller may be the user's own code, and a
  // resume the scenario posted earlier must run before the user goes away.
  boost::asio::post(loop_.io(), [this, u = &user] { destroy(u); });
}

void UserRuntime::destroy(User *user) {
  user->ClassUsersHook::unlink();
  loop_.fire_user_hook(LH_HOOK_USER_REMOVE, user, user->cls->name);
  while (!user->sessions.empty()) calls_.close_session(user->sessions.front());
  {
    RunningUser running(loop_, user);
    user->cls->destroy(user->instance);
  }
  if (loop_.running().user == user) loop_.running() = lh_running{};  // no dangling name for a crash report
  arrivals_.user_gone(*user);
  delete user;
  alive_.fetch_sub(1, std::memory_order_relaxed);
}

void UserRuntime::abandon_all() {
  kill_all();
  std::vector<User *> all;
  for (User &u : killed_) all.push_back(&u);
  for (User *u : all) {
    // Its calls in flight count as failures: a connect or a request that
    // never got an answer is a result, not nothing (a run against a dead
    // target once ended with 0 requests and exit code 0).
    bool queued = u->destroy_posted;
    u->destroy_posted = true;  // reporting them must not post a second destroy
    while (!u->sessions.empty()) calls_.interrupt_session(u->sessions.front());
    if (!queued) destroy(u);  // else the queued destroy frees it
  }
}

}  // namespace loadhost::core
