// LoadShape: Locust's LoadTestShape — asked once a second what the load
// should be; nothing means "stop the test". Scenarios provide one through
// lh_scenario.shape_tick; `--stages 10s:50,30s:50,10s:0` builds one here.
#pragma once

#include <loadhost/scenario.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost::core {

struct ShapeTick {
  uint32_t users = 0;
  double spawn_rate = 1.0;
  // The stage's user classes, as indices into the scenario's; empty = all
  // (Locust's 3-tuple tick).
  std::vector<uint32_t> classes;
  // Set when the shape cannot go on (it named a class the scenario does
  // not define): the test stops, failed, with this line.
  std::string error;
  // > 0: the open model's total rate from this tick on (lh_shape_tick's,
  // ABI 1.3); `users` then sizes only the closed classes.
  double arrival_rate = 0;
};

using LoadShape = std::function<std::optional<ShapeTick>(double run_time_s, uint64_t user_count)>;

// The scenario's own shape (lh_scenario.shape_tick) as a LoadShape; empty
// when it has none. `scenario` must outlive the shape.
LoadShape make_scenario_shape(const lh_scenario &scenario);
// The shape's name for the start line and the reports: "Spike" (the
// scenario's), or "" when the scenario does not name it.
std::string scenario_shape_name(const lh_scenario &scenario);

struct Stage {
  double duration_s;  // how long this stage lasts
  uint32_t users;     // users at the end of the stage (reached by ramping)
};

// Parses "10s:50,30s:50,10s:0" (durations as in -t). Empty error on success.
std::vector<Stage> parse_stages(const std::string &text, std::string &error);

// k6-style stages: each stage ramps linearly from the previous user count to
// its own over its duration; after the last stage the test stops.
LoadShape make_stages_shape(std::vector<Stage> stages);
// The most users any stage reaches, and how long the stages last.
uint32_t stages_peak(const std::vector<Stage> &stages);
double stages_duration_s(const std::vector<Stage> &stages);

// "30s", "1h30m", "90" (seconds), "1m5s", "250ms" -> seconds; nullopt if bad.
std::optional<double> parse_duration(std::string_view text);

// The longest duration loadhost takes (-t, -s, --request-timeout, a stage):
// longer is a typo, and the nanosecond clock arithmetic behind timers and
// deadlines must not overflow (-t 3000000h once stopped the test at once).
constexpr double kLongestDurationS = 366.0 * 86400;
constexpr const char *kLongestDurationText = "366 days";

}  // namespace loadhost::core
