// loadhost plugin kit — ASCII text helpers that option values, URLs and
// protocol tokens share. Locale-free on purpose: <cctype> consults the
// locale, and "TRUE", "HTTP" or a host name must mean the same everywhere.
// Header-only, C++17.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost {
namespace kit {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// Case-insensitive equality (option words, schemes, header names, hosts).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

constexpr bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Without leading and trailing spaces, tabs, CR and LF.
constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// The items of a list option, separated by any of `separators` (by default
// commas and newlines: a repeated flag arrives joined with '\n', options.h),
// trimmed, empty items dropped. The views point into `text`.
inline std::vector<std::string_view> split_list(std::string_view text, std::string_view separators = ",\n") {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t sep = text.find_first_of(separators);
    const std::string_view item = trim(text.substr(0, sep));
    if (!item.empty()) out.push_back(item);
    if (sep == std::string_view::npos) break;
    text.remove_prefix(sep + 1);
  }
  return out;
}

}  // namespace kit
}  // namespace loadhost
