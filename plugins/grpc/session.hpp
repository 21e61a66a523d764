// One user's gRPC session: its settings, its channel (its own, or one of the
// loop's shared pool), where its message types come from (.proto files or
// the server's reflection), and its calls in flight.
//
// A call (GrpcCall) needs from its session: the stub to start on, the
// method resolved and the request encoded — both cached here, so a user
// calling the same method with the same body over and over resolves and
// encodes once.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/slice.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "call_target.hpp"
#include "loadhost/protocol.h"
#include "schema.hpp"
#include "settings.hpp"

namespace loadhost::grpc_plugin {

class GrpcCall;
class LoopContext;
class PluginState;

class Session {
 public:
  // Reads the configuration and opens the channel (it connects lazily).
  // Null with a one-line reason in `error` when the settings are unusable.
  static std::unique_ptr<Session> create(PluginState& plugin, const lh_session_config& config,
                                         std::string& error);
  // The host cancelled every call first.
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // lh_protocol.call_start / call_cancel.
  void start(lh_call* call, const lh_request& request);
  void cancel(lh_call* call);
  // Last resort after an exception at the ABI edge: if the call is still in
  // flight, abandons it and completes it with `text` (static).
  void abort(lh_call* call, const char* text) noexcept;

  // ---- for GrpcCall -------------------------------------------------------
  const lh_host* host() const { return host_; }
  LoopContext& loop() { return loop_; }
  const Settings& settings() const { return settings_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  grpc::GenericStub& stub() { return *stub_; }
  std::string_view user_class() const { return user_class_; }
  void forget(GrpcCall* call);  // completed or cancelled

  // The schema the session's calls use: parsed .proto files, else null (the
  // server's reflection, per service: see LoopContext::reflected).
  const std::shared_ptr<const Schema>& proto_schema() const { return proto_schema_; }
  // The loop's reflection cache key of `service` on this session's server.
  std::string reflection_key(std::string_view service) const;

  // `name` in `schema`, cached per session. Null with `error` when unknown.
  const MethodInfo* method(const MethodName& name, const std::shared_ptr<const Schema>& schema,
                           std::string& error);
  // The request messages of `body` for `method` (one for unary and
  // server-streaming, a list for the others), encoded; the last body is
  // cached. Null with `error` when the JSON does not fit the input type.
  const std::vector<grpc::Slice>* encode(const MethodInfo& method, CallKind kind, std::string_view body,
                                         std::string& error);

 private:
  Session(PluginState& plugin, LoopContext& loop);

  const lh_host* host_;
  LoopContext& loop_;
  bool attached_ = false;  // counted in the loop's sessions
  Settings settings_;
  std::string user_class_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::shared_ptr<const Schema> proto_schema_;
  std::vector<GrpcCall*> calls_;  // in flight (usually one)

  struct CachedMethod {
    std::string path;
    const Schema* schema;
    std::shared_ptr<const Schema> keep;  // reflected schemas live as long as this
    MethodInfo info;
  };
  std::vector<std::unique_ptr<CachedMethod>> methods_;
  // The last encoded request: same method and body -> same messages.
  const MethodInfo* encoded_method_ = nullptr;
  std::string encoded_body_;
  std::vector<grpc::Slice> encoded_;
  std::string scratch_;
};

}  // namespace loadhost::grpc_plugin
