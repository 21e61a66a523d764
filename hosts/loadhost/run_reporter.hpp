// RunReporter: what the user sees and keeps of a run — the console table
// every few seconds, the stats history CSV and _stats.csv every second (so a
// run that dies leaves its last seconds behind), and at the end the summary
// tables with the thresholds' verdict, the CSV files and the JSON report. A
// file is announced as written only when it was.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/report/csv_writer.hpp"
#include "core/stats/stats_table.hpp"
#include "core/thresholds/threshold_gate.hpp"
#include "hosts/loadhost/cli_options.hpp"

namespace loadhost::cli {

class RunReporter {
 public:
  explicit RunReporter(const CliOptions &options);

  // Once a second, with the merged table.
  void tick(const stats::StatsTable &table, uint64_t user_count);
  // The stats were reset mid-run (the web UI's reset).
  void stats_were_reset() {
    if (csv_) csv_->stats_were_reset();
  }
  // At the end, with the thresholds' verdict (empty: none were given).
  // Returns false when a report could not be written (the reason is printed).
  bool finish(const stats::StatsTable &table, const nlohmann::json &metadata,
              const std::vector<thresholds::ThresholdResult> &thresholds);

 private:
  const CliOptions &options_;
  std::optional<report::CsvFileWriter> csv_;
  int ticks_ = 0;
  stats::StatsTable::Iterations iterations_printed_;  // at the last periodic table
  bool history_failed_ = false;   // said once; the history is then incomplete
  bool snapshot_failed_ = false;  // the in-run _stats.csv rewrite, said once
  std::set<std::string> exceptions_said_;  // logged once each, then counted
  void say_new_exceptions(const stats::StatsTable &table);
};

}  // namespace loadhost::cli
