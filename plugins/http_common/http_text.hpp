// HTTP's token grammar (RFC 9110), for both HTTP plugins: what a method or a
// header name may contain, optional whitespace, comma-separated lists. The
// case-insensitive comparisons are the plugin kit's (loadhost/kit/text.hpp),
// locale-free on purpose: header names and hosts are ASCII.
#pragma once

#include <string_view>

#include "loadhost/kit/str.hpp"
#include "loadhost/kit/text.hpp"

namespace loadhost::http_common {

using kit::ascii_lower;
using kit::iequals;
using kit::istarts_with;
using kit::str;
using kit::view;

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

}  // namespace loadhost::http_common
