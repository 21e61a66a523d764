#include "core/thresholds/threshold_evaluator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace loadhost::thresholds {

namespace {

// The entries a threshold's name picks (threshold_evaluator.hpp).
std::vector<const stats::StatsEntry *> entries_named(const stats::StatsTable &table, const std::string &name) {
  if (name.empty() || name == "Aggregated") return {&table.total()};
  if (size_t space = name.find(' '); space != std::string::npos)
    if (const stats::StatsEntry *e = table.find(name.substr(0, space), name.substr(space + 1)))
      return {e};
  std::vector<const stats::StatsEntry *> out;
  for (const stats::StatsEntry *e : table.sorted_entries())
    if (e->name() == name) out.push_back(e);
  return out;
}

double value_of(const Threshold &t, const stats::StatsEntry &e, const stats::StatsTable &table) {
  switch (t.metric) {
    case Metric::percentile: return e.percentile(t.percentile);
    case Metric::avg: return e.average_response_time();
    case Metric::min: return double(e.min_response_time_us());
    case Metric::max: return double(e.max_response_time_us());
    case Metric::med: return e.median_response_time();
    case Metric::fail_ratio: return e.fail_ratio();
    case Metric::failures: return double(e.num_failures());
    case Metric::requests: return double(e.num_requests());
    case Metric::rps: return e.total_rps(table.start_time(), table.last_request_time());
    case Metric::fail_rps: return e.total_fail_per_sec(table.start_time(), table.last_request_time());
  }
  return 0;
}

// Up to three decimals, without trailing zeros: 412 ms, 0.25 ms, 212.5 ms.
std::string decimals(double value) {
  std::string text = fmt::format("{:.3f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string shown_value(const Threshold &t, double value) {
  switch (kind_of(t.metric)) {
    case MetricKind::duration: return decimals(value / 1000.0) + " ms";
    case MetricKind::ratio: return fmt::format("{} ({}%)", decimals(value), decimals(value * 100.0));
    case MetricKind::count: return fmt::format("{:.0f}", value);
    case MetricKind::rate: return decimals(value) + "/s";
  }
  return "";
}

// Edits between two strings (insert, delete, replace: one each).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_name(const stats::StatsTable &table, const std::string &name) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;  // farther is no typo
  auto consider = [&](const std::string &candidate) {
    size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  };
  for (const stats::StatsEntry *e : table.sorted_entries()) {
    if (e->num_requests() == 0) continue;
    consider(e->type() + " " + e->name());
    consider(e->name());
  }
  return best;
}

Outcome evaluate(const Threshold &threshold, const stats::StatsTable &table) {
  Outcome out;
  std::vector<const stats::StatsEntry *> entries = entries_named(table, threshold.entry_name);
  // Several types under one name: their samples merged (exact, bucket-wise).
  std::optional<stats::StatsEntry> merged;
  if (entries.size() > 1) {
    merged.emplace("", threshold.entry_name);
    for (const stats::StatsEntry *e : entries) merged->merge(*e);
  }
  const stats::StatsEntry *entry = merged ? &*merged : entries.empty() ? nullptr : entries.front();
  if (!entry || entry->num_requests() == 0) {
    out.shown = threshold.entry_name.empty() ? "no requests" : fmt::format("no requests named '{}'", threshold.entry_name);
    return out;
  }
  out.has_data = true;
  out.value = value_of(threshold, *entry, table);
  out.ok = passes(threshold, out.value);
  out.shown = shown_value(threshold, out.value);
  return out;
}

std::string failure_line(const Threshold &threshold, const Outcome &outcome) {
  return fmt::format("threshold {} failed: {}", threshold.criterion, outcome.shown);
}

}  // namespace loadhost::thresholds
