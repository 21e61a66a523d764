#include "core/report/run_history.hpp"

namespace loadhost::report {

const HistoryPoint& RunHistory::observe(const stats::StatsTable& table, std::uint64_t users,
                                        double unix_now) {
  const stats::StatsEntry& total = table.total();
  window_.observe(total.histogram(), unix_now);
  HistoryPoint p;
  p.time = unix_now;
  p.users = users;
  // Locust's current rates are taken at the last request, not at the clock.
  const double last = table.last_request_time();
  p.rps = total.current_rps(last, table.start_time());
  p.fail_per_s = total.current_fail_per_sec(last, table.start_time());
  if (auto recent = window_.window(total.histogram(), unix_now); recent && !recent->empty()) {
    p.p50_ms = recent->percentile(0.5) / 1000.0;
    p.p95_ms = recent->percentile(0.95) / 1000.0;
  }
  points_.push_back(p);
  return points_.back();
}

void RunHistory::stats_were_reset() { window_ = {}; }

void RunHistory::clear() {
  points_.clear();
  window_ = {};
}

}  // namespace loadhost::report
