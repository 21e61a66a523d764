// Evaluates thresholds against a stats table: the run's merged table (a
// local runner's or a master's), so the figures are those the reports show —
// percentiles from the same histograms, rates over the same span as the JSON
// report's total_rps.
//
// Which entry a threshold reads (its NAME, before the ':'):
//   none            the Aggregated row (also when NAME is "Aggregated")
//   "TYPE NAME"     the entry of that type and name, when one exists
//                   ("GET /cart", "grpc echo.Echo/Say")
//   "NAME"          else every entry of that name, whatever its type, merged
//                   ("/cart" covers GET /cart and POST /cart)
// A threshold whose entry has no requests fails ("no requests named ..."):
// a typo in a name, or a run that sent nothing, must not pass a CI gate
// (k6 passes a threshold whose metric saw no samples).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/stats/stats_table.hpp"
#include "core/thresholds/threshold.hpp"

namespace loadhost::thresholds {

struct Outcome {
  bool has_data = false;  // the entry had requests
  double value = 0;       // in the metric's unit (microseconds for durations)
  bool ok = false;        // has_data and the comparison holds
  // The value as people read it: "212.5 ms", "0.034", "1520.3/s", or why
  // there is none: "no requests named 'GET /crat'".
  std::string shown;
};

Outcome evaluate(const Threshold &threshold, const stats::StatsTable &table);

// For a name with no requests: the row name closest to it, as a threshold
// would write it ("GET /cart" for "GET /crat"), or "" when none is near.
// O(rows x name length²): for the verdict, not for every tick.
std::string closest_name(const stats::StatsTable &table, const std::string &name);

// The line a failed threshold is reported with, and the reason a test it
// aborted stops with: "threshold p(95)<300ms failed: 412 ms" (its options,
// such as abort-on-fail, left out).
std::string failure_line(const Threshold &threshold, const Outcome &outcome);

}  // namespace loadhost::thresholds
