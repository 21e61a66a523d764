#include "core/engine/arrival_driver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <optional>

#include "core/engine/clock.hpp"
#include "core/engine/loop.hpp"
#include "core/engine/user_runtime.hpp"

namespace loadhost::core {

using UserList = boost::intrusive::list<User, boost::intrusive::base_hook<IdleUsersHook>,
                                        boost::intrusive::constant_time_size<false>>;

struct ArrivalDriver::Lane {
  ArrivalLaneConfig config;
  uint64_t next_slot = 0;              // this loop's k-th slot: offset + k * stride of the plan
  std::optional<uint64_t> next_due_ns;  // none: the plan has ended
  uint32_t pool = 0;                   // users of the lane alive on this loop, starting ones too
  // Waiting for an iteration. The most recently idle goes first: its
  // connection is warm, and users the rate does not need stay unused.
  UserList idle;
  UserList starting_done;              // given a slot (spawned for it, or a waiting one): run it next
  std::deque<uint64_t> waiting;        // due slots (intended starts) no user was free for
  size_t waiting_limit = 1;            // a second's worth of this loop's slots
};

namespace {
// A second's worth of the lane's slots on this loop (at its peak rate).
size_t one_second_of_slots(const ArrivalLaneConfig &config) {
  double peak = 0;
  for (const ArrivalPlan::Segment &s : config.plan.segments()) peak = std::max({peak, s.from_rate, s.to_rate});
  return std::max<size_t>(1, size_t(std::ceil(peak / double(std::max<uint32_t>(1, config.slot_stride)))));
}
}  // namespace

ArrivalDriver::ArrivalDriver(Loop &loop, UserRuntime &users) : loop_(loop), users_(users), timer_(loop.io()) {}

ArrivalDriver::~ArrivalDriver() = default;

void ArrivalDriver::start(std::vector<ArrivalLaneConfig> lanes, uint64_t start_ns) {
  lanes_.clear();
  stopped_ = false;
  start_ns_ = start_ns;
  for (ArrivalLaneConfig &config : lanes) {
    auto lane = std::make_unique<Lane>();
    lane->config = std::move(config);
    lane->next_slot = 0;
    lane->waiting_limit = one_second_of_slots(lane->config);
    std::optional<double> t = lane->config.plan.time_of(double(lane->config.slot_offset));
    if (t) lane->next_due_ns = start_ns_ + uint64_t(*t * 1e9);
    lanes_.push_back(std::move(lane));
  }
  // The pool's first users, before the first slot is due if on_start is quick.
  for (auto &lane : lanes_)
    for (uint32_t i = 0; i < lane->config.pre_allocated; ++i)
      if (users_.create_open(lane->config.cls, lane.get(), std::nullopt)) ++lane->pool;
  arm();
}

void ArrivalDriver::change_rate(double at_s, double rate, const std::vector<double> &shares) {
  for (size_t i = 0; i < lanes_.size() && i < shares.size(); ++i) {
    Lane &lane = *lanes_[i];
    lane.config.plan = lane.config.plan.with_rate_from(at_s, rate * shares[i]);
    // The same slot index on the new plan: slots before at_s keep their times.
    std::optional<double> t =
        lane.config.plan.time_of(double(lane.config.slot_offset + lane.next_slot * lane.config.slot_stride));
    lane.next_due_ns = t ? std::optional<uint64_t>(start_ns_ + uint64_t(*t * 1e9)) : std::nullopt;
  }
  arm();
}

void ArrivalDriver::stop() {
  stopped_ = true;
  timer_.cancel();
  for (auto &lane : lanes_) {
    lane->idle.clear();
    lane->starting_done.clear();
    lane->waiting.clear();
  }
}

void ArrivalDriver::user_ready(User &user) {
  // The iteration is over: calls made outside one (on_stop's) have no
  // intended start.
  user.has_intended_start = false;
  user.lateness_ns = 0;
  if (!user.lane || user.state != UserState::running || stopped_) return;
  Lane &lane = *user.lane;
  static_cast<IdleUsersHook &>(user).unlink();
  if (!user.has_pending_iteration && !lane.waiting.empty()) {
    // The oldest slot that found every user busy: it starts now, late.
    user.has_pending_iteration = true;
    user.pending_intended_ns = lane.waiting.front();
    lane.waiting.pop_front();
  }
  if (user.has_pending_iteration) {
    // Never inside the user's own call: its iteration runs from the timer.
    lane.starting_done.push_back(user);
    arm();
  } else {
    lane.idle.push_back(user);
  }
}

void ArrivalDriver::user_gone(User &user) {
  if (!user.lane) return;
  static_cast<IdleUsersHook &>(user).unlink();
  if (user.lane->pool > 0) --user.lane->pool;
}

void ArrivalDriver::arm() {
  if (stopped_) return;
  std::optional<uint64_t> earliest;
  for (auto &lane : lanes_) {
    if (!lane->starting_done.empty()) earliest = 0;
    if (lane->next_due_ns && (!earliest || *lane->next_due_ns < *earliest)) earliest = lane->next_due_ns;
  }
  if (!earliest) return;
  timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(*earliest)));
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_timer();
  });
}

void ArrivalDriver::on_timer() {
  if (stopped_) return;
  for (auto &lane : lanes_) {
    while (!lane->starting_done.empty()) {
      User &user = lane->starting_done.front();
      lane->starting_done.pop_front();
      user.has_pending_iteration = false;
      if (user.state == UserState::running) run_iteration(user, user.pending_intended_ns);
    }
  }
  const uint64_t now = monotonic_ns();
  for (auto &lane : lanes_) {
    // Every slot due by now, each with its own intended start: after a
    // stall of the loop they are late, and their latency says so.
    while (!stopped_ && lane->next_due_ns && *lane->next_due_ns <= now) {
      uint64_t intended = *lane->next_due_ns;
      advance(*lane);
      start_slot(*lane, intended);
    }
  }
  arm();
}

void ArrivalDriver::advance(Lane &lane) {
  ++lane.next_slot;
  double n = double(lane.config.slot_offset) + double(lane.next_slot) * double(lane.config.slot_stride);
  std::optional<double> t = lane.config.plan.time_of(n);
  lane.next_due_ns = t ? std::optional<uint64_t>(start_ns_ + uint64_t(*t * 1e9)) : std::nullopt;
}

void ArrivalDriver::start_slot(Lane &lane, uint64_t intended_ns) {
  while (!lane.idle.empty()) {
    User &user = lane.idle.back();
    lane.idle.pop_back();
    if (user.state != UserState::running) continue;  // stopping: it leaves the pool
    run_iteration(user, intended_ns);
    return;
  }
  if (lane.pool < lane.config.max_users) {
    // A new user runs this slot, with its intended start, once on_start is done.
    if (users_.create_open(lane.config.cls, &lane, intended_ns)) ++lane.pool;
    return;
  }
  if (lane.waiting.size() < lane.waiting_limit) {
    // Every user busy at the ceiling: the slot waits for the first one to
    // free up (a stall shows in the latency from the intended start, as
    // wrk2 measures it) ...
    lane.waiting.push_back(intended_ns);
    return;
  }
  loop_.count_iterations(0, 1);  // ... unless a second's worth already waits: dropped
}

void ArrivalDriver::run_iteration(User &user, uint64_t intended_ns) {
  uint64_t now = monotonic_ns();
  user.has_intended_start = true;
  user.lateness_ns = now > intended_ns ? now - intended_ns : 0;
  loop_.count_iterations(1, 0);
  RunningUser running(loop_, &user);
  user.cls->run_iteration(user.instance);
}

}  // namespace loadhost::core
