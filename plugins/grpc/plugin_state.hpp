// The plugin's process-wide state: the host table, the per-loop contexts
// and the schemas parsed from .proto files (parsed once, shared by every
// session that names the same files). Guarded by one mutex, taken only when
// a session opens — never on a call's path.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "loadhost/host.h"

namespace loadhost::grpc_plugin {

class CompletionPump;
class LoopContext;
class Schema;

class PluginState {
 public:
  explicit PluginState(const lh_host* host);
  // [control-thread, deinit] Stops the pump, frees the loop contexts and
  // shuts gRPC down.
  ~PluginState();

  const lh_host* host() const { return host_; }

  // [loop-thread] The context of `loop`, created on first use.
  LoopContext& loop_context(lh_loop* loop);

  // [loop-thread] The schema of these .proto files; null with the parser's
  // first error in `error`. Failures are not cached (the file may be fixed).
  std::shared_ptr<const Schema> proto_schema(const std::vector<std::string>& files,
                                             const std::vector<std::string>& import_paths,
                                             std::string& error);

 private:
  const lh_host* host_;
  std::mutex mutex_;
  bool grpc_started_ = false;
  std::map<lh_loop*, std::unique_ptr<LoopContext>> loops_;
  std::unique_ptr<CompletionPump> pump_;  // with the first loop context; stops before they go
  std::map<std::string, std::shared_ptr<const Schema>> proto_schemas_;
};

}  // namespace loadhost::grpc_plugin
