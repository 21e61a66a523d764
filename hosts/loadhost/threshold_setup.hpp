// The run's thresholds from every source, parsed before any user starts:
// --threshold (also from a config file's `threshold = [...]` and
// LOADHOST_THRESHOLD), then those the scenario declares (lh_scenario.thresholds,
// since ABI 1.3; LOADHOST_THRESHOLD in the C++ SDK).
#pragma once

#include <loadhost/scenario.h>

#include <string>
#include <vector>

#include "core/thresholds/threshold.hpp"
#include "hosts/loadhost/cli_options.hpp"

namespace loadhost::cli {

// Fills `out` (an expression given twice counts once). Returns "" or the one
// line to stop on (exit 2): the malformed expression, the part at fault, and
// where it came from when that was the scenario (`scenario_source` names it).
std::string collect_thresholds(const CliOptions &options, const lh_scenario &scenario,
                               const std::string &scenario_source, std::vector<thresholds::Threshold> &out);

}  // namespace loadhost::cli
