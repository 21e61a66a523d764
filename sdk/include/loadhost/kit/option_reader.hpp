// loadhost plugin kit — one typed reader for plugin options.
//
// Session options (lh_session_config.options: a scenario's set_option) and
// run options (lh_host.option: the plugin's flags) are text; every plugin
// turns them into booleans, durations, sizes, numbers and key/value lists
// the same way, and says what is wrong in one format:
//
//   <plugin>: option '<name>': '<value>' is not <what was expected>
//   http1: option 'insecure': 'maybe' is not a boolean (true/false, 1/0, yes/no, on/off)
//   grpc: option 'deadline': 'soon' is not a duration like 500ms or 2s (units: us, ms, s, m, h, d)
//
// The words:
//   boolean   true/false, 1/0, yes/no, on/off, in any case; nothing else.
//   duration  as the host's -t (kit/duration.hpp): "500ms", "2s", "1m30s",
//             a plain number is seconds.
//   size      bytes: "512", "512B", binary "64KiB", "1MiB", "1GiB", decimal
//             "64kB"/"64KB", "1MB", "1GB" (units in any case).
//   number    the whole text is the number (no sign unless the type has
//             one, no unit, no trailing text), within the caller's range.
//   key/value one pair per line (repeated flags arrive joined with '\n'),
//             KEY<sep>VALUE, key and value trimmed, the key not empty.
//
// Threads: none of its own; an OptionReader is used by one thread at a time.
// Header-only, C++17, standard library and C ABI only.
#pragma once

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "loadhost/host.h"
#include "loadhost/kit/duration.hpp"
#include "loadhost/kit/str.hpp"
#include "loadhost/kit/text.hpp"
#include "loadhost/protocol.h"

namespace loadhost {
namespace kit {

// ---- where options come from ------------------------------------------------

// A session option's value; nullopt when the session does not set it. When a
// name is set twice the last value wins (a later set_option replaces).
inline std::optional<std::string_view> session_option(const lh_session_config &config, std::string_view name) {
  std::optional<std::string_view> found;
  for (size_t i = 0; i < config.option_count; ++i)
    if (view(config.options[i].key) == name) found = view(config.options[i].value);
  return found;
}

// [any thread the host allows lh_host.option on] A run option's value;
// nullopt when the run does not set it (absent, as options.h says).
inline std::optional<std::string_view> run_option(const lh_host &host, const char *name) {
  const lh_str value = host.option(&host, name);
  if (absent(value)) return std::nullopt;
  return view(value);
}

// ---- the words, without error texts ------------------------------------------

inline constexpr std::string_view kBooleanWords = "true/false, 1/0, yes/no, on/off";

inline std::optional<bool> parse_bool(std::string_view text) {
  text = trim(text);
  if (text == "1" || iequals(text, "true") || iequals(text, "yes") || iequals(text, "on")) return true;
  if (text == "0" || iequals(text, "false") || iequals(text, "no") || iequals(text, "off")) return false;
  return std::nullopt;
}

// An integer or floating-point number: the whole (trimmed) text, nothing else.
template <class T>
std::optional<T> parse_number(std::string_view text) {
  static_assert(std::is_arithmetic<T>::value && !std::is_same<T, bool>::value, "a number type");
  text = trim(text);
  if (text.empty() || text.front() == '+') return std::nullopt;
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

inline std::optional<uint64_t> parse_size(std::string_view text) {
  text = trim(text);
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::optional<uint64_t> count = parse_number<uint64_t>(text.substr(0, digits));
  if (!count) return std::nullopt;
  const std::string_view unit = trim(text.substr(digits));
  uint64_t scale;
  if (unit.empty() || iequals(unit, "b")) scale = 1;
  else if (iequals(unit, "kib")) scale = 1ull << 10;
  else if (iequals(unit, "mib")) scale = 1ull << 20;
  else if (iequals(unit, "gib")) scale = 1ull << 30;
  else if (iequals(unit, "kb")) scale = 1000;
  else if (iequals(unit, "mb")) scale = 1000 * 1000;
  else if (iequals(unit, "gb")) scale = 1000 * 1000 * 1000;
  else return std::nullopt;
  if (*count > std::numeric_limits<uint64_t>::max() / scale) return std::nullopt;
  return *count * scale;
}

// ---- the reader ---------------------------------------------------------------

class OptionReader {
 public:
  // `plugin` starts every error text ("http1"); empty for none.
  explicit OptionReader(std::string_view plugin) : plugin_(plugin) {}

  // False once any read failed; error() is the first failure's one line.
  bool ok() const { return error_.empty(); }
  const std::string &error() const { return error_; }

  // Each reader parses `value` of option `name` into `out` and returns true;
  // on a bad value it leaves `out` alone, records the error (the first one is
  // kept) and returns false.

  bool boolean(std::string_view name, std::string_view value, bool &out) {
    const std::optional<bool> b = parse_bool(value);
    if (!b) return fail(name, value, std::string("a boolean (").append(kBooleanWords).append(")"));
    out = *b;
    return true;
  }

  // A flag: given without a value (empty) means true, else a boolean.
  bool flag(std::string_view name, std::string_view value, bool &out) {
    if (trim(value).empty()) {
      out = true;
      return true;
    }
    return boolean(name, value, out);
  }

  // A duration in microseconds, at least `min_us` (1 by default: zero and
  // "0s" are refused unless the caller allows them).
  bool duration_us(std::string_view name, std::string_view value, uint64_t &out, uint64_t min_us = 1) {
    const std::optional<uint64_t> us = parse_duration_us(value);
    if (!us || *us < min_us)
      return fail(name, value,
                  std::string("a duration like 500ms or 2s (units: ").append(kDurationUnits).append(")"));
    out = *us;
    return true;
  }

  bool size(std::string_view name, std::string_view value, uint64_t &out, uint64_t min = 0,
            uint64_t max = std::numeric_limits<uint64_t>::max()) {
    const std::optional<uint64_t> n = parse_size(value);
    if (!n || *n < min || *n > max) {
      std::string expected = "a size like 512, 64KiB or 1MiB";
      if (min > 0 || max < std::numeric_limits<uint64_t>::max())
        expected.append(" from ").append(std::to_string(min)).append(" to ").append(std::to_string(max)).append(
            " bytes");
      return fail(name, value, expected);
    }
    out = *n;
    return true;
  }

  // A number within [min, max]; `expected` replaces the generic "a number
  // from MIN to MAX" when the caller has a better word ("0, 1 or 2").
  template <class T>
  bool number(std::string_view name, std::string_view value, T &out,
              typename std::common_type<T>::type min = std::numeric_limits<T>::lowest(),
              typename std::common_type<T>::type max = std::numeric_limits<T>::max(), std::string_view expected = {}) {
    const std::optional<T> n = parse_number<T>(value);
    if (!n || !(*n >= min) || !(*n <= max)) {
      if (!expected.empty()) return fail(name, value, expected);
      return fail(name, value, "a number from " + number_text(min) + " to " + number_text(max));
    }
    out = *n;
    return true;
  }

  // KEY<sep>VALUE lines into `out` (appended, in order).
  bool key_values(std::string_view name, std::string_view value, std::vector<std::pair<std::string, std::string>> &out,
                  char separator = ':') {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::string_view line : split_list(value, "\n")) {
      const size_t at = line.find(separator);
      const std::string_view key = at == std::string_view::npos ? std::string_view() : trim(line.substr(0, at));
      if (key.empty()) return fail(name, line, std::string("KEY").append(1, separator).append("VALUE"));
      pairs.emplace_back(std::string(key), std::string(trim(line.substr(at + 1))));
    }
    out.insert(out.end(), pairs.begin(), pairs.end());
    return true;
  }

  // Records "<plugin>: option '<name>': '<value>' is not <expected>" (unless
  // an earlier error is kept) and returns false: for a plugin's own words
  // ("per-user or shared").
  bool fail(std::string_view name, std::string_view value, std::string_view expected) {
    if (error_.empty()) error_ = format_error(plugin_, name, value, expected);
    return false;
  }

  // The one error format, for texts built without a reader.
  static std::string format_error(std::string_view plugin, std::string_view name, std::string_view value,
                                  std::string_view expected) {
    std::string text;
    if (!plugin.empty()) text.append(plugin).append(": ");
    text.append("option '").append(name).append("': '").append(value).append("' is not ").append(expected);
    return text;
  }

 private:
  template <class T>
  static std::string number_text(T n) {
    if (std::is_floating_point<T>::value) {
      std::string s = std::to_string(n);  // "0.500000": drop the zeros
      while (s.size() > 1 && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      return s;
    }
    return std::to_string(n);
  }

  std::string plugin_;
  std::string error_;
};

}  // namespace kit
}  // namespace loadhost
