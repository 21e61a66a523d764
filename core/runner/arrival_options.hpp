// The open model's command-line values: --arrival-rate RATE and
// --arrival-stages DURATION:RATE,... (docs/workload-models.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/arrival_plan.hpp"

namespace loadhost::core {

// "500/s", "500" (per second), "30/m", "2/h" -> iterations per second;
// nullopt when not a finite rate >= 0.
std::optional<double> parse_rate(std::string_view text);
// "30s:100/s,2m:1000/s,30s:0/s" -> stages (durations as in -t, rates as
// parse_rate). On failure `error` is one line naming --arrival-stages.
std::vector<ArrivalPlan::Stage> parse_arrival_stages(const std::string &text, std::string &error);

}  // namespace loadhost::core
