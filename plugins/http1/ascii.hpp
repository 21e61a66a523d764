// ASCII helpers for HTTP's case-insensitive tokens. Locale-free on purpose:
// header names and hosts are ASCII, and <cctype> would consult the locale.
#pragma once

#include <string_view>

namespace loadhost::http1 {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// Case-insensitive equality (header names, schemes, hosts, tokens).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

constexpr bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// RFC 9110 tchar: what a method or a header name may contain. A table,
// because the response parser asks once per byte of every header name.
inline constexpr auto kTokenChars = [] {
  struct Table { bool at[256] = {}; } t;
  for (int c = '0'; c <= '9'; ++c) t.at[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t.at[c] = t.at[c - 'a' + 'A'] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t.at[static_cast<unsigned char>(c)] = true;
  return t;
}();

constexpr bool is_token_char(char c) { return kTokenChars.at[static_cast<unsigned char>(c)]; }

constexpr bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

constexpr std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(token) for each non-empty element of a comma-separated header
// list ("keep-alive, Upgrade"), trimmed.
template <typename Fn>
constexpr void for_each_token(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view token = trim_ows(list.substr(0, comma));
    if (!token.empty()) fn(token);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace loadhost::http1
