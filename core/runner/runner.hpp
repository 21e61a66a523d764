// Runner: one test from start to stop, on the control thread — Locust's
// states (ready, spawning, running, stopping, stopped), spawning at a rate,
// changing the user count while running (most recent users stop first), the
// run time, load shapes, the graceful stop with its timeout, and merging the
// loops' stats once a second.
//
// The control thread is whoever runs the runner's control io_context: the
// runner's own (run() drives it until the test has stopped: the headless
// host), or one the host owns and keeps running across tests (the web UI,
// whose server shares that thread, so it reads the stats without a lock).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/engine/user_runtime.hpp"
#include "core/runner/cpu_monitor.hpp"
#include "core/runner/load_shape.hpp"
#include "core/runner/open_classes.hpp"
#include "core/runner/test_run.hpp"
#include "core/runner/stats_merge_watch.hpp"
#include "core/runner/users_dispatcher.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::core {

struct RunOptions {
  uint32_t users = 1;
  double spawn_rate = 1.0;              // users per second; <= 0 = all at once
  std::optional<double> run_time_s;     // none = until stopped
  uint64_t stop_timeout_ns = 0;         // graceful stop; 0 = stop at once
  // After the stop timeout, calls still in flight get this long to complete
  // (and be counted) before they are abandoned: a hung server cannot hang
  // the stop.
  uint64_t drain_timeout_ns = 5'000'000'000;
  // Without a stop timeout users are interrupted and on_stop gets this
  // long (within the drain time, so the stop's bound is unchanged).
  uint64_t on_stop_timeout_ns = 3'000'000'000;
  LoadShape shape;                      // empty = none
  // The open model from the command line (open_classes.hpp); classes that
  // run open are sized by it (or by their own arrival_rate), not by -u/-r.
  ArrivalOptions arrival;
  // Locust's CPU warning (cpu_monitor.hpp): the busiest loop thread at or
  // above this share of a core over a window of this length.
  double cpu_warning_percent = 90;
  double cpu_warning_window_s = 5;
};

class Runner : public TestRun {
 public:
  // A runner with its own control context: run() drives it.
  Runner(Engine &engine, const lh_scenario &scenario, RunOptions options);
  // A runner on the host's control context, which must outlive it: start()
  // begins the test and returns; on_state reports `stopped` at the end.
  Runner(Engine &engine, const lh_scenario &scenario, RunOptions options,
         boost::asio::io_context &control);
  ~Runner() override;

  // [control-thread] Runs the test until it has stopped (own context only).
  void run();
  // [control-thread] Begins the test: loops start, spawning begins.
  void start() override;

  // [thread-safe]
  void stop(std::string reason) override;
  void set_target(uint32_t users, double spawn_rate) override;
  // [thread-safe] Runs exactly these users per class (index as in the
  // scenario), all at once: a worker's share as its master assigns it.
  // Users of a class beyond its count stop, newest first.
  void set_class_counts(std::vector<uint32_t> counts);
  // [thread-safe] Stops the running test `seconds` from now (replacing the
  // run time it had), as Locust's /swarm with a run_time does mid-test.
  void stop_after(double seconds) override;
  // [thread-safe] Zeroes the merged stats and fires LH_HOOK_RESET_STATS, on
  // the control thread. Samples a loop recorded in the last second and has
  // not handed over yet count after the reset (as a Locust worker's report
  // in flight does).
  void reset_stats() override;

  RunnerState state() const override { return state_.load(); }
  // [control-thread] The merged stats (complete after run() returns).
  const stats::StatsTable &stats() const override { return stats_; }
  uint64_t user_count() const override;
  // [control-thread] Users the runner has started and not stopped, per class
  // (index as in the scenario).
  std::vector<uint32_t> class_counts() const override;
  const std::string &stop_reason() const override { return stop_reason_; }
  uint32_t target_users() const { return target_; }
  double spawn_rate() const { return rate_; }
  double started_at() const override { return started_at_; }  // unix seconds
  double elapsed_s() const override;
  std::string placement() const override;

  // [control-thread] Every merge also adds what the loops handed over to
  // this table (a worker's delta since its last report); null = none.
  void set_delta_sink(stats::StatsTable *sink) { delta_sink_ = sink; }

 private:
  Runner(Engine &engine, const lh_scenario &scenario, RunOptions options,
         std::unique_ptr<boost::asio::io_context> own);
  void set_state(RunnerState state);
  void arm_spawn_timer();
  void arm_run_time(double seconds);
  void arm_stats_timer();
  void spawn_step();
  void apply_target(uint32_t users, double rate);
  void spawn(uint64_t count);
  void despawn(uint64_t count);
  void apply_class_counts(const std::vector<uint32_t> &counts);
  void post_to_loops(const std::vector<std::vector<uint32_t>> &batch, bool stop);
  StopRule stop_rule() const { return StopRule{options_.stop_timeout_ns, options_.on_stop_timeout_ns}; }
  uint32_t scenario_index(const lh_user_class *cls) const;
  // A shape's stage picked these classes (empty = all): users of the
  // others stop, and new users come from these.
  void use_classes(const std::vector<uint32_t> &classes);
  void check_cpu();
  // The open classes' lanes to every loop, timed from start_ns_.
  void start_arrivals();
  void start_arrivals_on_loops();
  bool is_open(uint32_t class_index) const;
  void apply_shape_arrival_rate(double at_s, double rate);
  void begin_stop_with(std::string reason);
  std::string describe_counts();
  void poll_stopped();
  void finish();
  void merge_stats();
  void ask_loops_for_shards();
  void shard_handed_over(uint64_t round);
  void end_tick();

  Engine &engine_;
  const lh_scenario &scenario_;
  RunOptions options_;
  UsersDispatcher dispatcher_;
  std::unique_ptr<boost::asio::io_context> own_control_;  // null on the host's
  boost::asio::io_context &control_;
  boost::asio::steady_timer spawn_timer_{control_};
  boost::asio::steady_timer stats_timer_{control_};
  boost::asio::steady_timer stop_timer_{control_};

  std::atomic<RunnerState> state_{RunnerState::ready};
  stats::StatsTable stats_;
  StatsMergeWatch merge_watch_;  // many names: warn once, time the merges
  stats::StatsTable *delta_sink_ = nullptr;
  std::string stop_reason_;
  double started_at_ = 0;
  uint64_t start_ns_ = 0;
  uint64_t stop_started_ns_ = 0;
  bool abandoned_ = false;

  // Spawning: where the ramp towards target_ started, and each user handed
  // out as (class index, loop index), newest last.
  uint32_t target_ = 0;
  double rate_ = 1.0;
  uint64_t ramp_start_ns_ = 0;
  uint64_t ramp_start_count_ = 0;
  std::vector<std::pair<uint32_t, uint32_t>> spawned_;
  uint32_t next_loop_ = 0;
  double last_shape_tick_s_ = -1;
  bool can_spawn_more_ = true;  // false once fixed-count classes are full
  std::vector<uint32_t> stage_classes_;  // the shape's choice; empty = all
  std::atomic<bool> counts_from_master_{false};  // a worker: set_user_count is its master's

  CpuMonitor cpu_monitor_;

  // The tick's handover round (ask_loops_for_shards): loops yet to answer,
  // and the round's number, so a late answer to an earlier round is ignored.
  size_t handovers_pending_ = 0;
  uint64_t handover_round_ = 0;
  // Points at this runner until it is destroyed: a loop's answer is posted
  // to the control thread and may arrive after the runner is gone.
  std::shared_ptr<Runner *> alive_ = std::make_shared<Runner *>(this);
  std::vector<OpenClass> open_classes_;  // set at start (or by the shape's first rate)
  double shape_arrival_rate_ = 0;        // the shape's last tick's
  bool shape_drives_arrivals_ = false;
};

}  // namespace loadhost::core
