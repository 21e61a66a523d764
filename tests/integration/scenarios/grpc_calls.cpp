// The four kinds of gRPC call, and raw bytes, against the gRPC test server
// (tests/support/grpc_test_server/echo.proto), through the SDK's GrpcUser.
// Each task checks what came back and reports a failure naming the
// mismatch, so a clean run means every kind of call worked end to end.
#include <loadhost/loadhost.hpp>
#include <loadhost/grpc.hpp>

using namespace loadhost;

struct GrpcCalls : GrpcUser {
  GrpcCalls() {
    task(1, &GrpcCalls::unary);
    task(1, &GrpcCalls::server_stream);
    task(1, &GrpcCalls::client_stream);
    task(1, &GrpcCalls::bidi);
    task(1, &GrpcCalls::unary_raw);
    task(1, &GrpcCalls::bidi_raw);
  }

  static bool has(const Response &r, std::string_view text) { return r.body().find(text) != std::string::npos; }
  static void expect(Response &r, bool good, std::string_view what) {
    if (r.ok() && !good) r.failure(std::string(what) + ", got " + r.body());
  }

  Task<> unary() {
    // Metadata reaches the server: it echoes x-echo in the reply and back as
    // initial metadata.
    auto r = co_await client.unary("loadhost.test.Echo/Unary", R"({"message":"hi","number":7})")
                 .header("X-Echo", "meta-42")
                 .catch_response();
    expect(r, has(r, R"("message":"hi")") && has(r, R"("metadata_echo":"meta-42")") && r.header("x-echo") == "meta-42",
           "unary: no echo of message and metadata");
  }

  Task<> server_stream() {
    auto r = co_await client.server_stream("loadhost.test.Echo/ServerStream", R"({"message":"s","count":3})")
                 .catch_response();
    expect(r, has(r, R"("message":"s 2")"), "server_stream: the last message is not the third");
  }

  Task<> client_stream() {
    auto r = co_await client.client_stream("loadhost.test.Echo/ClientStream",
                                           R"([{"message":"a"},{"message":"b"},{"message":"c"}])")
                 .catch_response();
    expect(r, has(r, R"("message":"a,b,c")") && has(r, R"("count":3)"), "client_stream: not all messages arrived");
  }

  Task<> bidi() {
    // One JSON message per line works as well as an array.
    auto r = co_await client.bidi("loadhost.test.Echo/Bidi", "{\"message\":\"x\"}\n{\"message\":\"y\",\"number\":2}")
                 .catch_response();
    expect(r, has(r, R"("message":"y")") && has(r, R"("count":2)"), "bidi: the second echo did not come last");
  }

  Task<> unary_raw() {
    // EchoRequest{message: "raw"} serialized by hand: field 1, length 3.
    auto r = co_await client.unary_raw("loadhost.test.Echo/Unary", std::string_view("\x0a\x03raw", 5)).catch_response();
    expect(r, r.body() == std::string_view("\x0a\x03raw", 5), "unary_raw: the reply is not EchoReply{message: raw}");
  }

  Task<> bidi_raw() {
    const std::string framed = GrpcClient::length_prefixed({std::string("\x0a\x01p", 3), std::string("\x0a\x01q", 3)});
    auto r = co_await client.bidi_raw("loadhost.test.Echo/Bidi", framed).catch_response();
    // EchoReply{message: "q", count: 2}: field 4 is varint tag 0x20.
    expect(r, r.body() == std::string_view("\x0a\x01q\x20\x02", 5), "bidi_raw: the last reply is not {q, 2}");
  }
};

LOADHOST_SCENARIO(GrpcCalls);
