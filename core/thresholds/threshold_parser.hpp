// Reads a threshold expression (threshold.hpp) as --threshold, the config
// file and a scenario's LOADHOST_THRESHOLD give it:
//
//   [NAME:] METRIC OP VALUE [abort-on-fail [delay DURATION]]
//
// NAME is everything before the last ':' (a stats entry's name, which may
// hold ':' itself; threshold_evaluator.hpp says how it is matched). Durations
// need a unit (us, ms, s, m): a bare "300" on a duration metric is an error,
// not k6's silent milliseconds.
//
// Why strict: a gate that is silently wrong passes forever. Every malformed
// expression gets one line naming the expression and the part at fault,
// before any user starts.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/thresholds/threshold.hpp"

namespace loadhost::thresholds {

// The threshold, or nullopt with `error` set to one line:
// "threshold 'p(95)<3xs': '3xs' is not a duration like 300ms, 1.5s or 250us".
std::optional<Threshold> parse_threshold(std::string_view text, std::string &error);

}  // namespace loadhost::thresholds
