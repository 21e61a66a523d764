// gRPC status codes as loadhost shows them: a failure reads
// "DEADLINE_EXCEEDED: Deadline Exceeded" — the code's canonical name, then
// the status message on one line (the failures table is keyed by this text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loadhost::grpc_plugin {

// The canonical name of a gRPC status code ("UNAVAILABLE"), or
// "UNKNOWN_CODE" for a number outside 0..16.
std::string_view status_code_name(int64_t code);

// Writes "<CODE_NAME>: <message>" into `out` (replacing it). Line breaks in
// the message become spaces; an empty message leaves just the name.
void write_status_failure(std::string& out, int64_t code, std::string_view message);

}  // namespace loadhost::grpc_plugin
