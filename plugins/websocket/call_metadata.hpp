// What a call's metadata (lh_request.metadata) means to this plugin:
//   connect: "subprotocol" (repeatable, or comma separated) is offered in
//            Sec-WebSocket-Protocol; every other pair is a handshake header.
//   send, request: "opcode" = text (default) | binary.
//   close:   "code" = the close status (default 1000); the body is the reason.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "loadhost/abi.h"

namespace loadhost::websocket {

struct HandshakeOptions {
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> subprotocols;
};

enum class Opcode { text, binary };

// False with a one-line reason in `error` when a value is unusable.
bool parse_handshake_options(const lh_kv *metadata, size_t count, HandshakeOptions &out, std::string &error);
bool parse_opcode(const lh_kv *metadata, size_t count, Opcode &out, std::string &error);
bool parse_close_code(const lh_kv *metadata, size_t count, uint16_t &out, std::string &error);

}  // namespace loadhost::websocket
