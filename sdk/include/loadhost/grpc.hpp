// loadhost C++ SDK — gRPC users and their client, through the bundled
// "grpc" plugin (plugins/grpc; docs/plugins/grpc.md):
//
//   #include <loadhost/loadhost.hpp>
//   #include <loadhost/grpc.hpp>
//
//   struct Greeter : loadhost::GrpcUser {
//     Greeter() { task(1, &Greeter::hello); }
//     Task<> hello() {
//       auto r = co_await client.unary("helloworld.Greeter/SayHello", R"({"name":"x"})");
//       if (r.ok() && r.body().find("Hello") == std::string::npos) r.failure("no greeting");
//     }
//   };
//
// Messages are JSON, typed by the service's .proto (--proto, or
// client.set_option("proto", ...)) or, without one, by the server's
// reflection. The kind of call follows the method's descriptor; its stats
// row is ("grpc", "package.Service/Method"), and each message a stream
// receives is also counted as ("grpc-message", same name). A response's
// status() is the gRPC code; a failure reads "CODE_NAME: message". The
// base URL is grpc://host:port or grpcs://host:port (-H/--host).
//
// The *_raw calls skip descriptors: bodies are serialized messages (for
// code that links its own generated classes), and so is the response body.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "loadhost/client.hpp"

namespace loadhost {

namespace detail {
// A JSON array of the messages: the plugin's body for request streams.
inline std::string json_array(const std::vector<std::string> &messages) {
  std::string out = "[";
  for (const auto &m : messages) out.append(out.size() > 1 ? "," : "").append(m);
  return out + "]";
}
// Each message prefixed by its length (4 bytes, big-endian): the raw body
// of request streams.
inline std::string length_prefixed(const std::vector<std::string> &messages) {
  std::string out;
  for (const auto &m : messages) {
    const auto n = static_cast<uint32_t>(m.size());
    out.push_back(char(n >> 24));
    out.push_back(char(n >> 16));
    out.push_back(char(n >> 8));
    out.push_back(char(n));
    out.append(m);
  }
  return out;
}
}  // namespace detail

class GrpcClient : public Client {
 public:
  explicit GrpcClient(std::string base_url = {}) : Client("grpc", std::move(base_url)) {}

  // One request message, one response (JSON).
  CallAwaiter unary(std::string method, std::string_view json = "{}", CallOptions o = {}) {
    return call("grpc", std::move(method), json, std::move(o));
  }
  // One request message; the body of the Response is the last message the
  // server streamed (each one is counted as a "grpc-message" event).
  CallAwaiter server_stream(std::string method, std::string_view json = "{}", CallOptions o = {}) {
    return call("grpc", std::move(method), json, std::move(o));
  }
  // A stream of request messages: a JSON array text ("[{...},{...}]") or
  // one JSON message per line.
  CallAwaiter client_stream(std::string method, std::string_view json_messages, CallOptions o = {}) {
    return call("grpc", std::move(method), json_messages, std::move(o));
  }
  CallAwaiter bidi(std::string method, std::string_view json_messages, CallOptions o = {}) {
    return call("grpc", std::move(method), json_messages, std::move(o));
  }

  // Without descriptors: `message` is a serialized request, the Response's
  // body the serialized (last) response. For request streams, give the
  // messages through length_prefixed(). Stats type: the operation
  // ("unary-raw", ...).
  CallAwaiter unary_raw(std::string method, std::string_view message, CallOptions o = {}) {
    return call("unary-raw", std::move(method), message, std::move(o));
  }
  CallAwaiter server_stream_raw(std::string method, std::string_view message, CallOptions o = {}) {
    return call("server_stream-raw", std::move(method), message, std::move(o));
  }
  CallAwaiter client_stream_raw(std::string method, std::string_view framed, CallOptions o = {}) {
    return call("client_stream-raw", std::move(method), framed, std::move(o));
  }
  CallAwaiter bidi_raw(std::string method, std::string_view framed, CallOptions o = {}) {
    return call("bidi-raw", std::move(method), framed, std::move(o));
  }

  // Bodies for the stream calls above. The awaiter keeps a view of the
  // body: pass a variable, or a temporary within the co_await expression.
  static std::string json_messages(const std::vector<std::string> &messages) { return detail::json_array(messages); }
  static std::string length_prefixed(const std::vector<std::string> &messages) {
    return detail::length_prefixed(messages);
  }
};

// A user with a GrpcClient on -H/--host, else the class's static `host`.
class GrpcUser : public UserBase {
 public:
  GrpcUser() {
    std::string_view h = target_host();
    if (!h.empty()) client.set_base_url(std::string(h));
  }
  GrpcClient client;
};

}  // namespace loadhost
