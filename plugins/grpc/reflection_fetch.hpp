// Fetches the descriptors of one service from a server's reflection service
// (grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo, a bidi
// stream) on the loop's completion queue, without blocking the loop:
//
//   file_containing_symbol(service) -> files; for every dependency not yet
//   received (and not a well-known type the protobuf library has),
//   file_by_filename(dep) -> files; ... -> WritesDone -> Finish -> Schema.
//
// The result goes to LoopContext::reflection_done, which resumes the calls
// that waited for it. A fetch abandoned (the loop's last session went) is
// cancelled and released like an abandoned call.
#pragma once

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cq_client.hpp"

namespace loadhost::grpc_plugin {

class LoopContext;

class SchemaFetch final : public CqClient {
 public:
  // [loop-thread] Starts fetching `service` over `channel`; the result is
  // reported for `key`.
  static SchemaFetch* start(LoopContext& loop, std::string key, std::shared_ptr<grpc::Channel> channel,
                            std::string service);
  // [loop-thread] Cancels; no result is reported.
  void abandon();

  void on_event(uint8_t op, bool ok, uint64_t at_ns) override;
  void release(bool) override { delete this; }

 private:
  enum Op : uint8_t { kStart, kRead, kWrite, kWritesDone, kFinish, kOps };
  SchemaFetch(LoopContext& loop, std::string key, std::shared_ptr<grpc::Channel> channel, std::string service);

  void ask(std::string request);  // queue a serialized request
  void write_next();
  void on_response();
  void finish_if_done();
  void done();

  LoopContext& loop_;
  Tag tags_[kOps];
  std::string key_;
  std::string service_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> stream_;
  grpc::ByteBuffer received_;
  grpc::Status status_;

  std::deque<std::string> outbox_;  // requests not yet written
  int unanswered_ = 0;              // requests written or queued, not yet answered
  bool writing_ = false, reads_done_ = false, writes_closed_ = false, finishing_ = false;
  std::vector<std::string> files_;  // serialized FileDescriptorProtos received
  std::set<std::string> received_names_;  // their file names
  std::set<std::string> asked_names_;     // files asked for by name
  int error_code_ = 0;              // an error_response from the server
  std::string error_;
};

}  // namespace loadhost::grpc_plugin
