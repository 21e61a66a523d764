#include "status_text.hpp"

#include <array>

namespace loadhost::grpc_plugin {

std::string_view status_code_name(int64_t code) {
  // Indexed by code: https://grpc.github.io/grpc/core/md_doc_statuscodes.html
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  if (code < 0 || code >= int64_t(kNames.size())) return "UNKNOWN_CODE";
  return kNames[size_t(code)];
}

void write_status_failure(std::string& out, int64_t code, std::string_view message) {
  out.assign(status_code_name(code));
  if (message.empty()) return;
  out += ": ";
  for (char c : message) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
}

}  // namespace loadhost::grpc_plugin
