#include "core/runner/load_shape.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace loadhost::core {

std::optional<double> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    // The whole number or nothing: "1.2.3", "." and 400 digits are not
    // durations (std::stod took a prefix or threw).
    double value = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, value, std::chars_format::fixed);
    if (ec != std::errc() || end != text.data() + i) return std::nullopt;
    std::string_view unit;
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    unit = text.substr(ustart, i - ustart);
    if (unit.empty() || unit == "s") total += value;
    else if (unit == "ms") total += value / 1000;
    else if (unit == "m") total += value * 60;
    else if (unit == "h") total += value * 3600;
    else if (unit == "d") total += value * 86400;
    else return std::nullopt;
    any = true;
    if (unit.empty() && i < text.size()) return std::nullopt;  // "10 5"
  }
  if (!any) return std::nullopt;
  return total;
}

std::vector<Stage> parse_stages(const std::string &text, std::string &error) {
  std::vector<Stage> stages;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t colon = item.find(':');
    std::optional<double> duration;
    uint32_t users = 0;
    bool ok = colon != std::string_view::npos;
    if (ok) {
      duration = parse_duration(item.substr(0, colon));
      std::string_view u = item.substr(colon + 1);
      auto [end, ec] = std::from_chars(u.data(), u.data() + u.size(), users);
      ok = duration.has_value() && !u.empty() && ec == std::errc() && end == u.data() + u.size();
    }
    if (!ok) {
      error = fmt::format("--stages: '{}' is not DURATION:USERS (e.g. 30s:50)", item);
      return {};
    }
    if (*duration > kLongestDurationS) {
      error = fmt::format("--stages: '{}' lasts longer than {}", item, kLongestDurationText);
      return {};
    }
    stages.push_back(Stage{*duration, users});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (stages.empty()) error = "--stages: no stage given (e.g. 10s:50,30s:50,10s:0)";
  return stages;
}

LoadShape make_stages_shape(std::vector<Stage> stages) {
  return [stages = std::move(stages)](double t, uint64_t) -> std::optional<ShapeTick> {
    double from_users = 0;
    double stage_start = 0;
    for (const Stage &s : stages) {
      if (t < stage_start + s.duration_s) {
        double progress = s.duration_s > 0 ? (t - stage_start) / s.duration_s : 1.0;
        double users = from_users + (double(s.users) - from_users) * progress;
        // The rate that reaches the next second's count within a second.
        double rate = s.duration_s > 0 ? std::abs(double(s.users) - from_users) / s.duration_s : 0;
        return ShapeTick{uint32_t(std::lround(users)), rate > 0 ? std::max(rate, 1.0) : 1000.0};
      }
      from_users = s.users;
      stage_start += s.duration_s;
    }
    return std::nullopt;
  };
}

}  // namespace loadhost::core
