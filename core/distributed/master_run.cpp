#include "core/distributed/master_run.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <cmath>

#include "core/distributed/protocol.hpp"
#include "core/engine/clock.hpp"

namespace loadhost::distributed {

namespace asio = boost::asio;

namespace {
constexpr auto kReportGrace = std::chrono::seconds(1);  // Locust's wait for reports after a ramp
constexpr auto kStatsTick = std::chrono::seconds(1);
}  // namespace

MasterRun::MasterRun(Master &master, core::RunOptions options)
    : master_(master),
      options_(std::move(options)),
      split_(master.scenario_, core::split_open_classes(master.scenario_, options_.arrival).closed),
      step_timer_(master.control_),
      complete_timer_(master.control_),
      stats_timer_(master.control_),
      run_timer_(master.control_),
      stop_deadline_(master.control_) {
  has_open_classes_ = !core::split_open_classes(master.scenario_, options_.arrival).open.empty();
}

MasterRun::~MasterRun() {
  if (master_.run_ == this) master_.run_ = nullptr;
}

void MasterRun::set_state(core::RunnerState state) {
  state_ = state;
  if (on_state) on_state(state);
}

double MasterRun::elapsed_s() const { return start_ns_ ? double(core::monotonic_ns() - start_ns_) / 1e9 : 0; }

std::string MasterRun::placement() const {
  size_t n = master_.active_workers().size();
  return fmt::format("on {} worker{}", n, n == 1 ? "" : "s");
}

uint64_t MasterRun::user_count() const {
  uint64_t n = 0;
  for (const WorkerNode *w : master_.active_workers()) n += w->user_count;
  return n;
}

std::vector<uint32_t> MasterRun::class_counts() const {
  std::vector<uint32_t> counts(master_.scenario_.class_count, 0);
  for (const WorkerNode *w : master_.active_workers())
    for (size_t c = 0; c < counts.size() && c < w->class_counts.size(); ++c) counts[c] += w->class_counts[c];
  return counts;
}

void MasterRun::start() {
  master_.run_ = this;
  master_.orphan_stats_.reset();
  started_at_ = core::unix_now();
  start_ns_ = core::monotonic_ns();
  stats_.reset(started_at_);
  if (master_.active_workers().empty()) {
    stop_reason_ = "no worker is connected (start some with: loadhost --worker --master-host HOST -f SCENARIO)";
    master_.engine_.fail_test(stop_reason_);
    set_state(core::RunnerState::stopped);
    return;
  }
  // A hook asking for another user count (run_control.h) changes the
  // workers' total, as the web UI's edit does.
  master_.engine_.set_user_count_handler([this](uint32_t users, double rate) {
    if (options_.shape) {
      master_.engine_.log(LH_LOG_WARNING, "set_user_count ignored: the load shape sets the user count");
      return;
    }
    set_target(users, rate);
  });
  master_.engine_.hooks().fire(LH_HOOK_TEST_START);
  if (has_open_classes_)
    for (const WorkerNode *w : master_.active_workers()) arrival_node_.emplace(w->id, uint32_t(arrival_node_.size()));
  set_state(core::RunnerState::spawning);
  arm_stats_tick();
  if (options_.run_time_s) arm_run_time(*options_.run_time_s);
  if (options_.shape) {
    // The shape's first tick is now; the stats tick drives the rest.
    if (auto tick = options_.shape(0, 0)) apply_target(tick->users, tick->spawn_rate);
    else begin_stop("the load shape ended the test");
  } else {
    apply_target(options_.users, options_.spawn_rate);
  }
}

void MasterRun::stop(std::string reason) {
  asio::post(master_.control_, [this, reason = std::move(reason)] { begin_stop(reason); });
}

void MasterRun::set_target(uint32_t users, double spawn_rate) {
  asio::post(master_.control_, [this, users, spawn_rate] {
    if (state_ == core::RunnerState::spawning || state_ == core::RunnerState::running)
      apply_target(users, spawn_rate);
  });
}

void MasterRun::stop_after(double s) {
  asio::post(master_.control_, [this, s] {
    if (state_ == core::RunnerState::spawning || state_ == core::RunnerState::running) arm_run_time(s);
  });
}

void MasterRun::reset_stats() {
  asio::post(master_.control_, [this] {
    stats_.reset(core::unix_now());
    master_.engine_.hooks().fire(LH_HOOK_RESET_STATS, user_count());
  });
}

void MasterRun::arm_run_time(double s) {
  run_timer_.expires_after(core::seconds_as_duration(s));
  run_timer_.async_wait([this, s](boost::system::error_code ec) {
    if (!ec) begin_stop(fmt::format("run time of {:g} s reached", s));
  });
}

void MasterRun::apply_target(uint32_t users, double rate) {
  target_ = split_.feasible(users);
  rate_ = rate;
  ramp_done_ = false;
  complete_timer_.cancel();
  step_timer_.cancel();
  if (state_ == core::RunnerState::running) set_state(core::RunnerState::spawning);
  ramp_step();
}

// One step of the ramp: Locust's pace, max(1, floor(rate)) users every
// users/rate seconds, up or down.
void MasterRun::ramp_step() {
  if (state_ != core::RunnerState::spawning) return;
  uint64_t step = rate_ > 0 ? std::max<uint64_t>(1, uint64_t(std::floor(rate_))) : UINT64_MAX;
  if (dispatched_ < target_) dispatched_ = target_ - dispatched_ > step ? dispatched_ + step : target_;
  else if (dispatched_ > target_) dispatched_ = dispatched_ - target_ > step ? dispatched_ - step : target_;
  dispatch();
  if (dispatched_ != target_) {
    step_timer_.expires_after(core::seconds_as_duration(double(step) / rate_));
    step_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) ramp_step();
    });
    return;
  }
  ramp_done_ = true;
  complete_timer_.expires_after(kReportGrace);
  complete_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) check_spawn_complete(true);
  });
  check_spawn_complete(false);
}

void MasterRun::send_spawn(const WorkerNode &w, const std::vector<uint32_t> &counts) {
  const lh_scenario &scenario = master_.scenario_;
  double timestamp = std::max(core::unix_now(), last_spawn_timestamp_ + 1e-6);  // strictly newer
  last_spawn_timestamp_ = timestamp;
  lh_str host = master_.engine_.option("host");
  double stop_timeout = double(options_.stop_timeout_ns) / 1e9;
  master_.send(w.id, "spawn", [&](Packer &p) {
    p.pack_map(has_open_classes_ ? 6 : 5);
    pack_str(p, "timestamp");
    p.pack(timestamp);
    pack_str(p, "user_classes_count");
    p.pack_map(scenario.class_count);
    for (uint32_t c = 0; c < scenario.class_count; ++c) {
      pack_str(p, scenario.classes[c]->name);
      p.pack(counts[c]);
    }
    pack_str(p, "host");
    if (host.data && host.size) pack_str(p, std::string_view(host.data, host.size));
    else p.pack_nil();
    pack_str(p, "stop_timeout");
    if (stop_timeout > 0) p.pack(stop_timeout);
    else p.pack_nil();
    pack_str(p, "parsed_options");
    p.pack_map(0);
    if (has_open_classes_) {
      // loadhost's own key (Locust ignores it): this worker's share of the
      // open model — its place among the nodes, the flags' plan and pools.
      auto node = arrival_node_.find(w.id);
      pack_str(p, kArrivalKey);
      p.pack_map(5);
      pack_str(p, "node");
      p.pack(node == arrival_node_.end() ? 0u : node->second);
      pack_str(p, "nodes");
      p.pack(node == arrival_node_.end() ? 0u : uint32_t(arrival_node_.size()));
      pack_str(p, "plan");  // [[duration_s (-1: open-ended), from_rate, to_rate], ...]
      p.pack_array(uint32_t(options_.arrival.plan.segments().size()));
      for (const core::ArrivalPlan::Segment &s : options_.arrival.plan.segments()) {
        p.pack_array(3);
        p.pack(std::isinf(s.duration_s) ? -1.0 : s.duration_s);
        p.pack(s.from_rate);
        p.pack(s.to_rate);
      }
      pack_str(p, "pre_allocated_users");
      p.pack(options_.arrival.pre_allocated_users);
      pack_str(p, "max_users");
      p.pack(options_.arrival.max_users);
    }
  });
}

uint64_t MasterRun::closed_user_count() const {
  uint64_t n = 0;
  for (uint32_t c : class_counts()) n += c;
  return n;
}

// Sends each worker its share of the users handed out so far, if it changed.
void MasterRun::dispatch() {
  std::vector<const WorkerNode *> workers = master_.active_workers();
  std::vector<std::vector<uint32_t>> shares = split_.split(dispatched_, workers.size());
  for (size_t i = 0; i < workers.size(); ++i) {
    auto &sent = sent_[workers[i]->id];
    if (sent == shares[i]) continue;
    sent = shares[i];
    send_spawn(*workers[i], shares[i]);
  }
}

void MasterRun::check_spawn_complete(bool force) {
  if (state_ != core::RunnerState::spawning || !ramp_done_) return;
  const uint64_t have = has_open_classes_ ? closed_user_count() : user_count();
  if (!force && have != target_) return;
  complete_timer_.cancel();
  set_state(core::RunnerState::running);
  master_.engine_.hooks().fire(LH_HOOK_SPAWNING_COMPLETE, target_);
  std::vector<uint32_t> counts = class_counts();
  std::string described;
  for (uint32_t c = 0; c < master_.scenario_.class_count; ++c)
    described += fmt::format("{}\"{}\": {}", described.empty() ? "" : ", ", master_.scenario_.classes[c]->name,
                             counts[c]);
  master_.engine_.log(LH_LOG_INFO,
                      fmt::format("{}: {} ({} total) {}",
                                  have == target_ ? "all users spawned"
                                                          : "spawning is complete, not every worker has reported",
                                  described, user_count(), placement()));
}

void MasterRun::workers_changed() {
  if (state_ == core::RunnerState::spawning || state_ == core::RunnerState::running) {
    for (auto it = sent_.begin(); it != sent_.end();)  // forget the shares of workers gone
      it = master_.find(it->first) ? std::next(it) : sent_.erase(it);
    dispatch();
  }
}

void MasterRun::worker_counts_changed() { check_spawn_complete(false); }

void MasterRun::worker_stopped(const std::string &id, bool loadhost) {
  if (state_ != core::RunnerState::stopping) return;
  if (awaiting_stop_.erase(id) && !loadhost) awaiting_report_.insert(id);
  check_stopped();
}

void MasterRun::worker_reported(const std::string &id) {
  if (state_ == core::RunnerState::stopping && awaiting_report_.erase(id)) check_stopped();
}

void MasterRun::worker_gone(const std::string &id) {
  sent_.erase(id);
  if (state_ != core::RunnerState::stopping) return;
  awaiting_stop_.erase(id);
  awaiting_report_.erase(id);
  check_stopped();
}

void MasterRun::begin_stop(std::string reason) {
  if (state_ == core::RunnerState::stopping || state_ == core::RunnerState::stopped) return;
  stop_reason_ = std::move(reason);
  set_state(core::RunnerState::stopping);
  master_.engine_.hooks().fire(LH_HOOK_TEST_STOPPING, user_count());
  step_timer_.cancel();
  complete_timer_.cancel();
  run_timer_.cancel();
  for (const WorkerNode *w : master_.active_workers()) {
    master_.send(w->id, "stop");
    awaiting_stop_.insert(w->id);
  }
  // A worker that never answers cannot hold the test: its graceful stop,
  // the drain of calls in flight, and a report interval.
  double wait = double(options_.stop_timeout_ns + options_.drain_timeout_ns) / 1e9 +
                double(kReportInterval.count()) + 2;
  stop_deadline_.expires_after(core::seconds_as_duration(wait));
  stop_deadline_.async_wait([this, wait](boost::system::error_code ec) {
    if (ec || state_ != core::RunnerState::stopping) return;
    master_.engine_.log(LH_LOG_WARNING,
                        fmt::format("{} workers did not confirm the stop within {:g} s; their last reports "
                                    "are missing",
                                    awaiting_stop_.size() + awaiting_report_.size(), wait));
    finish();
  });
  check_stopped();
}

void MasterRun::check_stopped() {
  if (state_ == core::RunnerState::stopping && awaiting_stop_.empty() && awaiting_report_.empty()) finish();
}

void MasterRun::finish() {
  stop_deadline_.cancel();
  stats_timer_.cancel();
  dispatched_ = 0;
  sent_.clear();
  master_.engine_.set_user_count_handler(nullptr);
  set_state(core::RunnerState::stopped);
  master_.engine_.hooks().fire(LH_HOOK_TEST_STOP);
  if (on_tick) on_tick(stats_, 0);
}

void MasterRun::arm_stats_tick() {
  stats_timer_.expires_after(kStatsTick);
  stats_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || state_ == core::RunnerState::stopped) return;
    if (options_.shape && (state_ == core::RunnerState::spawning || state_ == core::RunnerState::running)) {
      if (auto tick = options_.shape(elapsed_s(), user_count())) {
        if (!tick->error.empty()) {
          master_.engine_.fail_test(tick->error);
        } else {
          // Classes picked per stage are applied by a local run only: the
          // workers' split keeps every class.
          if (!tick->classes.empty() && !warned_shape_classes_) {
            warned_shape_classes_ = true;
            master_.engine_.log(LH_LOG_WARNING, "the load shape picks user classes per stage: a master does not "
                                                "apply that yet (every class runs)");
          }
          if (tick->users != target_ || tick->spawn_rate != rate_) apply_target(tick->users, tick->spawn_rate);
        }
      } else {
        begin_stop("the load shape ended the test");
      }
    }
    if (on_tick) on_tick(stats_, user_count());
    if (state_ != core::RunnerState::stopped) arm_stats_tick();
  });
}

}  // namespace loadhost::distributed
