#include "core/runner/arrival_options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/runner/load_shape.hpp"

namespace loadhost::core {

std::optional<double> parse_rate(std::string_view text) {
  double per = 1;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view unit = text.substr(slash + 1);
    if (unit == "s") per = 1;
    else if (unit == "m") per = 60;
    else if (unit == "h") per = 3600;
    else return std::nullopt;
    text = text.substr(0, slash);
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
    return std::nullopt;
  return value / per;
}

std::vector<ArrivalPlan::Stage> parse_arrival_stages(const std::string &text, std::string &error) {
  std::vector<ArrivalPlan::Stage> stages;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t colon = item.find(':');
    std::optional<double> duration = colon == std::string_view::npos ? std::nullopt : parse_duration(item.substr(0, colon));
    std::optional<double> rate = colon == std::string_view::npos ? std::nullopt : parse_rate(item.substr(colon + 1));
    if (!duration || !rate) {
      error = fmt::format("--arrival-stages: '{}' is not DURATION:RATE (e.g. 30s:100/s)", item);
      return {};
    }
    if (*duration > kLongestDurationS) {
      error = fmt::format("--arrival-stages: '{}' lasts longer than {}", item, kLongestDurationText);
      return {};
    }
    stages.push_back(ArrivalPlan::Stage{*duration, *rate});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (stages.empty()) error = "--arrival-stages: no stage given (e.g. 30s:100/s,2m:1000/s,30s:0/s)";
  return stages;
}

}  // namespace loadhost::core
