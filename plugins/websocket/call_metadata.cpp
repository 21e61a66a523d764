#include "call_metadata.hpp"

#include <charconv>
#include <string_view>

#include "loadhost/kit/str.hpp"
#include "loadhost/kit/text.hpp"

namespace loadhost::websocket {

namespace {

using kit::view;

using kit::iequals;

using kit::trim;

}  // namespace

bool parse_handshake_options(const lh_kv *metadata, size_t count, HandshakeOptions &out, std::string &error) {
  for (size_t i = 0; i < count; ++i) {
    std::string_view key = view(metadata[i].key), value = view(metadata[i].value);
    if (key.empty()) {
      error = "websocket: a handshake header has an empty name";
      return false;
    }
    if (iequals(key, "subprotocol") || iequals(key, "Sec-WebSocket-Protocol")) {
      while (!value.empty()) {
        size_t comma = value.find(',');
        std::string_view item = trim(value.substr(0, comma));
        if (!item.empty()) out.subprotocols.emplace_back(item);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
      continue;
    }
    out.headers.emplace_back(std::string(key), std::string(value));
  }
  return true;
}

bool parse_opcode(const lh_kv *metadata, size_t count, Opcode &out, std::string &error) {
  out = Opcode::text;
  for (size_t i = 0; i < count; ++i) {
    if (!iequals(view(metadata[i].key), "opcode")) continue;
    std::string_view value = view(metadata[i].value);
    if (iequals(value, "text")) out = Opcode::text;
    else if (iequals(value, "binary")) out = Opcode::binary;
    else {
      error = "websocket: opcode '" + std::string(value) + "' is not text or binary";
      return false;
    }
  }
  return true;
}

bool parse_close_code(const lh_kv *metadata, size_t count, uint16_t &out, std::string &error) {
  out = 1000;
  for (size_t i = 0; i < count; ++i) {
    if (!iequals(view(metadata[i].key), "code")) continue;
    std::string_view value = view(metadata[i].value);
    unsigned code = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), code);
    // RFC 6455 7.4: 1000-1003, 1007-1014 and 3000-4999 may be sent.
    bool sendable = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    if (ec != std::errc() || end != value.data() + value.size() || !sendable) {
      error = "websocket: close code '" + std::string(value) + "' cannot be sent (use 1000-1003, 1007-1014 or 3000-4999)";
      return false;
    }
    out = static_cast<uint16_t>(code);
  }
  return true;
}

}  // namespace loadhost::websocket
