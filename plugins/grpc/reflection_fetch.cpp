#include "reflection_fetch.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <chrono>

#include "loop_context.hpp"
#include "reflection.pb.h"
#include "schema.hpp"

namespace loadhost::grpc_plugin {

namespace {

constexpr char kMethod[] = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
// A server that accepts the stream but never answers must not hold the
// calls waiting for it longer than this.
constexpr auto kFetchDeadline = std::chrono::seconds(10);

bool is_builtin(const std::string& file) {
  return google::protobuf::DescriptorPool::generated_pool()->FindFileByName(file) != nullptr;
}

}  // namespace

SchemaFetch::SchemaFetch(LoopContext& loop, std::string key, std::shared_ptr<grpc::Channel> channel,
                         std::string service)
    : CqClient(loop), loop_(loop), key_(std::move(key)), service_(std::move(service)), channel_(std::move(channel)),
      stub_(channel_) {
  for (uint8_t op = 0; op < kOps; ++op) tags_[op] = Tag{this, op};
}

SchemaFetch* SchemaFetch::start(LoopContext& loop, std::string key, std::shared_ptr<grpc::Channel> channel,
                                std::string service) {
  auto* fetch = new SchemaFetch(loop, std::move(key), std::move(channel), std::move(service));
  fetch->context_.set_deadline(std::chrono::system_clock::now() + kFetchDeadline);
  fetch->stream_ = fetch->stub_.PrepareCall(&fetch->context_, kMethod, loop.queue());
  ++fetch->pending;
  fetch->stream_->StartCall(&fetch->tags_[kStart]);
  reflection::ServerReflectionRequest request;
  request.set_file_containing_symbol(fetch->service_);
  fetch->outbox_.push_back(request.SerializeAsString());
  fetch->unanswered_ = 1;
  fetch->writing_ = true;  // nothing is written before the stream has started
  return fetch;
}

void SchemaFetch::abandon() {
  abandoned = true;
  context_.TryCancel();
  if (pending == 0) release(true);
}

void SchemaFetch::on_event(uint8_t op, bool ok, uint64_t) {
  switch (op) {
    case kStart:
      writing_ = false;
      if (ok) {
        ++pending;
        stream_->Read(&received_, &tags_[kRead]);
        write_next();
      } else {
        reads_done_ = true;
      }
      break;
    case kRead:
      if (ok) {
        on_response();
        ++pending;
        stream_->Read(&received_, &tags_[kRead]);
        write_next();
      } else {
        reads_done_ = true;
      }
      break;
    case kWrite:
      writing_ = false;
      if (ok) {
        outbox_.pop_front();
        write_next();
      } else {
        writes_closed_ = true;
      }
      break;
    case kWritesDone:
      writing_ = false;
      writes_closed_ = true;
      break;
    case kFinish:
      done();
      return;
  }
  finish_if_done();
}

void SchemaFetch::write_next() {
  if (writing_ || writes_closed_ || reads_done_) return;
  if (!outbox_.empty()) {
    writing_ = true;
    ++pending;
    grpc::Slice slice(outbox_.front());
    grpc::ByteBuffer message(&slice, 1);
    stream_->Write(message, &tags_[kWrite]);
  } else if (unanswered_ == 0) {
    writing_ = true;  // everything answered: close our side, the server ends the stream
    ++pending;
    stream_->WritesDone(&tags_[kWritesDone]);
  }
}

void SchemaFetch::on_response() {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  (void)received_.Dump(&slices);
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  received_.Clear();
  --unanswered_;

  reflection::ServerReflectionResponse response;
  if (!response.ParseFromString(bytes)) {
    error_code_ = grpc::StatusCode::INTERNAL;
    error_ = "the server's reflection answer does not parse";
  } else if (response.has_error_response()) {
    error_code_ = response.error_response().error_code();
    if (error_code_ == 0) error_code_ = grpc::StatusCode::UNKNOWN;
    error_ = "the server's reflection does not know " + service_ + ": " + response.error_response().error_message();
  } else if (response.has_file_descriptor_response()) {
    for (const std::string& serialized : response.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      if (!file.ParseFromString(serialized) || !received_names_.insert(file.name()).second) continue;
      files_.push_back(serialized);
      for (const std::string& dependency : file.dependency()) {
        if (received_names_.count(dependency) || is_builtin(dependency) || !asked_names_.insert(dependency).second)
          continue;
        reflection::ServerReflectionRequest request;
        request.set_file_by_filename(dependency);
        outbox_.push_back(request.SerializeAsString());
        ++unanswered_;
      }
    }
  }
  if (error_code_) {  // no point asking more
    unanswered_ = 0;
    if (!writing_) outbox_.clear();
    else outbox_.resize(1);  // the one being written stays until its tag is back
  }
}

void SchemaFetch::finish_if_done() {
  if (!reads_done_ || writing_ || finishing_) return;
  finishing_ = true;
  ++pending;
  stream_->Finish(&status_, &tags_[kFinish]);
}

void SchemaFetch::done() {
  std::shared_ptr<const Schema> schema;
  int code = error_code_;
  std::string error = error_;
  if (!code && !status_.ok()) {
    code = status_.error_code();
    error = code == grpc::StatusCode::UNIMPLEMENTED
                ? "the server offers no reflection service: give the service's .proto file (--proto)"
                : status_.error_message();
  }
  if (!code) {
    schema = Schema::from_file_descriptors(files_, error);
    if (!schema) code = grpc::StatusCode::INTERNAL;
  }
  loop_.reflection_done(key_, std::move(schema), code, error);
  delete this;  // nothing pending: Finish was the last operation
}

}  // namespace loadhost::grpc_plugin
