#include "hosts/loadhost/threshold_setup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "core/thresholds/threshold_parser.hpp"

namespace loadhost::cli {

namespace {

// The scenario's expressions, when its lh_scenario is new enough to have them.
std::vector<std::string> scenario_thresholds(const lh_scenario &s) {
  if (s.size < offsetof(lh_scenario, threshold_count) + sizeof(s.threshold_count) || !s.thresholds) return {};
  std::vector<std::string> out;
  for (uint32_t i = 0; i < s.threshold_count; ++i)
    if (s.thresholds[i]) out.emplace_back(s.thresholds[i]);
  return out;
}

}  // namespace

std::string collect_thresholds(const CliOptions &options, const lh_scenario &scenario,
                               const std::string &scenario_source, std::vector<thresholds::Threshold> &out) {
  std::vector<std::string> seen;
  auto add = [&](const std::string &text, const std::string &source) -> std::string {
    if (std::find(seen.begin(), seen.end(), text) != seen.end()) return "";
    seen.push_back(text);
    std::string error;
    std::optional<thresholds::Threshold> t = thresholds::parse_threshold(text, error);
    if (!t) return source.empty() ? error : source + ": " + error;
    out.push_back(std::move(*t));
    return "";
  };
  for (const std::string &text : options.thresholds)
    if (std::string e = add(text, ""); !e.empty()) return e;
  for (const std::string &text : scenario_thresholds(scenario))
    if (std::string e = add(text, fmt::format("scenario {}", scenario_source)); !e.empty()) return e;
  return "";
}

}  // namespace loadhost::cli
