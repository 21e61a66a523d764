#include "headers.hpp"

#include "http_text.hpp"

namespace loadhost::http_common {
namespace {

// Bytes that may not appear raw in a request target (RFC 3986 plus what
// browsers and requests encode); '%' stays, the caller may have encoded.
bool needs_encoding(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return true;
  switch (c) {
    case '"': case '<': case '>': case '\\': case '^': case '`': case '{': case '|': case '}':
      return true;
    default:
      return false;
  }
}

void append_target_part(std::string& out, std::string_view part) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t clean = 0;  // append runs of safe bytes in one go
  for (size_t i = 0; i < part.size(); ++i) {
    const auto c = static_cast<unsigned char>(part[i]);
    if (!needs_encoding(c)) continue;
    out.append(part.data() + clean, i - clean);
    const char escaped[3] = {'%', kHex[c >> 4], kHex[c & 15]};
    out.append(escaped, 3);
    clean = i + 1;
  }
  out.append(part.data() + clean, part.size() - clean);
}

}  // namespace

void append_request_target(std::string& out, std::string_view path, std::string_view query) {
  append_target_part(out, path.empty() ? std::string_view("/") : path);
  append_target_part(out, query);
}

bool valid_header(std::string_view name, std::string_view value) {
  if (!is_token(name)) return false;
  for (char c : value)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool is_body_header(std::string_view name) {
  return iequals(name, "content-type") || iequals(name, "content-length") || iequals(name, "transfer-encoding");
}

bool is_credentials_header(std::string_view name) { return iequals(name, "authorization"); }

}  // namespace loadhost::http_common
