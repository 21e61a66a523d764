// loadhost plugin kit — durations as the host's -t reads them.
//
// "250ms", "2s", "1.5s", "1m30s", "1h", "100us", "2d", or a plain number of
// seconds ("90"); units may be combined largest first as in -t ("1h30m").
// Every plugin option that is a duration reads through this, so a value that
// works for -t works for a plugin's deadline or timeout, and the other way.
// Header-only, C++17.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "loadhost/kit/text.hpp"

namespace loadhost {
namespace kit {

// The longest duration the host takes (366 days, as for -t): longer is a
// typo, and nanosecond deadline arithmetic must not overflow.
inline constexpr uint64_t kLongestDurationUs = 366ull * 86400 * 1000000;

// The units a duration may carry, for error texts and documentation.
inline constexpr std::string_view kDurationUnits = "us, ms, s, m, h, d";

// `text` (surrounding blanks ignored) in microseconds; nullopt when it is not
// a duration, or longer than kLongestDurationUs. Zero ("0", "0s") is a
// duration: whether it is allowed is the caller's rule.
inline std::optional<uint64_t> parse_duration_us(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double total_us = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    // The whole number or nothing: "1.2.3" and "." are not numbers.
    double value = 0;
    const char *first = text.data() + start, *last = text.data() + i;
    auto [end, ec] = std::from_chars(first, last, value, std::chars_format::fixed);
    if (ec != std::errc() || end != last) return std::nullopt;
    const size_t unit_start = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z'))) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit.empty() || unit == "s") scale = 1e6;
    else if (unit == "ms") scale = 1e3;
    else if (unit == "us") scale = 1;
    else if (unit == "m") scale = 60e6;
    else if (unit == "h") scale = 3600e6;
    else if (unit == "d") scale = 86400e6;
    else return std::nullopt;
    if (unit.empty() && i < text.size()) return std::nullopt;  // "10 5", "10.5s" is fine
    total_us += value * scale;
    if (total_us > double(kLongestDurationUs)) return std::nullopt;
  }
  return uint64_t(total_us + 0.5);
}

}  // namespace kit
}  // namespace loadhost
