#include "hosts/loadhost/test_driver.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "core/engine/clock.hpp"
#include "core/loader/plugin_registry.hpp"
#include "core/runner/load_shape.hpp"
#include "core/thresholds/threshold_report.hpp"
#include "hosts/loadhost/web/html_report.hpp"

namespace loadhost::cli {

TestDriver::TestDriver(core::Engine &engine, const lh_scenario &scenario, const CliOptions &options,
                       core::RunOptions defaults, boost::asio::io_context &control)
    : engine_(engine), scenario_(scenario), options_(options), defaults_(std::move(defaults)), control_(control) {
  // --reset-stats, Locust's way: each time spawning completes (every stage
  // of a shape), the stats start over; the reset_stats hook fires.
  if (options_.reset_stats) {
    reset_on_spawned_ = engine_.hooks().subscribe(
        LH_HOOK_SPAWNING_COMPLETE,
        [](void *ud, const lh_hook_args *) {
          auto *self = static_cast<TestDriver *>(ud);
          self->engine_.log(LH_LOG_INFO, "resetting stats (--reset-stats)");
          self->reset_stats();
        },
        this);
  }
}

TestDriver::~TestDriver() {
  if (reset_on_spawned_) engine_.hooks().unsubscribe(reset_on_spawned_);
}

TestParameters TestDriver::defaults() const {
  return {defaults_.users, defaults_.spawn_rate, defaults_.run_time_s, host()};
}

std::string TestDriver::host() const {
  lh_str h = engine_.option("host");
  return h.data ? std::string(h.data, h.size) : "";
}

bool TestDriver::busy() const { return finishing_ || (runner_ && runner_->state() != core::RunnerState::stopped); }

const char *TestDriver::state() const { return runner_ ? core::to_string(runner_->state()) : "ready"; }

uint64_t TestDriver::user_count() const {
  return runner_ && runner_->state() != core::RunnerState::stopped ? runner_->user_count() : 0;
}

std::vector<uint32_t> TestDriver::class_counts() const {
  if (runner_ && runner_->state() != core::RunnerState::stopped) return runner_->class_counts();
  return std::vector<uint32_t>(scenario_.class_count, 0);
}

const stats::StatsTable &TestDriver::stats() const { return runner_ ? runner_->stats() : empty_; }

std::string TestDriver::start(const TestParameters &p) {
  if (busy()) return "a test is running: stop it first, or change its user count";
  if (!p.host.empty() && p.host != host()) {
    core::EngineConfig config = engine_.config();  // the loops are idle between tests
    config.options["host"] = p.host;
    engine_.configure(std::move(config));
  }
  current_ = p;
  current_.host = host();
  core::RunOptions run = defaults_;
  run.users = p.users;
  run.spawn_rate = p.spawn_rate;
  run.run_time_s = p.run_time_s;

  runner_.reset();  // the last test's stats go with it, as Locust clears them
  history_.clear();
  reporter_ = std::make_unique<RunReporter>(options_);
  gate_ = thresholds::ThresholdGate(thresholds_);
  verdict_.clear();
  ended_at_ = 0;
  runner_ = make_run ? make_run(run) : std::make_unique<core::Runner>(engine_, scenario_, run, control_);
  runner_->on_tick = [this](const stats::StatsTable &table, uint64_t users) { tick(table, users); };
  runner_->on_state = [this](core::RunnerState state) {
    if (state == core::RunnerState::stopped) {
      ended_at_ = core::unix_now();
      finishing_ = true;
      // After the runner's own end (the test_stop hook, the last tick).
      boost::asio::post(control_, [this] { finish(); });
    }
    if (on_update) on_update();
  };

  std::string what;
  if (!options_.stages.empty()) {
    std::string error;
    std::vector<core::Stage> stages = core::parse_stages(options_.stages, error);
    what = fmt::format("--stages {} (a peak of {} users, {:g} s in all)", options_.stages, core::stages_peak(stages),
                       core::stages_duration_s(stages));
  } else if (defaults_.shape) {
    what = fmt::format("the load shape {} (users as its tick() says; the peak is in the final report)", shape_name());
  } else {
    what = fmt::format("{} users {}", p.users,
                       p.spawn_rate > 0 ? fmt::format("at {:g}/s", p.spawn_rate) : std::string("all at once"));
  }
  // The open model's classes are not sized by -u (docs/workload-models.md).
  core::OpenClasses split = core::split_open_classes(scenario_, run.arrival);
  if (!split.open.empty()) {
    std::string open;
    for (const core::OpenClass &oc : split.open)
      open += fmt::format("{}{} at {}, {} users up front, at most {}", open.empty() ? "" : "; ",
                          scenario_.classes[oc.index]->name,
                          options_.arrival_stages.empty()
                              ? fmt::format("{:g} iterations/s", oc.plan.rate_at(0))
                              : fmt::format("--arrival-stages {}", options_.arrival_stages),
                          oc.pre_allocated_users, oc.max_users);
    what = split.closed.empty() ? open : what + " (closed classes), and " + open;
  }
  std::fprintf(stderr, "loadhost: starting %s %s%s\n", what.c_str(), runner_->placement().c_str(),
               p.run_time_s ? fmt::format(" for {:g} s", *p.run_time_s).c_str() : "");
  runner_->start();
  return "";
}

void TestDriver::set_target(uint32_t users, double spawn_rate) {
  if (runner_) runner_->set_target(users, spawn_rate);
}

void TestDriver::stop_after(double seconds) {
  if (runner_) runner_->stop_after(seconds);
}

void TestDriver::stop(std::string reason) {
  if (runner_) runner_->stop(std::move(reason));
}

void TestDriver::reset_stats() {
  // After a test, too (as Locust): the runner's control work still runs on
  // this context. Not while the reports are being written.
  if (!runner_ || finishing_) return;
  runner_->reset_stats();
  // Posted after the runner's reset, so the window forgets the old figures
  // once they are gone.
  boost::asio::post(control_, [this] {
    history_.stats_were_reset();
    reporter_->stats_were_reset();
  });
}

void TestDriver::tick(const stats::StatsTable &table, uint64_t users) {
  if (runner_->state() != core::RunnerState::stopped) {
    reporter_->tick(table, users);
    history_.observe(table, users, core::unix_now());
    check_thresholds(table);
  }
  if (on_update) on_update();
}

// abort-on-fail: on the merged table of this tick, so the figure that stops
// the test is the one the console shows. A test already stopping is left be.
void TestDriver::check_thresholds(const stats::StatsTable &table) {
  const core::RunnerState state = runner_->state();
  if (state != core::RunnerState::spawning && state != core::RunnerState::running) return;
  if (std::optional<std::string> reason = gate_.check_abort(table, runner_->elapsed_s())) {
    std::fprintf(stderr, "loadhost: %s: stopping the test (abort-on-fail)\n", reason->c_str());
    runner_->stop(*reason);
  }
}

std::string TestDriver::shape_name() const {
  if (!options_.stages.empty()) return "--stages " + options_.stages;
  std::string name = core::scenario_shape_name(scenario_);
  return name.empty() ? "the scenario's load shape" : name;
}

uint32_t TestDriver::peak_users() const {
  if (!options_.stages.empty()) {
    std::string error;
    return core::stages_peak(core::parse_stages(options_.stages, error));
  }
  uint64_t peak = 0;  // a scenario's shape: the most users the run had
  for (const report::HistoryPoint &point : history_.points()) peak = std::max(peak, point.users);
  return uint32_t(peak);
}

nlohmann::json TestDriver::metadata() const {
  nlohmann::json m = {
      {"host", current_.host.empty() ? options_.url : current_.host},
      // The file the user named (shop.cpp), not the cached library it was
      // compiled into.
      {"scenario", options_.scenario.empty() ? engine_.plugins().scenario_source() : options_.scenario},
      {"users", current_.users},
      {"spawn_rate", current_.spawn_rate},
      {"run_time_s", runner_ ? runner_->elapsed_s() : 0.0},
      {"start_time", runner_ ? runner_->started_at() : 0.0},
      {"end_time", ended_at_},
      {"stop_reason", runner_ ? runner_->stop_reason() : ""},
      {"loadhost_version", LOADHOST_VERSION},
  };
  m["shape"] = nullptr;
  if (defaults_.shape) {
    // The shape sets the users and the rate, not -u and -r: say which
    // shape, and the most users it ran (for --stages: its plan's peak).
    uint32_t peak = peak_users();
    m["shape"] = fmt::format("{} (peak {} users)", shape_name(), peak);
    m["peak_users"] = peak;
    m["users"] = peak;
    m["spawn_rate"] = nullptr;
  }
  return m;
}

void TestDriver::finish() {
  std::fprintf(stderr, "loadhost: test stopped: %s\n", runner_->stop_reason().c_str());
  const stats::StatsTable &table = runner_->stats();
  verdict_ = gate_.verdict(table);
  reports_ok_ = reporter_->finish(table, metadata(), verdict_);
  if (!options_.html_file.empty()) {
    nlohmann::json info = metadata();
    info["thresholds"] = thresholds::results_json(verdict_);
    report::WriteResult r = web::write_html_report(options_.html_file, table, history_, info);
    if (r.ok()) {
      std::fprintf(stderr, "loadhost: wrote %s\n", options_.html_file.c_str());
    } else {
      std::fprintf(stderr, "loadhost: %s\n", r.error_.c_str());
      reports_ok_ = false;
    }
  }
  finishing_ = false;
  if (on_finished) on_finished();
  if (on_update) on_update();
}

}  // namespace loadhost::cli
