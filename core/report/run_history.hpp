// RunHistory: the run's figures over time, one point a second — what the
// web UI's charts and the HTML report's charts draw (total rps and
// failures/s, the current median and 95th percentile, the user count).
//
// Why kept for the whole run: a page opened (or reloaded) mid-run gets every
// point so far, and the report draws the whole test. A point is 48 bytes: a
// day-long run holds about 4 MB.
//
// "Current" figures are Locust's: rates over the last ~10 whole seconds
// (StatsEntry::current_rps) and percentiles of the last ~10 s of samples
// (ResponseTimeWindow on the Aggregated row).
//
// Thread safety: none; the control thread observes and reads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/stats/response_time_window.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::report {

struct HistoryPoint {
  double time = 0;                 // unix seconds
  std::uint64_t users = 0;
  double rps = 0;                  // current requests/s of Aggregated
  double fail_per_s = 0;           // current failures/s of Aggregated
  std::optional<double> p50_ms;    // none: no sample in the window yet
  std::optional<double> p95_ms;
};

class RunHistory {
 public:
  // Once a second with the merged table; appends a point and returns it.
  const HistoryPoint& observe(const stats::StatsTable& table, std::uint64_t users, double unix_now);
  // The stats were reset: the window's snapshots no longer subtract from
  // the new cumulative figures. The points drawn so far stay.
  void stats_were_reset();
  // A new test in the same process: everything goes.
  void clear();

  const std::vector<HistoryPoint>& points() const { return points_; }
  const HistoryPoint* last() const { return points_.empty() ? nullptr : &points_.back(); }

 private:
  std::vector<HistoryPoint> points_;
  stats::ResponseTimeWindow window_;  // of the Aggregated row
};

}  // namespace loadhost::report
