// Locust-compatible CSV reports (--csv PREFIX): the same four files, the
// same column headers, the same cell formatting, so every tool that reads
// Locust's CSV reads ours.
//
//   PREFIX_stats.csv          rewritten: one row per entry, then Aggregated
//   PREFIX_stats_history.csv  appended: one row per call (per entry too with
//                             full_history), "current" rates and percentiles
//   PREFIX_failures.csv       rewritten: Method, Name, Error, Occurrences
//   PREFIX_exceptions.csv     rewritten: Count, Message, Traceback, Nodes
//
// loadhost's own, beside them (docs/workload-models.md), only when the run
// has their figures:
//   PREFIX_corrected_percentiles.csv  rewritten: response times from the
//                             intended start, one row per entry that had
//                             one, then Aggregated: Type, Name, Request
//                             Count, Median/Average/Min/Max Response Time,
//                             the percentile columns of _stats.csv
//   PREFIX_iterations.csv     rewritten: Iterations Started, Iterations
//                             Dropped (the open model's)
//
// Formatting follows Python's csv module as Locust uses it: "\r\n" line ends,
// quotes only around cells holding a comma, quote or line break, floats in
// Python's repr (3.0, not 3). Times are milliseconds: averages, min and max as
// floats, median and percentiles as rounded integers; "N/A" for percentiles
// of an entry without requests.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/report/write_file.hpp"
#include "core/stats/response_time_window.hpp"
#include "core/stats/stats_table.hpp"

namespace loadhost::report {

// File contents, header row included. Pure functions of the table.
std::string stats_csv(const stats::StatsTable& table);
std::string failures_csv(const stats::StatsTable& table);
std::string corrected_percentiles_csv(const stats::StatsTable& table);
std::string iterations_csv(const stats::StatsTable& table);
// `nodes`: Locust's Nodes column, the runners that saw the exception
// ("local" for a standalone run).
std::string exceptions_csv(const stats::StatsTable& table, std::string_view nodes);
std::string stats_history_csv_header();

// Builds the rows of PREFIX_stats_history.csv. Keeps a cumulative snapshot
// per second for each reported row, so "current" percentiles are those of
// the last ~10 s (stats::ResponseTimeWindow). Memory: up to 20 snapshots of
// 26 KiB per row that has requests — one row (Aggregated) unless full_history.
//
// Thread safety: none; one reporter thread calls rows() about once a second.
class StatsHistoryCsv {
 public:
  explicit StatsHistoryCsv(bool full_history) : full_history_(full_history) {}

  // Rows for this tick: every entry (full_history) then Aggregated, stamped
  // floor(unix_now) and user_count. `table` is the merged cumulative table.
  std::string rows(const stats::StatsTable& table, std::uint64_t user_count, double unix_now);
  // The stats were reset: the windows' snapshots of the old cumulative
  // figures must not be subtracted from the new ones.
  void stats_were_reset();

 private:
  std::string row(const stats::StatsTable& table, const stats::StatsEntry& entry,
                  stats::ResponseTimeWindow& window, std::uint64_t user_count, double unix_now);

  bool full_history_;
  stats::ResponseTimeWindow total_window_;  // Aggregated
  std::map<std::pair<std::string, std::string>, stats::ResponseTimeWindow> windows_;  // (name, type)
};

struct CsvOptions {
  bool full_history = false;          // Locust's --csv-full-history
  std::string nodes = "local";        // exceptions' Nodes column
};

// Writes the four files under a prefix (e.g. "out/run1" -> out/run1_stats.csv).
// Thread safety: none; one reporter thread.
class CsvFileWriter {
 public:
  explicit CsvFileWriter(std::string prefix, CsvOptions options = {});

  // Rewrites _stats.csv, _failures.csv and _exceptions.csv atomically.
  WriteResult write_snapshot(const stats::StatsTable& table);

  // Appends this tick's rows to _stats_history.csv; the first call creates
  // the file with its header. Call once a second with the merged table.
  WriteResult append_history(const stats::StatsTable& table, std::uint64_t user_count,
                             double unix_now);
  void stats_were_reset() { history_.stats_were_reset(); }

  std::string stats_path() const { return prefix_ + "_stats.csv"; }
  std::string stats_history_path() const { return prefix_ + "_stats_history.csv"; }
  std::string failures_path() const { return prefix_ + "_failures.csv"; }
  std::string exceptions_path() const { return prefix_ + "_exceptions.csv"; }
  std::string corrected_percentiles_path() const { return prefix_ + "_corrected_percentiles.csv"; }
  std::string iterations_path() const { return prefix_ + "_iterations.csv"; }

 private:
  std::string prefix_;
  CsvOptions options_;
  StatsHistoryCsv history_;
  std::ofstream history_file_;  // open after the first append_history
};

}  // namespace loadhost::report
