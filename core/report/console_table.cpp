#include "core/report/console_table.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "core/stats/percentiles.hpp"

namespace loadhost::report {

namespace {

using stats::StatsEntry;
using stats::StatsTable;

constexpr int kTypeWidth = 8;  // Locust's STATS_TYPE_WIDTH

// Python's "%d" of a float truncates toward zero.
long long ms_trunc(double us) { return static_cast<long long>(us / 1000.0); }
long long ms_round(double us) { return std::llround(us / 1000.0); }

void add_line(std::string& out, std::string_view line) {
  out += line;
  out += '\n';
}

// Locust's StatsEntry.to_string: "%-8s %-Ns %7d %12s |%7d %7d %7d%7d | %7.2f %11.2f".
std::string stats_line(const StatsTable& table, const StatsEntry& e, bool current, int name_column) {
  const double start = table.start_time();
  const double last = table.last_request_time();
  const double rps = current ? e.current_rps(last, start) : e.total_rps(start, last);
  const double fail_per_sec =
      current ? e.current_fail_per_sec(last, start) : e.total_fail_per_sec(start, last);
  return fmt::format("{:<{}} {:<{}} {:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7.2f} {:>11.2f}",
                     e.type().empty() ? std::string() : e.type() + " ", kTypeWidth, e.name(),
                     name_column, e.num_requests(),
                     fmt::format("{}({:.2f}%)", e.num_failures(), e.fail_ratio() * 100.0),
                     ms_trunc(e.average_response_time()),
                     ms_trunc(static_cast<double>(e.min_response_time_us())),
                     ms_trunc(static_cast<double>(e.max_response_time_us())),
                     ms_round(e.median_response_time()), rps, fail_per_sec);
}

// Locust's StatsEntry.percentile(): its template puts the first percentile
// in the 8-wide column and "# reqs" last, and the header follows suit.
// `h`: the entry's service-time histogram, or its corrected one.
std::string percentile_line(const StatsEntry& e, const stats::LatencyHistogram& h, int name_width) {
  std::string line = fmt::format("{:<{}} {:<{}}", e.type(), kTypeWidth, e.name(), name_width);
  bool first = true;
  for (double q : stats::kPercentilesToReport) {
    line += fmt::format(" {:>{}}", ms_round(h.percentile(q)), first ? 8 : 6);
    first = false;
  }
  line += fmt::format(" {:>6}", h.count());
  return line;
}

// The entries a console table shows: all of them up to max_rows, else the
// max_rows busiest (ties by name), in the reports' name order.
std::vector<const StatsEntry*> console_rows(const StatsTable& table, std::size_t max_rows,
                                            std::size_t& not_shown) {
  std::vector<const StatsEntry*> rows = table.sorted_entries();
  not_shown = 0;
  if (rows.size() <= max_rows) return rows;
  not_shown = rows.size() - max_rows;
  std::stable_sort(rows.begin(), rows.end(), [](const StatsEntry* a, const StatsEntry* b) {
    return a->num_requests() > b->num_requests();
  });
  rows.resize(max_rows);
  std::sort(rows.begin(), rows.end(), [](const StatsEntry* a, const StatsEntry* b) {
    return std::tie(a->name(), a->type()) < std::tie(b->name(), b->type());
  });
  return rows;
}

std::string not_shown_line(std::size_t not_shown) {
  return fmt::format("... and {} more names with fewer requests, not shown here (every name is in the CSV, "
                     "JSON and HTML reports)",
                     not_shown);
}

// The percentile table of one histogram of each entry (nullptr: no row).
template <typename Histogram>
std::string percentile_table(const StatsTable& table, ConsoleOptions options, std::string_view title,
                             Histogram histogram_of) {
  const auto name_width = static_cast<std::size_t>(std::max(options.name_width, 0));
  std::string header = fmt::format("{:<{}} {:<{}}", "Type", kTypeWidth, "Name", name_width);
  std::string separator = std::string(kTypeWidth, '-') + "|" + std::string(name_width, '-');
  bool first = true;
  for (double q : stats::kPercentilesToReport) {
    header += fmt::format(" {:>{}}", stats::percentile_label(q), first ? 8 : 6);
    separator += "|" + std::string(first ? 8 : 6, '-');
    first = false;
  }
  header += fmt::format(" {:>6}", "# reqs");
  separator += "|" + std::string(6, '-');

  std::string out;
  add_line(out, std::string(title));
  add_line(out, header);
  add_line(out, separator);
  std::size_t not_shown = 0;
  for (const StatsEntry* e : console_rows(table, options.max_rows, not_shown)) {
    const stats::LatencyHistogram* h = histogram_of(*e);
    if (h && h->count() > 0) add_line(out, percentile_line(*e, *h, options.name_width));
  }
  if (not_shown) add_line(out, not_shown_line(not_shown));
  add_line(out, separator);
  const stats::LatencyHistogram* total = histogram_of(table.total());
  if (total && total->count() > 0) add_line(out, percentile_line(table.total(), *total, options.name_width));
  add_line(out, "");
  return out;
}

}  // namespace

int name_width_for_terminal(int terminal_columns) {
  return std::clamp(terminal_columns - 80, 0, 80);
}

std::string stats_table_text(const StatsTable& table, bool current, ConsoleOptions options) {
  // Locust gives the name column 4 characters saved by narrower numbers.
  const int name_column = options.name_width - kTypeWidth + 4;
  const std::string separator =
      fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", std::string(kTypeWidth, '-'),
                  std::string(static_cast<std::size_t>(std::max(name_column, 0)), '-'),
                  std::string(7, '-'), std::string(13, '-'), std::string(7, '-'),
                  std::string(7, '-'), std::string(7, '-'), std::string(7, '-'),
                  std::string(8, '-'), std::string(11, '-'));
  std::string out;
  add_line(out, fmt::format("{:<{}} {:<{}} {:>7} {:>12} |{:>7} {:>7} {:>7}{:>7} | {:>7} {:>11}",
                            "Type", kTypeWidth, "Name", name_column, "# reqs", "# fails", "Avg",
                            "Min", "Max", "Med", "req/s", "failures/s"));
  add_line(out, separator);
  std::size_t not_shown = 0;
  for (const StatsEntry* e : console_rows(table, options.max_rows, not_shown)) {
    add_line(out, stats_line(table, *e, current, name_column));
  }
  if (not_shown) add_line(out, not_shown_line(not_shown));
  add_line(out, separator);
  add_line(out, stats_line(table, table.total(), current, name_column));
  add_line(out, "");
  return out;
}

std::string percentile_table_text(const StatsTable& table, ConsoleOptions options) {
  return percentile_table(table, options, "Response time percentiles (approximated)",
                          [](const StatsEntry& e) { return &e.histogram(); });
}

std::string corrected_percentile_table_text(const StatsTable& table, ConsoleOptions options) {
  if (!table.total().corrected_histogram()) return "";
  return percentile_table(table, options,
                          "Response time percentiles from the intended start (corrected for coordinated omission)",
                          [](const StatsEntry& e) { return e.corrected_histogram(); });
}

std::string iterations_text(const StatsTable& table, const StatsTable::Iterations* since) {
  const StatsTable::Iterations& it = table.iterations();
  if (it.started == 0 && it.dropped == 0) return "";
  std::string recent;
  if (since && it.started >= since->started && it.dropped >= since->dropped)
    recent = fmt::format(", {} and {} since the last table", it.started - since->started, it.dropped - since->dropped);
  std::string out;
  add_line(out, fmt::format("Open model: {} iterations started, {} dropped{}{}", it.started, it.dropped, recent,
                            it.dropped ? " (every user of the pool was busy at --max-users)" : ""));
  add_line(out, "");
  return out;
}

std::string failures_table_text(const StatsTable& table, ConsoleOptions options) {
  const std::vector<const stats::Failure*> failures = table.sorted_failures();
  if (failures.empty()) return {};
  const std::string separator =
      std::string(18, '-') + "|" +
      std::string(static_cast<std::size_t>(std::max(80 + options.name_width - 19, 0)), '-');
  std::string out;
  add_line(out, "Error report");
  add_line(out, fmt::format("{:<18} {:<100}", "# occurrences", "Error"));
  add_line(out, separator);
  for (const stats::Failure* f : failures) {
    add_line(out, fmt::format("{:<18} {:<100}", f->occurrences_,
                              fmt::format("{} {}: {}", f->method_, f->name_, f->error_)));
  }
  add_line(out, separator);
  add_line(out, "");
  return out;
}

}  // namespace loadhost::report
