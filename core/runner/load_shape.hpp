// LoadShape: Locust's LoadTestShape — asked once a second what the load
// should be; nothing means "stop the test". Scenarios provide one through
// lh_scenario.shape_tick; `--stages 10s:50,30s:50,10s:0` builds one here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost::core {

struct ShapeTick {
  uint32_t users = 0;
  double spawn_rate = 1.0;
};

using LoadShape = std::function<std::optional<ShapeTick>(double run_time_s, uint64_t user_count)>;

struct Stage {
  double duration_s;  // how long this stage lasts
  uint32_t users;     // users at the end of the stage (reached by ramping)
};

// Parses "10s:50,30s:50,10s:0" (durations as in -t). Empty error on success.
std::vector<Stage> parse_stages(const std::string &text, std::string &error);

// k6-style stages: each stage ramps linearly from the previous user count to
// its own over its duration; after the last stage the test stops.
LoadShape make_stages_shape(std::vector<Stage> stages);

// "30s", "1h30m", "90" (seconds), "1m5s", "250ms" -> seconds; nullopt if bad.
std::optional<double> parse_duration(std::string_view text);

// The longest duration loadhost takes (-t, -s, --request-timeout, a stage):
// longer is a typo, and the nanosecond clock arithmetic behind timers and
// deadlines must not overflow (-t 3000000h once stopped the test at once).
constexpr double kLongestDurationS = 366.0 * 86400;
constexpr const char *kLongestDurationText = "366 days";

}  // namespace loadhost::core
