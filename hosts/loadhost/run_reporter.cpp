#include "hosts/loadhost/run_reporter.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "core/engine/clock.hpp"
#include "core/report/console_table.hpp"
#include "core/report/exceptions_text.hpp"
#include "core/report/json_report.hpp"
#include "core/thresholds/threshold_report.hpp"

namespace loadhost::cli {

namespace {

// Locust prints the table every 2 seconds.
constexpr int kConsoleEverySeconds = 2;

report::ConsoleOptions console_options() {
  report::ConsoleOptions o;
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    o.name_width = report::name_width_for_terminal(ws.ws_col);
  return o;
}

void print(const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

RunReporter::RunReporter(const CliOptions &options) : options_(options) {
  if (!options.csv_prefix.empty()) {
    report::CsvOptions csv;
    csv.full_history = options.csv_full_history;
    csv_.emplace(options.csv_prefix, csv);
  }
}

void RunReporter::say_new_exceptions(const stats::StatsTable &table) {
  for (const std::string &line : report::new_exception_lines(table, exceptions_said_))
    std::fprintf(stderr, "loadhost: error: %s\n", line.c_str());
}

void RunReporter::tick(const stats::StatsTable &table, uint64_t user_count) {
  ++ticks_;
  say_new_exceptions(table);
  if (csv_) {
    report::WriteResult r = csv_->append_history(table, user_count, core::unix_now());
    if (!r.ok() && !history_failed_) std::fprintf(stderr, "loadhost: %s\n", r.error_.c_str());
    history_failed_ = history_failed_ || !r.ok();
    // Rewritten as the run goes, as Locust does: a crash keeps the last
    // second's totals. (Atomic: readers never see half a file.)
    r = csv_->write_snapshot(table);
    if (!r.ok() && !snapshot_failed_) std::fprintf(stderr, "loadhost: %s\n", r.error_.c_str());
    snapshot_failed_ = snapshot_failed_ || !r.ok();
  }
  if (!options_.only_summary && ticks_ % kConsoleEverySeconds == 0) {
    print(report::stats_table_text(table, true, console_options()) +
          report::iterations_text(table, &iterations_printed_) + "\n");
    iterations_printed_ = table.iterations();
  }
}

bool RunReporter::finish(const stats::StatsTable &table, const nlohmann::json &metadata,
                         const std::vector<thresholds::ThresholdResult> &thresholds) {
  say_new_exceptions(table);
  report::ConsoleOptions console = console_options();
  std::string verdict = thresholds::summary_text(thresholds);
  print(report::stats_table_text(table, false, console) + "\n" +
        report::percentile_table_text(table, console) + "\n" +
        report::corrected_percentile_table_text(table, console) + report::iterations_text(table) +
        report::failures_table_text(table, console) + report::exceptions_table_text(table) +
        (verdict.empty() ? "" : "\n" + verdict));
  // The same in plain words on stderr, beside the log's other lines (the
  // one that stopped the test said so when it did).
  for (const thresholds::ThresholdResult &r : thresholds)
    if (!r.ok() && !r.aborted)
      std::fprintf(stderr, "loadhost: %s\n", thresholds::failure_line(r.threshold, r.outcome).c_str());
  bool ok = true;
  auto check = [&ok](const report::WriteResult &r) {
    if (!r.ok()) {
      std::fprintf(stderr, "loadhost: %s\n", r.error_.c_str());
      ok = false;
    }
  };
  if (csv_) {
    report::WriteResult r = csv_->write_snapshot(table);
    check(r);
    if (history_failed_) ok = false;  // its error was printed when it happened
    if (r.ok())
      std::fprintf(stderr, "loadhost: wrote %s and the %sfailures and exceptions CSV files\n",
                   csv_->stats_path().c_str(), history_failed_ ? "" : "history, ");
  }
  if (!options_.json_file.empty()) {
    nlohmann::json document = report::stats_json(table, metadata);
    document["thresholds"] = thresholds::results_json(thresholds);
    report::WriteResult r = report::write_json_document(options_.json_file, document);
    check(r);
    if (r.ok()) std::fprintf(stderr, "loadhost: wrote %s\n", options_.json_file.c_str());
  }
  return ok;
}

}  // namespace loadhost::cli
