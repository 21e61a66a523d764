// What a request asks for, read from lh_request's operation and target.
//
// operation: "grpc"  — the kind of call comes from the method's descriptor
//                      (the stats type is then "grpc");
//            "unary", "server_stream", "client_stream", "bidi" — the kind
//                      named (checked against the descriptor when there is one);
//            "unary-raw", "server_stream-raw", "client_stream-raw",
//            "bidi-raw" — no descriptor at all: the body is serialized bytes.
// target:    "package.Service/Method" (also "/package.Service/Method" and
//            grpcurl's "package.Service.Method").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loadhost::grpc_plugin {

enum class CallKind : uint8_t { unary, server_stream, client_stream, bidi };

struct Operation {
  bool kind_given = false;  // false for "grpc": take it from the descriptor
  CallKind kind = CallKind::unary;
  bool raw = false;         // body and response are serialized messages
};

// False for an operation this plugin does not serve.
bool parse_operation(std::string_view text, Operation& out);

// "unary", "server_stream", "client_stream" or "bidi".
std::string_view kind_name(CallKind kind);

// The kind of a method with these streaming flags.
constexpr CallKind kind_of(bool client_streaming, bool server_streaming) {
  return client_streaming ? (server_streaming ? CallKind::bidi : CallKind::client_stream)
                          : (server_streaming ? CallKind::server_stream : CallKind::unary);
}

// Whether the request side of `kind` carries several messages.
constexpr bool streams_requests(CallKind kind) {
  return kind == CallKind::client_stream || kind == CallKind::bidi;
}

struct MethodName {
  std::string path;     // "/package.Service/Method": what goes on the wire
  std::string service;  // "package.Service"
  std::string method;   // "Method"
};

// False with a one-line reason in `error` when `target` names no method.
bool parse_method_name(std::string_view target, MethodName& out, std::string& error);

}  // namespace loadhost::grpc_plugin
