#include "call_target.hpp"

namespace loadhost::grpc_plugin {

bool parse_operation(std::string_view text, Operation& out) {
  out = Operation{};
  if (text == "grpc") return true;
  if (text.ends_with("-raw")) {
    out.raw = true;
    text.remove_suffix(4);
  }
  out.kind_given = true;
  if (text == "unary") out.kind = CallKind::unary;
  else if (text == "server_stream") out.kind = CallKind::server_stream;
  else if (text == "client_stream") out.kind = CallKind::client_stream;
  else if (text == "bidi") out.kind = CallKind::bidi;
  else return false;
  return true;
}

std::string_view kind_name(CallKind kind) {
  switch (kind) {
    case CallKind::unary: return "unary";
    case CallKind::server_stream: return "server_stream";
    case CallKind::client_stream: return "client_stream";
    case CallKind::bidi: return "bidi";
  }
  return "unary";
}

bool parse_method_name(std::string_view target, MethodName& out, std::string& error) {
  std::string_view t = target;
  if (t.starts_with('/')) t.remove_prefix(1);
  size_t sep = t.find('/');
  if (sep == std::string_view::npos) sep = t.rfind('.');
  if (sep == std::string_view::npos || sep == 0 || sep + 1 >= t.size() ||
      t.find('/', sep + 1) != std::string_view::npos) {
    error = "'" + std::string(target) + "' is not a method name like package.Service/Method";
    return false;
  }
  out.service.assign(t.substr(0, sep));
  out.method.assign(t.substr(sep + 1));
  out.path.assign("/").append(out.service).append("/").append(out.method);
  return true;
}

}  // namespace loadhost::grpc_plugin
