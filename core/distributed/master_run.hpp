// MasterRun: one distributed test on a Master's workers (see master.hpp).
//
// The ramp follows Locust's master: max(1, floor(rate)) users every
// users/rate seconds, each step split over the workers by WorkerSplit and
// sent as `spawn` messages to the workers whose share changed. The test is
// "running" once the workers report the target (or 1 s after the last step,
// as Locust waits for reports). A stop sends `stop` to every worker and ends
// when each has sent its last report: a loadhost worker sends it before
// client_stopped; a Locust worker reports on its own 3 s clock, so the run
// waits for its next report after client_stopped.
//
// Thread: control thread; the [thread-safe] members of TestRun post to it.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/distributed/master.hpp"

namespace loadhost::distributed {

class MasterRun : public core::TestRun {
 public:
  MasterRun(Master &master, core::RunOptions options);
  ~MasterRun() override;

  void start() override;
  void stop(std::string reason) override;
  void set_target(uint32_t users, double spawn_rate) override;
  void stop_after(double seconds) override;
  void reset_stats() override;

  core::RunnerState state() const override { return state_; }
  const stats::StatsTable &stats() const override { return stats_; }
  uint64_t user_count() const override;
  std::vector<uint32_t> class_counts() const override;
  const std::string &stop_reason() const override { return stop_reason_; }
  double started_at() const override { return started_at_; }
  double elapsed_s() const override;
  std::string placement() const override;

  // From the master, on the control thread.
  stats::StatsTable &table() { return stats_; }
  void workers_changed();                 // joined, left, missing: rebalance
  void worker_counts_changed();           // a report or spawning_complete
  void worker_stopped(const std::string &id, bool loadhost);
  void worker_reported(const std::string &id);
  void worker_gone(const std::string &id);

 private:
  void set_state(core::RunnerState state);
  void apply_target(uint32_t users, double rate);
  void ramp_step();
  void dispatch();
  void check_spawn_complete(bool force);
  void begin_stop(std::string reason);
  void check_stopped();
  void finish();
  void arm_stats_tick();
  void arm_run_time(double seconds);
  void send_spawn(const WorkerNode &w, const std::vector<uint32_t> &counts);
  // Users of the closed classes the workers report: what -u asked for
  // (open classes' pools come and go with the rate).
  uint64_t closed_user_count() const;

  Master &master_;
  core::RunOptions options_;
  WorkerSplit split_;
  core::RunnerState state_ = core::RunnerState::ready;
  stats::StatsTable stats_;
  std::string stop_reason_;
  double started_at_ = 0;
  uint64_t start_ns_ = 0;

  uint64_t target_ = 0;      // users wanted
  double rate_ = 0;          // users per second; <= 0: at once
  uint64_t dispatched_ = 0;  // users handed out so far in the ramp
  bool ramp_done_ = false;
  std::map<std::string, std::vector<uint32_t>> sent_;  // each worker's share as last sent
  // The open model (docs/workload-models.md): each worker present at the
  // start runs its share of the arrival rate, by its place here; a worker
  // that joins later runs none (a rate cannot move without a gap or a burst).
  bool has_open_classes_ = false;
  std::map<std::string, uint32_t> arrival_node_;
  double last_spawn_timestamp_ = 0;
  double last_shape_tick_s_ = -1;

  std::set<std::string> awaiting_stop_;    // sent `stop`, no client_stopped yet
  std::set<std::string> awaiting_report_;  // Locust workers: their last report
  boost::asio::steady_timer step_timer_;
  boost::asio::steady_timer complete_timer_;
  boost::asio::steady_timer stats_timer_;
  boost::asio::steady_timer run_timer_;
  boost::asio::steady_timer stop_deadline_;
  bool warned_shape_classes_ = false;  // said once per run
};

}  // namespace loadhost::distributed
