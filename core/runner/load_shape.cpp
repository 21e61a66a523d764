#include "core/runner/load_shape.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
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

uint32_t stages_peak(const std::vector<Stage> &stages) {
  uint32_t peak = 0;
  for (const Stage &s : stages) peak = std::max(peak, s.users);
  return peak;
}

double stages_duration_s(const std::vector<Stage> &stages) {
  double total = 0;
  for (const Stage &s : stages) total += s.duration_s;
  return total;
}

std::string scenario_shape_name(const lh_scenario &scenario) {
  // lh_scenario.shape_name is ABI 1.2: read only when the scenario's size covers it.
  bool has_name = scenario.size >= offsetof(lh_scenario, shape_name) + sizeof(scenario.shape_name);
  if (!scenario.shape_tick || !has_name || !scenario.shape_name) return "";
  return scenario.shape_name;
}

LoadShape make_scenario_shape(const lh_scenario &scenario) {
  if (!scenario.shape_tick) return {};
  return [&scenario](double t, uint64_t users) -> std::optional<ShapeTick> {
    lh_shape_tick tick{};
    tick.size = sizeof(tick);
    scenario.shape_tick(t, users, &tick);
    if (tick.stop) return std::nullopt;
    ShapeTick out{tick.users, tick.spawn_rate, {}, {}};
    out.arrival_rate = std::isfinite(tick.arrival_rate) && tick.arrival_rate > 0 ? tick.arrival_rate : 0;
    for (uint32_t i = 0; i < tick.class_count && tick.class_names; ++i) {
      std::string_view name = tick.class_names[i] ? tick.class_names[i] : "";
      uint32_t found = scenario.class_count;
      for (uint32_t c = 0; c < scenario.class_count; ++c)
        if (name == scenario.classes[c]->name) found = c;
      if (found == scenario.class_count) {
        std::string known;
        for (uint32_t c = 0; c < scenario.class_count; ++c)
          known += fmt::format("{}{}", known.empty() ? "" : ", ", scenario.classes[c]->name);
        out.error = fmt::format("the load shape asked for user class '{}', which the scenario does not define "
                                "(it has: {})", name, known);
        return out;
      }
      if (std::find(out.classes.begin(), out.classes.end(), found) == out.classes.end()) out.classes.push_back(found);
    }
    return out;
  };
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
        return ShapeTick{uint32_t(std::lround(users)), rate > 0 ? std::max(rate, 1.0) : 1000.0, {}, {}};
      }
      from_users = s.users;
      stage_start += s.duration_s;
    }
    return std::nullopt;
  };
}

}  // namespace loadhost::core
