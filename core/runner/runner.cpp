#include "core/runner/runner.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/engine/clock.hpp"
#include "core/engine/open_file_limit.hpp"
#include "core/engine/user_runtime.hpp"

namespace loadhost::core {

namespace asio = boost::asio;

namespace {
constexpr auto kSpawnInterval = std::chrono::milliseconds(10);
constexpr auto kStatsInterval = std::chrono::seconds(1);
constexpr auto kStopPollInterval = std::chrono::milliseconds(10);

// The classes -u/-r spawn: those not run by arrival rate.
std::vector<const lh_user_class *> closed_classes_of(const lh_scenario &s, const RunOptions &options) {
  return split_open_classes(s, options.arrival).closed;
}
}  // namespace

const char *to_string(RunnerState state) {
  switch (state) {
    case RunnerState::ready: return "ready";
    case RunnerState::spawning: return "spawning";
    case RunnerState::running: return "running";
    case RunnerState::stopping: return "stopping";
    case RunnerState::stopped: return "stopped";
  }
  return "?";
}

Runner::Runner(Engine &engine, const lh_scenario &scenario, RunOptions options)
    : Runner(engine, scenario, std::move(options), std::make_unique<asio::io_context>()) {}

Runner::Runner(Engine &engine, const lh_scenario &scenario, RunOptions options,
               asio::io_context &control)
    : engine_(engine),
      scenario_(scenario),
      options_(std::move(options)),
      dispatcher_(closed_classes_of(scenario, options_)),
      control_(control),
      cpu_monitor_(options_.cpu_warning_percent, options_.cpu_warning_window_s) {}

Runner::Runner(Engine &engine, const lh_scenario &scenario, RunOptions options,
               std::unique_ptr<asio::io_context> own)
    : engine_(engine),
      scenario_(scenario),
      options_(std::move(options)),
      dispatcher_(closed_classes_of(scenario, options_)),
      own_control_(std::move(own)),
      control_(*own_control_),
      cpu_monitor_(options_.cpu_warning_percent, options_.cpu_warning_window_s) {}

Runner::~Runner() { *alive_ = nullptr; }  // a loop's late handover reply finds no runner

uint64_t Runner::user_count() const {
  uint64_t n = 0;
  for (auto &loop : engine_.loops()) n += loop->users().alive();
  return n;
}

std::string Runner::placement() const { return fmt::format("on {} threads", engine_.loop_count()); }

double Runner::elapsed_s() const { return start_ns_ ? double(monotonic_ns() - start_ns_) / 1e9 : 0; }

void Runner::set_state(RunnerState state) {
  state_ = state;
  if (on_state) on_state(state);
}

void Runner::run() {
  start();
  control_.run();
}

void Runner::start() {
  engine_.clear_failure();
  std::string loops_error = engine_.create_loops();  // idle until started: safe to hand them the hooks
  for (auto &loop : engine_.loops())
    loop->set_loop_hooks(Loop::LoopHooks{engine_.hooks().subscribers(LH_HOOK_REQUEST),
                                         engine_.hooks().subscribers(LH_HOOK_USER_ERROR),
                                         engine_.hooks().subscribers(LH_HOOK_USER_ADD),
                                         engine_.hooks().subscribers(LH_HOOK_USER_REMOVE)});
  if (loops_error.empty()) loops_error = engine_.start_loops();
  if (!loops_error.empty()) {
    // Nothing ran: the test ends here, failed, with the reason.
    engine_.fail_test(loops_error);
    stop_reason_ = loops_error;
    set_state(RunnerState::stopped);
    return;
  }
  engine_.set_quit_handler([this](std::string reason) { stop(std::move(reason)); });
  // A hook or a task asking for another user count (run_control.h).
  engine_.set_user_count_handler([this](uint32_t users, double rate) {
    if (counts_from_master_) {
      engine_.log(LH_LOG_WARNING, fmt::format("set_user_count({}) ignored on a worker: its master sets the user count", users));
      return;
    }
    if (options_.shape) {
      engine_.log(LH_LOG_WARNING, fmt::format("set_user_count({}) ignored: the load shape sets the user count", users));
      return;
    }
    set_target(users, rate);
  });
  // Before the first connect fails for want of a descriptor, not after.
  if (!options_.shape)
    if (std::string w = open_files_warning(options_.users); !w.empty()) engine_.log(LH_LOG_WARNING, w);

  started_at_ = unix_now();
  start_ns_ = monotonic_ns();
  engine_.hooks().fire(LH_HOOK_TEST_START);
  set_state(RunnerState::spawning);
  start_arrivals();
  if (options_.shape) {
    spawn_step();  // the shape's first tick decides the target
  } else {
    apply_target(options_.users, options_.spawn_rate);
  }
  arm_spawn_timer();
  arm_stats_timer();
  if (options_.run_time_s) arm_run_time(*options_.run_time_s);
}

void Runner::arm_run_time(double seconds) {
  stop_timer_.expires_after(seconds_as_duration(seconds));
  stop_timer_.async_wait([this, seconds](boost::system::error_code ec) {
    if (!ec) begin_stop_with(fmt::format("run time of {:g} s reached", seconds));
  });
}

void Runner::stop_after(double seconds) {
  asio::post(control_, [this, seconds] {
    if (state_ == RunnerState::spawning || state_ == RunnerState::running) arm_run_time(seconds);
  });
}

void Runner::stop(std::string reason) {
  asio::post(control_, [this, reason = std::move(reason)] { begin_stop_with(reason); });
}

void Runner::set_target(uint32_t users, double spawn_rate) {
  asio::post(control_, [this, users, spawn_rate] {
    if (state_ == RunnerState::spawning || state_ == RunnerState::running)
      apply_target(users, spawn_rate);
  });
}

void Runner::reset_stats() {
  asio::post(control_, [this] {
    merge_stats();  // what the loops hold now is from before the reset too
    stats_.reset(unix_now());
    engine_.hooks().fire(LH_HOOK_RESET_STATS, user_count());
  });
}

void Runner::apply_target(uint32_t users, double rate) {
  uint64_t now = monotonic_ns();
  if (users != target_ || rate != rate_) {
    ramp_start_ns_ = now;
    ramp_start_count_ = spawned_.size();
  }
  target_ = users;
  rate_ = rate;
  if (spawned_.size() != target_ && state_ == RunnerState::running) set_state(RunnerState::spawning);
  spawn_step();
}

void Runner::arm_spawn_timer() {
  spawn_timer_.expires_after(kSpawnInterval);
  spawn_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || state_ == RunnerState::stopping || state_ == RunnerState::stopped) return;
    spawn_step();
    arm_spawn_timer();
  });
}

void Runner::spawn_step() {
  if (options_.shape) {
    double t = elapsed_s();
    if (last_shape_tick_s_ < 0 || t - last_shape_tick_s_ >= 1.0) {
      last_shape_tick_s_ = t;
      std::optional<ShapeTick> tick = options_.shape(t, user_count());
      if (!tick) {
        begin_stop_with("the load shape ended the test");
        return;
      }
      if (!tick->error.empty()) {
        engine_.fail_test(tick->error);  // stops the test with the line
        return;
      }
      if (tick->arrival_rate != shape_arrival_rate_) apply_shape_arrival_rate(t, tick->arrival_rate);
      if (tick->classes != stage_classes_) use_classes(tick->classes);
      if (tick->users != target_ || tick->spawn_rate != rate_) {
        ramp_start_ns_ = monotonic_ns();
        ramp_start_count_ = spawned_.size();
        target_ = tick->users;
        rate_ = tick->spawn_rate;
      }
      // Each stage's target reached is a spawn completed, as Locust fires
      // spawning_complete per start() of its shape.
      if (spawned_.size() != target_ && state_ == RunnerState::running) set_state(RunnerState::spawning);
    }
  }
  // Where the ramp should be by now.
  double elapsed = double(monotonic_ns() - ramp_start_ns_) / 1e9;
  uint64_t have = spawned_.size();
  uint64_t want = target_;
  if (rate_ > 0) {
    double moved = std::floor(rate_ * elapsed) + 1;  // the first user at once
    if (target_ > ramp_start_count_)
      want = std::min<uint64_t>(target_, ramp_start_count_ + uint64_t(moved));
    else
      want = std::max<int64_t>(int64_t(target_), int64_t(ramp_start_count_) - int64_t(moved));
  }
  if (want > have) spawn(want - have);
  else if (want < have) despawn(have - want);

  bool full = spawned_.size() == target_ || !can_spawn_more_;
  if (state_ == RunnerState::spawning && full) {
    set_state(RunnerState::running);
    engine_.hooks().fire(LH_HOOK_SPAWNING_COMPLETE, spawned_.size());
    // An open-only run has no closed users to speak of: its pools start
    // as the schedule asks (the start line said how).
    if (open_classes_.empty() || !spawned_.empty())
      engine_.log(LH_LOG_INFO, fmt::format("all users spawned: {} ({} total)", describe_counts(), spawned_.size()));
  }
}

uint32_t Runner::scenario_index(const lh_user_class *cls) const {
  for (uint32_t i = 0; i < scenario_.class_count; ++i)
    if (scenario_.classes[i] == cls) return i;
  return 0;
}

void Runner::use_classes(const std::vector<uint32_t> &classes) {
  stage_classes_ = classes;
  auto in_stage = [&](uint32_t cls) {
    return classes.empty() || std::find(classes.begin(), classes.end(), cls) != classes.end();
  };
  // Users of the classes the stage leaves out stop, newest first.
  auto &loops = engine_.loops();
  std::vector<std::vector<uint32_t>> stop(loops.size(), std::vector<uint32_t>(scenario_.class_count, 0));
  for (size_t i = spawned_.size(); i-- > 0;) {
    if (in_stage(spawned_[i].first)) continue;
    ++stop[spawned_[i].second][spawned_[i].first];
    spawned_.erase(spawned_.begin() + std::ptrdiff_t(i));
  }
  post_to_loops(stop, true);
  // New users come from the stage's classes, by weight, continuing from
  // the users that stay.
  std::vector<const lh_user_class *> picked;
  for (uint32_t c = 0; c < scenario_.class_count; ++c)
    if (in_stage(c) && !is_open(c)) picked.push_back(scenario_.classes[c]);
  dispatcher_ = UsersDispatcher(std::move(picked));
  for (size_t i = 0; i < spawned_.size(); ++i) dispatcher_.next();
  can_spawn_more_ = true;
  ramp_start_ns_ = monotonic_ns();
  ramp_start_count_ = spawned_.size();
}

std::vector<uint32_t> Runner::class_counts() const {
  std::vector<uint32_t> counts(scenario_.class_count, 0);
  for (auto &[cls, loop] : spawned_) ++counts[cls];
  return counts;
}

std::string Runner::describe_counts() {
  std::vector<uint32_t> counts = class_counts();
  std::string out;
  for (uint32_t i = 0; i < scenario_.class_count; ++i)
    out += fmt::format("{}\"{}\": {}", out.empty() ? "" : ", ", scenario_.classes[i]->name, counts[i]);
  return out;
}

void Runner::spawn(uint64_t count) {
  auto &loops = engine_.loops();
  // Batch per (loop, class) so each loop gets one post per step.
  std::vector<std::vector<uint32_t>> batch(loops.size(), std::vector<uint32_t>(scenario_.class_count, 0));
  for (uint64_t i = 0; i < count; ++i) {
    const lh_user_class *cls = dispatcher_.next();
    if (!cls) {
      can_spawn_more_ = false;  // only fixed-count classes, all full
      break;
    }
    uint32_t cls_index = scenario_index(cls);
    uint32_t loop = next_loop_;
    next_loop_ = (next_loop_ + 1) % uint32_t(loops.size());
    spawned_.emplace_back(cls_index, loop);
    ++batch[loop][cls_index];
  }
  post_to_loops(batch, false);
}

void Runner::despawn(uint64_t count) {
  auto &loops = engine_.loops();
  std::vector<std::vector<uint32_t>> batch(loops.size(), std::vector<uint32_t>(scenario_.class_count, 0));
  for (uint64_t i = 0; i < count && !spawned_.empty(); ++i) {
    auto [cls, loop] = spawned_.back();
    spawned_.pop_back();
    ++batch[loop][cls];
    next_loop_ = loop;  // the next spawn refills the same loop
  }
  dispatcher_.rewind(count);
  can_spawn_more_ = true;
  post_to_loops(batch, true);
}

// One post per (loop, class) with users to start or stop.
void Runner::post_to_loops(const std::vector<std::vector<uint32_t>> &batch, bool stop) {
  auto &loops = engine_.loops();
  StopRule rule = stop_rule();
  for (size_t l = 0; l < loops.size(); ++l) {
    for (uint32_t c = 0; c < scenario_.class_count; ++c) {
      uint32_t n = batch[l][c];
      if (!n) continue;
      Loop *loop = loops[l].get();
      const lh_user_class *cls = scenario_.classes[c];
      if (stop)
        asio::post(loop->io(), [loop, cls, n, rule] { loop->users().stop(cls, n, rule); });
      else
        asio::post(loop->io(), [loop, cls, n] { loop->users().spawn(cls, n); });
    }
  }
}

void Runner::set_class_counts(std::vector<uint32_t> counts) {
  counts_from_master_ = true;
  asio::post(control_, [this, counts = std::move(counts)] {
    if (state_ == RunnerState::spawning || state_ == RunnerState::running) apply_class_counts(counts);
  });
}

// A worker's share: exact per-class counts, all at once (the master ramps).
// The dispatcher is bypassed; target_ follows, so spawn_step sees nothing
// left to do and only reports the spawn as complete.
void Runner::apply_class_counts(const std::vector<uint32_t> &counts) {
  auto &loops = engine_.loops();
  std::vector<std::vector<uint32_t>> start(loops.size(), std::vector<uint32_t>(scenario_.class_count, 0));
  std::vector<std::vector<uint32_t>> stop = start;
  std::vector<uint32_t> have = class_counts();
  uint64_t total = 0;
  for (uint32_t c = 0; c < scenario_.class_count; ++c) {
    uint32_t want = c < counts.size() ? counts[c] : 0;
    total += want;
    for (uint32_t i = have[c]; i < want; ++i) {
      uint32_t loop = next_loop_;
      next_loop_ = (next_loop_ + 1) % uint32_t(loops.size());
      spawned_.emplace_back(c, loop);
      ++start[loop][c];
    }
    // Newest of this class first.
    uint32_t extra = have[c] > want ? have[c] - want : 0;
    for (size_t i = spawned_.size(); extra > 0 && i-- > 0;) {
      if (spawned_[i].first != c) continue;
      ++stop[spawned_[i].second][c];
      spawned_.erase(spawned_.begin() + std::ptrdiff_t(i));
      --extra;
    }
  }
  post_to_loops(start, false);
  post_to_loops(stop, true);
  target_ = uint32_t(total);
  rate_ = 0;
  ramp_start_ns_ = monotonic_ns();
  ramp_start_count_ = spawned_.size();
  if (state_ == RunnerState::running) set_state(RunnerState::spawning);
  spawn_step();
}

void Runner::arm_stats_timer() {
  stats_timer_.expires_after(kStatsInterval);
  stats_timer_.async_wait([this](boost::system::error_code ec) {
    // A tick already queued when finish() cancelled the timer comes without
    // an error: it must not re-arm, or the control loop never returns.
    if (ec || state_ == RunnerState::stopped) return;
    // A loop that has not answered the last round in a whole second is
    // stuck in a handler (the CPU warning says so): report what the others
    // handed over rather than skip a second.
    if (handovers_pending_ > 0) end_tick();
    ask_loops_for_shards();
    arm_stats_timer();
  });
}

// One handover per tick (docs/design.md, "Stats: one handover per tick"):
// each loop swaps its shard with its drained outbox, O(1), and says so;
// when the last has, the outboxes are merged once and the tick reported.
// So the table a tick shows holds everything recorded up to that tick, cut
// at about the same moment on every loop, and only this timer drives it.
void Runner::ask_loops_for_shards() {
  handovers_pending_ = engine_.loops().size();
  const uint64_t round = ++handover_round_;
  if (handovers_pending_ == 0) return end_tick();
  for (auto &l : engine_.loops()) {
    Loop *loop = l.get();
    asio::post(loop->io(), [loop, round, alive = alive_, &control = control_] {
      loop->flush_shard();
      // The control context outlives every loop handler: finish() joins
      // the loops before a runner (and its own context) can go.
      asio::post(control, [round, alive] {
        if (Runner *runner = *alive) runner->shard_handed_over(round);
      });
    });
  }
}

void Runner::shard_handed_over(uint64_t round) {
  if (round != handover_round_ || handovers_pending_ == 0 || state_ == RunnerState::stopped) return;
  if (--handovers_pending_ == 0) end_tick();
}

void Runner::end_tick() {
  handovers_pending_ = 0;
  merge_stats();
  check_cpu();
  if (on_tick) on_tick(stats_, user_count());
}

void Runner::start_arrivals() {
  open_classes_ = split_open_classes(scenario_, options_.arrival).open;
  if (!open_classes_.empty()) start_arrivals_on_loops();
}

// Each loop's schedule for the open classes: its lanes of the one sequence
// of slots (this node's, among options_.arrival.nodes).
void Runner::start_arrivals_on_loops() {
  auto &loops = engine_.loops();
  for (uint32_t l = 0; l < loops.size(); ++l) {
    Loop *loop = loops[l].get();
    asio::post(loop->io(), [loop,
                            lanes = lanes_for_loop(scenario_, open_classes_, l, uint32_t(loops.size()),
                                                   options_.arrival.node, options_.arrival.nodes),
                            start = start_ns_]() mutable { loop->users().arrivals().start(std::move(lanes), start); });
  }
}

// A shape's tick returning a rate drives the classes --arrival-rate would
// (every class without a fixed_count): the first such tick makes them open
// from then on, later ones change the rate from their moment.
void Runner::apply_shape_arrival_rate(double at_s, double rate) {
  shape_arrival_rate_ = rate;
  if (!shape_drives_arrivals_) {
    if (!open_classes_.empty() || !spawned_.empty()) {
      engine_.log(LH_LOG_WARNING, open_classes_.empty()
                                      ? "the load shape's arrival_rate is ignored: its first tick must give it "
                                        "(closed users of the classes it would drive already run)"
                                      : "the load shape's arrival_rate is ignored: the open classes have rates of "
                                        "their own");
      return;
    }
    shape_drives_arrivals_ = true;
    options_.arrival.plan = ArrivalPlan::constant(0).with_rate_from(at_s, rate);
    OpenClasses split = split_open_classes(scenario_, options_.arrival);
    if (!split.error.empty()) {
      engine_.fail_test(split.error);
      return;
    }
    open_classes_ = std::move(split.open);
    dispatcher_ = UsersDispatcher(std::move(split.closed));
    start_arrivals_on_loops();
    return;
  }
  // Each class keeps its share of the total (its weight's).
  std::vector<double> shares;
  uint64_t weights = 0;
  for (const OpenClass &oc : open_classes_) weights += scenario_.classes[oc.index]->weight;
  for (const OpenClass &oc : open_classes_)
    shares.push_back(weights ? double(scenario_.classes[oc.index]->weight) / double(weights) : 0.0);
  for (auto &l : engine_.loops()) {
    Loop *loop = l.get();
    asio::post(loop->io(), [loop, at_s, rate, shares] { loop->users().arrivals().change_rate(at_s, rate, shares); });
  }
}

bool Runner::is_open(uint32_t class_index) const {
  return std::any_of(open_classes_.begin(), open_classes_.end(),
                     [&](const OpenClass &oc) { return oc.index == class_index; });
}

void Runner::check_cpu() {
  std::vector<uint64_t> cpu;
  for (auto &loop : engine_.loops()) cpu.push_back(loop->thread_cpu_ns());
  bool warned_before = cpu_monitor_.warned();
  std::optional<CpuMonitor::Busy> busy = cpu_monitor_.sample(cpu, monotonic_ns());
  if (!busy) return;
  if (!warned_before)
    engine_.log(LH_LOG_WARNING,
                fmt::format("loop thread {} used {:.0f}% of a core over the last {:g} s (above {:g}%): loadhost itself "
                            "may be limiting the load and adding to the response times; use more --threads, or "
                            "spread the load over more processes or machines (--master/--worker)",
                            busy->loop, busy->percent, options_.cpu_warning_window_s, options_.cpu_warning_percent));
  lh_hook_args args{};
  args.size = sizeof(args);
  args.kind = LH_HOOK_CPU_WARNING;
  args.cpu_percent = busy->percent;
  args.loop_index = busy->loop;
  engine_.hooks().fire(args);
}

void Runner::merge_stats() {
  const uint64_t started = calling_thread_cpu_ns();
  for (auto &loop : engine_.loops()) loop->drain_outbox(stats_, delta_sink_);
  if (std::string w = merge_watch_.after_merge(stats_, calling_thread_cpu_ns() - started); !w.empty())
    engine_.log(LH_LOG_WARNING, w);
}

void Runner::begin_stop_with(std::string reason) {
  if (state_ == RunnerState::stopping || state_ == RunnerState::stopped) return;
  stop_reason_ = std::move(reason);
  set_state(RunnerState::stopping);
  engine_.hooks().fire(LH_HOOK_TEST_STOPPING, user_count());
  spawn_timer_.cancel();
  stop_timer_.cancel();
  stop_started_ns_ = monotonic_ns();
  StopRule rule = stop_rule();
  for (auto &l : engine_.loops()) {
    Loop *loop = l.get();
    asio::post(loop->io(), [loop, rule] { loop->users().stop_all(rule); });
  }
  poll_stopped();
}

void Runner::poll_stopped() {
  if (user_count() == 0) {
    finish();
    return;
  }
  uint64_t waited = monotonic_ns() - stop_started_ns_;
  if (!abandoned_ && waited > options_.stop_timeout_ns + options_.drain_timeout_ns) {
    abandoned_ = true;
    engine_.log(LH_LOG_WARNING,
                fmt::format("{} users still had requests in flight {:g} s after the stop; "
                            "ending them (each such request counts as a failure: interrupted: no response "
                            "before the test stopped)",
                            user_count(), double(waited) / 1e9));
    for (auto &l : engine_.loops()) {
      Loop *loop = l.get();
      asio::post(loop->io(), [loop] { loop->users().abandon_all(); });
    }
  }
  stop_timer_.expires_after(kStopPollInterval);
  stop_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) poll_stopped();
  });
}

void Runner::finish() {
  engine_.set_quit_handler(nullptr);
  engine_.set_user_count_handler(nullptr);
  if (cpu_monitor_.warned())
    engine_.log(LH_LOG_WARNING, fmt::format("a loop thread was above {:g}% CPU at some point during the test: the "
                                            "results may be limited by loadhost itself (see the warning above)",
                                            options_.cpu_warning_percent));
  engine_.stop_loops();  // joins: what is left in outboxes and shards is final
  handovers_pending_ = 0;  // a round in flight ends here
  merge_stats();
  stats_timer_.cancel();
  spawn_timer_.cancel();
  stop_timer_.cancel();
  if (std::string s = merge_watch_.summary(stats_); !s.empty()) engine_.log(LH_LOG_INFO, s);
  set_state(RunnerState::stopped);
  engine_.hooks().fire(LH_HOOK_TEST_STOP);
  if (on_tick) on_tick(stats_, 0);
}

}  // namespace loadhost::core
