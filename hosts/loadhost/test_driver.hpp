// TestDriver: runs tests on the control thread, one at a time — one in a
// headless run, as many as the browser asks for in the web UI — with what
// every mode reports: the console table, the CSV files, the history the
// charts draw, the thresholds (abort-on-fail once a second, the verdict at
// the end), and at the end of each test the summary, CSV, JSON and HTML
// reports.
//
// Why one driver for both modes: a test started from the browser must
// report exactly as a headless one (same files, same summary, same exit
// code), so there is one path that starts a test and one that ends it.
//
// Thread: everything on the control thread (the io_context given), where
// the web server also runs.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/engine/engine.hpp"
#include "core/report/run_history.hpp"
#include "core/runner/runner.hpp"
#include "core/thresholds/threshold_gate.hpp"
#include "hosts/loadhost/cli_options.hpp"
#include "hosts/loadhost/run_reporter.hpp"

namespace loadhost::cli {

// What one test runs with: the command line's values, or the start form's.
struct TestParameters {
  uint32_t users = 1;
  double spawn_rate = 1;
  std::optional<double> run_time_s;
  std::string host;  // empty: keep the current one
};

class TestDriver {
 public:
  TestDriver(core::Engine &engine, const lh_scenario &scenario, const CliOptions &options,
             core::RunOptions defaults, boost::asio::io_context &control);
  ~TestDriver();

  // The parameters of the command line (the start form's defaults).
  TestParameters defaults() const;
  // Starts a test. Returns "" or why not (one is running).
  std::string start(const TestParameters &parameters);
  // Changes the user count of the running test (the UI's edit).
  void set_target(uint32_t users, double spawn_rate);
  // Stops the running test this long from now (a new run time).
  void stop_after(double seconds);
  void stop(std::string reason);
  void reset_stats();

  // True while a test is between start and its reports being written.
  bool busy() const;
  // "ready" before the first test, then the runner's state names.
  const char *state() const;
  uint64_t user_count() const;
  // Users running per class (index as in the scenario); zeros when idle.
  std::vector<uint32_t> class_counts() const;
  const stats::StatsTable &stats() const;  // the current or last test's
  const report::RunHistory &history() const { return history_; }
  std::string host() const;
  bool has_shape() const { return bool(defaults_.shape); }
  // The test's parameters as the reports name them (JSON metadata, HTML).
  nlohmann::json metadata() const;
  // False when a report of the last test could not be written.
  bool reports_ok() const { return reports_ok_; }

  // The thresholds every test is judged by (threshold_setup.hpp); set
  // before the first start.
  void set_thresholds(std::vector<thresholds::Threshold> list) { thresholds_ = std::move(list); }
  // True when a threshold of the last test failed or stopped it: exit 99.
  bool thresholds_failed() const { return !thresholds::all_ok(verdict_); }

  // How a test is made: by default a core::Runner on this process's loops;
  // a master makes one that runs on its workers.
  std::function<std::unique_ptr<core::TestRun>(const core::RunOptions &)> make_run;
  // A master's workers as Locust's /stats/requests lists them; null when
  // standalone.
  std::function<nlohmann::json()> workers;

  // [control-thread] After each stats tick and each state change.
  std::function<void()> on_update;
  // [control-thread] After a test's reports are written.
  std::function<void()> on_finished;

 private:
  void tick(const stats::StatsTable &table, uint64_t users);
  void check_thresholds(const stats::StatsTable &table);
  void finish();
  // With a load shape: its name ("--stages ...", or the scenario's shape
  // type), and the peak — planned for --stages, reached for a scenario's.
  std::string shape_name() const;
  uint32_t peak_users() const;

  core::Engine &engine_;
  const lh_scenario &scenario_;
  const CliOptions &options_;
  core::RunOptions defaults_;
  boost::asio::io_context &control_;
  std::unique_ptr<core::TestRun> runner_;
  std::unique_ptr<RunReporter> reporter_;
  report::RunHistory history_;
  stats::StatsTable empty_;
  TestParameters current_;
  double ended_at_ = 0;
  bool finishing_ = false;
  bool reports_ok_ = true;
  uint64_t reset_on_spawned_ = 0;  // the --reset-stats hook subscription
  std::vector<thresholds::Threshold> thresholds_;
  thresholds::ThresholdGate gate_;                 // the current test's
  std::vector<thresholds::ThresholdResult> verdict_;  // the last test's
};

}  // namespace loadhost::cli
