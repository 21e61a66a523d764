#include "core/report/json_report.hpp"

#include <nlohmann/json.hpp>

#include "core/stats/percentiles.hpp"

namespace loadhost::report {

namespace {

using nlohmann::json;

double to_ms(double us) { return us / 1000.0; }

json entry_json(const stats::StatsTable& table, const stats::StatsEntry& e) {
  json percentiles = json::object();
  for (double q : stats::kPercentilesToReport) {
    percentiles[stats::percentile_label(q)] = to_ms(e.percentile(q));
  }
  const double start = table.start_time();
  const double end = table.last_request_time();
  json corrected = nullptr;  // response times from the intended start, when there was one
  if (const stats::LatencyHistogram* h = e.corrected_histogram()) {
    json corrected_percentiles = json::object();
    for (double q : stats::kPercentilesToReport)
      corrected_percentiles[stats::percentile_label(q)] = to_ms(h->percentile(q));
    corrected = json{{"num_requests", h->count()},
                     {"min_response_time_ms", to_ms(static_cast<double>(h->min()))},
                     {"max_response_time_ms", to_ms(static_cast<double>(h->max()))},
                     {"avg_response_time_ms", to_ms(h->mean())},
                     {"median_response_time_ms", to_ms(h->median())},
                     {"percentiles_ms", std::move(corrected_percentiles)}};
  }
  return json{
      {"type", e.type()},
      {"name", e.name()},
      {"num_requests", e.num_requests()},
      {"num_failures", e.num_failures()},
      {"fail_ratio", e.fail_ratio()},
      {"min_response_time_ms", to_ms(static_cast<double>(e.min_response_time_us()))},
      {"max_response_time_ms", to_ms(static_cast<double>(e.max_response_time_us()))},
      {"avg_response_time_ms", to_ms(e.average_response_time())},
      {"median_response_time_ms", to_ms(e.median_response_time())},
      {"percentiles_ms", std::move(percentiles)},
      {"total_rps", e.total_rps(start, end)},
      {"total_fail_per_sec", e.total_fail_per_sec(start, end)},
      {"total_content_length", e.total_content_length()},
      {"avg_content_length", e.average_content_size()},
      {"first_request_time", e.first_request_time()},
      {"last_request_time", e.last_request_time()},
      {"corrected", std::move(corrected)},
  };
}

}  // namespace

json stats_json(const stats::StatsTable& table, const json& metadata) {
  json entries = json::array();
  for (const stats::StatsEntry* e : table.sorted_entries()) entries.push_back(entry_json(table, *e));

  json failures = json::array();
  for (const stats::Failure* f : table.sorted_failures()) {
    failures.push_back({{"method", f->method_},
                        {"name", f->name_},
                        {"error", f->error_},
                        {"occurrences", f->occurrences_},
                        {"first_seen", f->first_seen_},
                        {"last_seen", f->last_seen_}});
  }

  json exceptions = json::array();
  for (const stats::ExceptionRecord* x : table.sorted_exceptions()) {
    exceptions.push_back({{"message", x->message_}, {"detail", x->detail_}, {"count", x->count_}});
  }

  return json{{"metadata", metadata},
              {"start_time", table.start_time()},
              {"last_request_time", table.last_request_time()},
              {"requests_sent", table.requests_sent()},
              {"iterations", {{"started", table.iterations().started}, {"dropped", table.iterations().dropped}}},
              {"stats", std::move(entries)},
              {"aggregated", entry_json(table, table.total())},
              {"failures", std::move(failures)},
              {"exceptions", std::move(exceptions)}};
}

WriteResult write_json_report(const std::string& path, const stats::StatsTable& table,
                              const json& metadata) {
  return write_json_document(path, stats_json(table, metadata));
}

WriteResult write_json_document(const std::string& path, const json& document) {
  // error_handler::replace: a name or error text with invalid UTF-8 (raw
  // bytes from a server) must not abort the final report.
  const std::string text = document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  return write_file_atomically(path, text);
}

}  // namespace loadhost::report
