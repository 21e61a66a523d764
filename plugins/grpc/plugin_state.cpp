#include "plugin_state.hpp"

#include <grpc/grpc.h>

#include <chrono>
#include <thread>

#include "completion_pump.hpp"
#include "loop_context.hpp"
#include "schema.hpp"

namespace loadhost::grpc_plugin {

PluginState::PluginState(const lh_host* host) : host_(host) {}

PluginState::~PluginState() {
  pump_.reset();  // every operation in flight has come back to its loop context
  loops_.clear();
  proto_schemas_.clear();
  if (!grpc_started_) return;
  // Balances the grpc_init below. gRPC's core channels hold a grpc_init of
  // their own until their last internal reference goes, on a gRPC thread,
  // which then shuts gRPC down on a detached thread. Wait for whichever
  // shutdown is the last (it runs under the lock grpc_is_initialized takes)
  // so that gRPC's threads are joined when deinit returns — normally within
  // milliseconds. Bounded: gRPC 1.51 keeps a channel (and so itself) alive
  // up to its 20 s connect timeout, or longer, when a call was cancelled
  // while the channel was still connecting; then its threads outlive deinit
  // (none of them runs plugin code, and the library is never unloaded:
  // -z nodelete).
  grpc_shutdown();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (grpc_is_initialized() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

LoopContext& PluginState::loop_context(lh_loop* loop) {
  std::lock_guard lock(mutex_);
  auto& slot = loops_[loop];
  if (!slot) {
    if (!grpc_started_) {
      grpc_init();
      grpc_started_ = true;
    }
    if (!pump_) pump_ = std::make_unique<CompletionPump>(host_);
    slot = std::make_unique<LoopContext>(host_, loop, pump_->queue());
  }
  return *slot;
}

std::shared_ptr<const Schema> PluginState::proto_schema(const std::vector<std::string>& files,
                                                        const std::vector<std::string>& import_paths,
                                                        std::string& error) {
  std::string key;
  for (const auto& f : files) key += f + '\n';
  key += '\n';
  for (const auto& p : import_paths) key += p + '\n';
  std::lock_guard lock(mutex_);
  auto it = proto_schemas_.find(key);
  if (it != proto_schemas_.end()) return it->second;
  std::shared_ptr<const Schema> schema = Schema::from_proto_files(files, import_paths, error);
  if (schema) proto_schemas_.emplace(key, schema);
  return schema;
}

}  // namespace loadhost::grpc_plugin
