#include "stream_body.hpp"

namespace loadhost::grpc_plugin {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// Returns the end of the JSON value starting at `i` (one past its last
// character), or npos when it is not closed. Only structure is checked:
// strings (with escapes) and bracket depth; the message parser checks the rest.
size_t value_end(std::string_view s, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{': case '[': ++depth; break;
      case '}': case ']':
        if (--depth < 0) return std::string_view::npos;
        if (depth == 0) return i + 1;
        break;
      case ',':
        if (depth == 0) return i;  // a bare scalar ends at the separator
        break;
      default:
        if (depth == 0 && is_space(c)) return i;
    }
  }
  return depth == 0 && !in_string ? s.size() : std::string_view::npos;
}

}  // namespace

bool split_json_messages(std::string_view body, std::vector<std::string_view>& out,
                         std::string& error) {
  out.clear();
  size_t i = skip_space(body, 0);
  if (i == body.size()) return true;
  const bool array = body[i] == '[';
  if (array) {
    size_t end = value_end(body, i);
    if (end == std::string_view::npos) {
      error = "the JSON array of messages is not closed";
      return false;
    }
    if (skip_space(body, end) != body.size()) {
      error = "text after the JSON array of messages";
      return false;
    }
    body = body.substr(0, end - 1);  // without the closing ']'
    i = skip_space(body, i + 1);
  }
  while (i < body.size()) {
    size_t end = value_end(body, i);
    if (end == std::string_view::npos || end == i) {
      error = "a message is not valid JSON (unbalanced brackets or an unterminated string)";
      return false;
    }
    out.push_back(body.substr(i, end - i));
    i = skip_space(body, end);
    if (i < body.size() && body[i] == ',') {
      if (!array) {
        error = "messages one per line must not be separated by commas (or give a JSON array)";
        return false;
      }
      i = skip_space(body, i + 1);
      if (i == body.size()) {
        error = "a trailing comma in the JSON array of messages";
        return false;
      }
    }
  }
  return true;
}

bool split_framed_messages(std::string_view body, std::vector<std::string_view>& out,
                           std::string& error) {
  out.clear();
  while (!body.empty()) {
    if (body.size() < 4) {
      error = "a raw message's 4-byte length prefix is cut short";
      return false;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(body.data());
    size_t size = size_t(p[0]) << 24 | size_t(p[1]) << 16 | size_t(p[2]) << 8 | size_t(p[3]);
    if (size > body.size() - 4) {
      error = "a raw message is shorter than its length prefix says";
      return false;
    }
    out.push_back(body.substr(4, size));
    body.remove_prefix(4 + size);
  }
  return true;
}

}  // namespace loadhost::grpc_plugin
