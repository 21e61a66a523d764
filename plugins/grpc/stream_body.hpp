// The body of a client-streaming or bidi call holds several request
// messages. As JSON: an array of them (`[{"a":1},{"a":2}]`) or values one
// after another, usually one per line (`{"a":1}\n{"a":2}`); this splits the
// text without parsing the messages (protobuf's JSON parser does that, one
// by one, against the method's input type). Raw (the "-raw" operations):
// each serialized message preceded by its length, 4 bytes big-endian.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loadhost::grpc_plugin {

// Splits `body` into message texts (views into `body`). An empty or
// whitespace-only body is no message; `[]` is no message. Returns false with
// a one-line reason in `error` when a value is not closed (an unbalanced
// bracket or an unterminated string).
bool split_json_messages(std::string_view body, std::vector<std::string_view>& out,
                         std::string& error);

// Splits a raw body of length-prefixed messages into views into `body`.
// False with a one-line reason in `error` when a length runs past the end.
bool split_framed_messages(std::string_view body, std::vector<std::string_view>& out,
                           std::string& error);

}  // namespace loadhost::grpc_plugin
