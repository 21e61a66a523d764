// One gRPC call in flight, on the generic (ByteBuffer) async API: every
// method works without generated stubs.
//
//   start():  copy the request, resolve the method (proto files, the loop's
//             reflected schema, or wait for its fetch), encode the messages,
//             launch.
//   unary:    PrepareUnaryCall + StartCall + Finish            -> finished
//   streams:  StartCall -> one Read and one Write in flight at a time:
//             writes go through the messages then WritesDone; each message
//             read is reported as a "grpc-message" event; when the server
//             ends the stream (Read fails) and no write is pending -> Finish.
//   finished: "<CODE>: <message>" unless OK; body = the last response as
//             JSON (raw bytes for "-raw"), unless the caller discards it;
//             metadata = initial metadata then trailers -> call_complete.
//   cancel(): TryCancel and abandon: the operations gRPC holds come back and
//             are only counted (CqClient).
//
// Objects are pooled per loop and reused: strings and vectors keep their
// capacity, a fresh ClientContext is made per call (gRPC requires it).
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "call_target.hpp"
#include "cq_client.hpp"
#include "loadhost/protocol.h"
#include "loop_context.hpp"

namespace loadhost::grpc_plugin {

class Schema;
class Session;
struct MethodInfo;

// The stats type of the event reported for each message a stream receives.
inline constexpr std::string_view kMessageEventType = "grpc-message";

class GrpcCall final : public CqClient {
 public:
  explicit GrpcCall(LoopContext& loop);
  ~GrpcCall() override;

  // [loop-thread] lh_protocol.call_start: completes `call` now on a bad
  // request, else later.
  void start(Session& session, lh_call* call, const lh_request& request);
  // [loop-thread] lh_protocol.call_cancel (or the session closing).
  void cancel();
  // [loop-thread] The reflected schema this call waited for: `schema`, or
  // null with the fetch's failure.
  void on_schema(const std::shared_ptr<const Schema>& schema, int code, const std::string& error);

  lh_call* handle() const { return call_; }

  void on_event(uint8_t op, bool ok, uint64_t at_ns) override;
  void release(bool on_loop) override;
  // Back to a fresh state (the pool calls it on recycling).
  void reset();

 private:
  enum Op : uint8_t { kStart, kRead, kWrite, kWritesDone, kFinish, kOps };

  void resolve(const std::shared_ptr<const Schema>& schema);
  void launch();
  void write_next();
  void read_next();
  void finish_if_done();
  void on_message(uint64_t at_ns);
  void on_finished();
  // LH_RESPONSE_NOT_CONNECTED when `code` says the channel could not connect.
  uint32_t connect_flags(grpc::StatusCode code) const;
  // Completes with a failure found before (or instead of) the wire.
  void fail(grpc::StatusCode code, std::string_view message);
  void complete(const lh_response& response);
  void begin_op() { ++pending; }

  LoopContext& loop_;
  Tag tags_[kOps];

  // The request, copied (lh_request lives only during call_start).
  Session* session_ = nullptr;
  lh_call* call_ = nullptr;
  uint32_t flags_ = 0;
  Operation operation_;
  CallKind kind_ = CallKind::unary;
  MethodName name_;
  std::string stats_name_;  // for the message events: the request's name, else the target
  std::string body_;        // JSON (or bytes), until encoded
  std::vector<std::pair<std::string, std::string>> metadata_;
  uint64_t timeout_us_ = 0;
  LoopContext::Reflected* waiting_on_ = nullptr;  // waiting for this fetch

  // The exchange.
  const MethodInfo* method_ = nullptr;
  std::vector<grpc::Slice> messages_;  // encoded requests
  size_t next_message_ = 0;
  std::shared_ptr<grpc::Channel> channel_;  // kept alive until the last operation is back
  std::optional<grpc::ClientContext> context_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> unary_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> stream_;
  grpc::ByteBuffer received_;
  grpc::Status status_;
  bool reading_ = false, writing_ = false, reads_done_ = false, writes_closed_ = false, finishing_ = false;
  uint64_t started_ns_ = 0, last_message_ns_ = 0;
  uint64_t bytes_sent_ = 0, bytes_received_ = 0;
  uint32_t messages_received_ = 0;
  std::string last_message_;  // the last response's bytes (unless discarded)

  // Completion scratch, kept for its capacity.
  std::vector<grpc::Slice> slices_;
  std::string body_out_;
  std::string error_;
  std::vector<lh_kv> response_metadata_;
};

}  // namespace loadhost::grpc_plugin
