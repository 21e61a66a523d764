#include "core/report/csv_writer.hpp"

#include <cerrno>
#include <cmath>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "core/stats/percentiles.hpp"

namespace loadhost::report {

namespace {

using stats::StatsEntry;
using stats::StatsTable;
using Row = std::vector<std::string>;

// Python's csv.writer (QUOTE_MINIMAL, excel dialect): quote a cell only when
// it holds the delimiter, the quote or a line break; double inner quotes;
// end rows with "\r\n".
void append_row(std::string& out, const Row& row) {
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (i != 0) out += ',';
    const std::string& cell = row[i];
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
      out += cell;
      continue;
    }
    out += '"';
    for (char c : cell) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

// Python's repr(float): the shortest round-trip text, which fmt's "{}"
// also produces, except that Python keeps ".0" on integral values.
std::string py_float(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";  // 'n': inf, nan
  return text;
}

double to_ms(double us) { return us / 1000.0; }

// Locust reports median and percentiles as integers of milliseconds.
std::string ms_int(double us) { return fmt::format("{}", std::llround(to_ms(us))); }

// Locust writes `min_response_time or 0`, so "no requests" and 0.0 both give
// the integer 0, and any other value a float.
std::string min_ms(const StatsEntry& e) {
  return e.min_response_time_us() == 0 ? "0" : py_float(to_ms(static_cast<double>(e.min_response_time_us())));
}
// max_response_time starts as the integer 0 in Locust.
std::string max_ms(const StatsEntry& e) {
  return e.num_requests() == 0 ? "0" : py_float(to_ms(static_cast<double>(e.max_response_time_us())));
}
// avg_content_length is the integer 0 when there are no requests.
std::string avg_content(const StatsEntry& e) {
  return e.num_requests() == 0 ? "0" : py_float(e.average_content_size());
}

// `source` holds the samples the percentiles come from (the cumulative
// histogram, or the last-10-seconds window); nullptr when no window exists
// yet, which Locust writes as 0.
void append_percentiles(Row& row, const StatsEntry& e, const stats::LatencyHistogram* source) {
  for (double q : stats::kPercentilesToReport) {
    if (e.num_requests() == 0) {
      row.emplace_back("N/A");
    } else {
      row.push_back(source ? ms_int(source->percentile(q)) : "0");
    }
  }
}

void append_percentile_labels(Row& row) {
  for (double q : stats::kPercentilesToReport) row.push_back(stats::percentile_label(q));
}

Row stats_columns() {
  Row row{"Type",
          "Name",
          "Request Count",
          "Failure Count",
          "Median Response Time",
          "Average Response Time",
          "Min Response Time",
          "Max Response Time",
          "Average Content Size",
          "Requests/s",
          "Failures/s"};
  append_percentile_labels(row);
  return row;
}

Row stats_row(const StatsTable& table, const StatsEntry& e) {
  const double start = table.start_time();
  const double end = table.last_request_time();
  Row row{e.type(),
          e.name(),
          fmt::format("{}", e.num_requests()),
          fmt::format("{}", e.num_failures()),
          ms_int(e.median_response_time()),
          py_float(to_ms(e.average_response_time())),
          min_ms(e),
          max_ms(e),
          avg_content(e),
          py_float(e.total_rps(start, end)),
          py_float(e.total_fail_per_sec(start, end))};
  append_percentiles(row, e, &e.histogram());
  return row;
}

}  // namespace

std::string stats_csv(const StatsTable& table) {
  std::string out;
  append_row(out, stats_columns());
  for (const StatsEntry* e : table.sorted_entries()) append_row(out, stats_row(table, *e));
  append_row(out, stats_row(table, table.total()));
  return out;
}

std::string corrected_percentiles_csv(const StatsTable& table) {
  Row header{"Type", "Name", "Request Count", "Median Response Time", "Average Response Time",
             "Min Response Time", "Max Response Time"};
  append_percentile_labels(header);
  std::string out;
  append_row(out, header);
  auto append = [&out](const StatsEntry& e) {
    const stats::LatencyHistogram* h = e.corrected_histogram();
    if (!h) return;
    Row row{e.type(),
            e.name(),
            fmt::format("{}", h->count()),
            ms_int(h->median()),
            py_float(to_ms(h->mean())),
            py_float(to_ms(static_cast<double>(h->min()))),
            py_float(to_ms(static_cast<double>(h->max())))};
    for (double q : stats::kPercentilesToReport) row.push_back(ms_int(h->percentile(q)));
    append_row(out, row);
  };
  for (const StatsEntry* e : table.sorted_entries()) append(*e);
  append(table.total());
  return out;
}

std::string iterations_csv(const StatsTable& table) {
  std::string out;
  append_row(out, {"Iterations Started", "Iterations Dropped"});
  append_row(out, {fmt::format("{}", table.iterations().started), fmt::format("{}", table.iterations().dropped)});
  return out;
}

std::string failures_csv(const StatsTable& table) {
  std::string out;
  append_row(out, {"Method", "Name", "Error", "Occurrences"});
  for (const stats::Failure* f : table.sorted_failures()) {
    append_row(out, {f->method_, f->name_, f->error_, fmt::format("{}", f->occurrences_)});
  }
  return out;
}

std::string exceptions_csv(const StatsTable& table, std::string_view nodes) {
  std::string out;
  append_row(out, {"Count", "Message", "Traceback", "Nodes"});
  for (const stats::ExceptionRecord* x : table.sorted_exceptions()) {
    append_row(out, {fmt::format("{}", x->count_), x->message_, x->detail_, std::string(nodes)});
  }
  return out;
}

std::string stats_history_csv_header() {
  Row row{"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"};
  append_percentile_labels(row);
  for (const char* column : {"Total Request Count", "Total Failure Count",
                             "Total Median Response Time", "Total Average Response Time",
                             "Total Min Response Time", "Total Max Response Time",
                             "Total Average Content Size"}) {
    row.emplace_back(column);
  }
  std::string out;
  append_row(out, row);
  return out;
}

std::string StatsHistoryCsv::row(const StatsTable& table, const StatsEntry& e,
                                 stats::ResponseTimeWindow& window, std::uint64_t user_count,
                                 double unix_now) {
  window.observe(e.histogram(), unix_now);
  const std::optional<stats::LatencyHistogram> recent = window.window(e.histogram(), unix_now);

  // Locust's current rates are taken at the last request, not at the clock.
  const double last = table.last_request_time();
  Row row{fmt::format("{}", static_cast<std::int64_t>(std::floor(unix_now))),
          fmt::format("{}", user_count),
          e.type(),
          e.name(),
          fmt::format("{:2f}", e.current_rps(last, table.start_time())),
          fmt::format("{:2f}", e.current_fail_per_sec(last, table.start_time()))};
  append_percentiles(row, e, recent ? &*recent : nullptr);
  row.push_back(fmt::format("{}", e.num_requests()));
  row.push_back(fmt::format("{}", e.num_failures()));
  row.push_back(ms_int(e.median_response_time()));
  row.push_back(py_float(to_ms(e.average_response_time())));
  row.push_back(min_ms(e));
  row.push_back(max_ms(e));
  row.push_back(avg_content(e));
  std::string out;
  append_row(out, row);
  return out;
}

std::string StatsHistoryCsv::rows(const StatsTable& table, std::uint64_t user_count,
                                  double unix_now) {
  std::string out;
  if (full_history_) {
    for (const StatsEntry* e : table.sorted_entries()) {
      out += row(table, *e, windows_[{e->name(), e->type()}], user_count, unix_now);
    }
  }
  out += row(table, table.total(), total_window_, user_count, unix_now);
  return out;
}

void StatsHistoryCsv::stats_were_reset() {
  total_window_ = {};
  windows_.clear();
}

CsvFileWriter::CsvFileWriter(std::string prefix, CsvOptions options)
    : prefix_(std::move(prefix)), options_(std::move(options)), history_(options_.full_history) {}

WriteResult CsvFileWriter::write_snapshot(const StatsTable& table) {
  if (WriteResult r = write_file_atomically(stats_path(), stats_csv(table)); !r.ok()) return r;
  if (WriteResult r = write_file_atomically(failures_path(), failures_csv(table)); !r.ok()) return r;
  // The open model's files, only for runs that have their figures: a closed
  // run writes Locust's files and nothing else.
  if (table.total().corrected_histogram())
    if (WriteResult r = write_file_atomically(corrected_percentiles_path(), corrected_percentiles_csv(table)); !r.ok())
      return r;
  if (table.iterations().started || table.iterations().dropped)
    if (WriteResult r = write_file_atomically(iterations_path(), iterations_csv(table)); !r.ok()) return r;
  return write_file_atomically(exceptions_path(), exceptions_csv(table, options_.nodes));
}

WriteResult CsvFileWriter::append_history(const StatsTable& table, std::uint64_t user_count,
                                          double unix_now) {
  const std::string path = stats_history_path();
  if (!history_file_.is_open()) {
    errno = 0;
    history_file_.open(path, std::ios::binary | std::ios::trunc);
    if (!history_file_) return file_error("create", path);
    history_file_ << stats_history_csv_header();
  }
  // Flushed every tick: the history is read live, and a tick is one second.
  history_file_ << history_.rows(table, user_count, unix_now) << std::flush;
  if (!history_file_) return file_error("append to", path);
  return {};
}

}  // namespace loadhost::report
