#include "grpc_call.hpp"

#include <algorithm>
#include <chrono>

#include "loadhost/kit/call_completion.hpp"
#include "loadhost/kit/str.hpp"
#include "reflection_fetch.hpp"
#include "schema.hpp"
#include "session.hpp"
#include "status_text.hpp"
#include "stream_body.hpp"

namespace loadhost::grpc_plugin {

namespace {

using kit::str;
using kit::view;

// gRPC aborts the process on metadata it deems illegal, so check first:
// keys are [0-9a-z_.-] (we lowercase them, HTTP/2 style), values of keys not
// ending in "-bin" printable ASCII.
bool legal_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}
bool legal_value(std::string_view key, std::string_view value) {
  if (key.ends_with("-bin")) return true;
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

}  // namespace

GrpcCall::GrpcCall(LoopContext& loop) : CqClient(loop), loop_(loop) {
  for (uint8_t op = 0; op < kOps; ++op) tags_[op] = Tag{this, op};
}

GrpcCall::~GrpcCall() = default;

void GrpcCall::reset() {
  // The readers live in the call's arena: before the context that owns it.
  stream_.reset();
  unary_.reset();
  context_.reset();
  channel_.reset();
  received_.Clear();
  status_ = grpc::Status();
  messages_.clear();
  metadata_.clear();
  slices_.clear();
  session_ = nullptr;
  call_ = nullptr;
  waiting_on_ = nullptr;
  method_ = nullptr;
  flags_ = 0;
  next_message_ = 0;
  reading_ = writing_ = reads_done_ = writes_closed_ = finishing_ = false;
  bytes_sent_ = bytes_received_ = 0;
  messages_received_ = 0;
  last_message_.clear();
  pending = 0;
  abandoned = false;
}

void GrpcCall::start(Session& session, lh_call* call, const lh_request& request) {
  const lh_host* host = loop_.host();
  session_ = &session;
  call_ = call;
  flags_ = request.flags;
  started_ns_ = last_message_ns_ = host->now_ns(host);
  std::string_view target = view(request.target);
  std::string_view name = view(request.name);
  stats_name_.assign(name.empty() ? target : name);
  timeout_us_ = request.timeout_us ? request.timeout_us : session.settings().deadline_us;

  if (!parse_operation(view(request.operation), operation_)) {
    fail(grpc::StatusCode::INVALID_ARGUMENT,
         "unknown operation '" + std::string(view(request.operation)) +
             "' (grpc, unary, server_stream, client_stream, bidi, or one of these with -raw)");
    return;
  }
  if (!parse_method_name(target, name_, error_)) {
    fail(grpc::StatusCode::INVALID_ARGUMENT, error_);
    return;
  }
  for (size_t i = 0; i < request.metadata_count; ++i) {
    std::string key(view(request.metadata[i].key));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    std::string_view value = view(request.metadata[i].value);
    if (!legal_key(key) || key.starts_with("grpc-")) {
      fail(grpc::StatusCode::INVALID_ARGUMENT,
           "metadata key '" + key + "' is not allowed (letters, digits, '_', '-', '.'; not grpc-*)");
      return;
    }
    if (!legal_value(key, value)) {
      fail(grpc::StatusCode::INVALID_ARGUMENT,
           "metadata '" + key + "' has a value that is not printable ASCII (use a key ending in -bin)");
      return;
    }
    metadata_.emplace_back(std::move(key), value);
  }
  body_.assign(view(request.body));

  if (operation_.raw) {
    kind_ = operation_.kind;
    if (streams_requests(kind_)) {
      std::vector<std::string_view> parts;
      if (!split_framed_messages(body_, parts, error_)) {
        fail(grpc::StatusCode::INVALID_ARGUMENT, error_);
        return;
      }
      for (auto p : parts) messages_.emplace_back(p.data(), p.size());
    } else {
      messages_.emplace_back(body_.data(), body_.size());
    }
    launch();
    return;
  }
  if (const auto& schema = session.proto_schema()) {
    resolve(schema);
    return;
  }
  // No .proto: the server's reflection, fetched once per loop and service.
  std::string key = session.reflection_key(name_.service);
  LoopContext::Reflected& reflected = loop_.reflected(key);
  if (reflected.schema) {
    resolve(reflected.schema);
    return;
  }
  if (!reflected.fetch) reflected.fetch = SchemaFetch::start(loop_, key, session.channel(), name_.service);
  reflected.waiters.push_back(this);
  waiting_on_ = &reflected;
}

void GrpcCall::on_schema(const std::shared_ptr<const Schema>& schema, int code, const std::string& error) {
  waiting_on_ = nullptr;
  if (!schema) {
    fail(grpc::StatusCode(code), error);
    return;
  }
  resolve(schema);
}

void GrpcCall::resolve(const std::shared_ptr<const Schema>& schema) {
  method_ = session_->method(name_, schema, error_);
  if (!method_) {
    fail(grpc::StatusCode::NOT_FOUND, error_);
    return;
  }
  CallKind actual = kind_of(method_->client_streaming, method_->server_streaming);
  if (operation_.kind_given && operation_.kind != actual) {
    fail(grpc::StatusCode::INVALID_ARGUMENT, name_.service + "/" + name_.method + " is a " +
                                                 std::string(kind_name(actual)) + " method, not " +
                                                 std::string(kind_name(operation_.kind)));
    return;
  }
  kind_ = actual;
  const std::vector<grpc::Slice>* encoded = session_->encode(*method_, kind_, body_, error_);
  if (!encoded) {
    fail(grpc::StatusCode::INVALID_ARGUMENT, error_);
    return;
  }
  messages_.assign(encoded->begin(), encoded->end());
  launch();
}

void GrpcCall::launch() {
  Session& session = *session_;
  channel_ = session.channel();
  context_.emplace();
  if (timeout_us_)
    context_->set_deadline(std::chrono::system_clock::now() + std::chrono::microseconds(timeout_us_));
  for (const auto& [key, value] : metadata_) context_->AddMetadata(key, value);
  grpc::CompletionQueue* queue = loop_.queue();
  if (kind_ == CallKind::unary) {
    grpc::ByteBuffer request(messages_.data(), messages_.size());
    bytes_sent_ = request.Length();
    unary_ = session.stub().PrepareUnaryCall(&*context_, name_.path, request, queue);
    unary_->StartCall();
    begin_op();
    unary_->Finish(&received_, &status_, &tags_[kFinish]);
    return;
  }
  stream_ = session.stub().PrepareCall(&*context_, name_.path, queue);
  begin_op();
  stream_->StartCall(&tags_[kStart]);
}

void GrpcCall::on_event(uint8_t op, bool ok, uint64_t at_ns) {
  switch (op) {
    case kStart:
      if (ok) {
        read_next();
        write_next();
      } else {
        reads_done_ = true;  // the call never started: Finish tells why
        finish_if_done();
      }
      return;
    case kRead:
      reading_ = false;
      if (ok) {
        on_message(at_ns);
        read_next();
      } else {
        reads_done_ = true;
        finish_if_done();
      }
      return;
    case kWrite:
      writing_ = false;
      if (ok) {
        bytes_sent_ += messages_[next_message_].size();
        ++next_message_;
        write_next();
      } else {
        writes_closed_ = true;  // the stream is over; Read fails next
      }
      finish_if_done();
      return;
    case kWritesDone:
      writing_ = false;
      writes_closed_ = true;
      finish_if_done();
      return;
    case kFinish:
      on_finished();
      return;
  }
}

void GrpcCall::read_next() {
  reading_ = true;
  begin_op();
  stream_->Read(&received_, &tags_[kRead]);
}

void GrpcCall::write_next() {
  // Nothing more to send once the server has ended the stream.
  if (writing_ || writes_closed_ || reads_done_) return;
  writing_ = true;
  begin_op();
  if (next_message_ < messages_.size()) {
    grpc::ByteBuffer message(&messages_[next_message_], 1);
    stream_->Write(message, &tags_[kWrite]);
  } else {
    stream_->WritesDone(&tags_[kWritesDone]);
  }
}

void GrpcCall::finish_if_done() {
  if (!reads_done_ || writing_ || finishing_) return;
  finishing_ = true;
  begin_op();
  stream_->Finish(&status_, &tags_[kFinish]);
}

void GrpcCall::on_message(uint64_t at_ns) {
  size_t size = received_.Length();
  bytes_received_ += size;
  ++messages_received_;
  if (!(flags_ & LH_REQUEST_DISCARD_BODY)) {
    last_message_.clear();
    slices_.clear();
    (void)received_.Dump(&slices_);
    for (const auto& s : slices_) last_message_.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  received_.Clear();

  lh_request_event e{};
  e.size = sizeof(e);
  e.type = str(kMessageEventType);
  e.name = str(stats_name_);
  e.start_ns = last_message_ns_;
  e.response_time_us = at_ns > last_message_ns_ ? (at_ns - last_message_ns_) / 1000 : 0;
  e.bytes_received = size;
  e.user_class = str(session_->user_class());
  loop_.host()->report(loop_.loop(), &e);
  last_message_ns_ = at_ns;
}

void GrpcCall::on_finished() {
  const bool keep = !(flags_ & LH_REQUEST_DISCARD_BODY);
  if (unary_ && status_.ok()) {
    bytes_received_ = received_.Length();
    messages_received_ = 1;
    if (keep) {
      last_message_.clear();
      slices_.clear();
      (void)received_.Dump(&slices_);
      for (const auto& s : slices_) last_message_.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  lh_response r = kit::make_response();
  r.status = status_.error_code();
  body_out_.clear();
  error_.clear();
  if (!status_.ok()) {
    write_status_failure(error_, status_.error_code(), status_.error_message());
  } else if (keep && messages_received_ > 0) {
    if (operation_.raw) {
      body_out_.swap(last_message_);
    } else if (std::string why; !decode_message_to_json(*method_->output, last_message_, body_out_, why)) {
      r.status = grpc::StatusCode::INTERNAL;
      write_status_failure(error_, r.status, why);
    }
  }
  kit::set_error(r, error_);
  response_metadata_.clear();
  if (keep) {
    auto add = [this](const std::multimap<grpc::string_ref, grpc::string_ref>& m) {
      for (const auto& [k, v] : m) response_metadata_.push_back(lh_kv{{k.data(), k.size()}, {v.data(), v.size()}});
    };
    add(context_->GetServerInitialMetadata());
    add(context_->GetServerTrailingMetadata());
    r.metadata = response_metadata_.data();
    r.metadata_count = response_metadata_.size();
  }
  r.body = str(body_out_);
  r.bytes_sent = bytes_sent_;
  r.bytes_received = bytes_received_;
  r.flags = connect_flags(status_.error_code());
  complete(r);
}

uint32_t GrpcCall::connect_flags(grpc::StatusCode code) const {
  if (code != grpc::StatusCode::UNAVAILABLE) return 0;
  // The call's channel, or the session's when it failed before launching
  // (fetching the schema by reflection).
  const auto channel = channel_ ? channel_ : session_ ? session_->channel() : nullptr;
  if (!channel) return 0;
  // UNAVAILABLE from a channel that cannot connect, not from a server that
  // said so (that leaves the channel READY): the host paces the user's next
  // attempts.
  return channel->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE ? uint32_t(LH_RESPONSE_NOT_CONNECTED) : 0u;
}

void GrpcCall::fail(grpc::StatusCode code, std::string_view message) {
  std::string text;
  write_status_failure(text, code, message);
  lh_response r = kit::make_response();
  r.status = code;
  r.error = str(text);
  r.flags = connect_flags(code);
  complete(r);
}

void GrpcCall::complete(const lh_response& response) {
  lh_call* call = std::exchange(call_, nullptr);
  std::exchange(session_, nullptr)->forget(this);
  loop_.host()->call_complete(call, &response);  // `response` points into this object
  loop_.recycle(this);
}

void GrpcCall::cancel() {
  if (waiting_on_) {
    auto& w = waiting_on_->waiters;
    w.erase(std::remove(w.begin(), w.end(), this), w.end());
    waiting_on_ = nullptr;
  }
  session_ = nullptr;
  call_ = nullptr;
  abandoned = true;
  if (context_) context_->TryCancel();
  if (pending == 0) release(true);
}

void GrpcCall::release(bool on_loop) {
  if (on_loop) loop_.recycle(this);
  else delete this;
}

}  // namespace loadhost::grpc_plugin
