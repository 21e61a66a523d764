// The plugin's one completion queue and the thread that pumps it.
//
// Why one for the whole plugin, not one per loop: gRPC's poller (epoll1)
// lets one thread poll at a time. With a queue and a pump thread per loop,
// every completion meant for the pump that was not polling cost a kick — a
// futex wake and a context switch per call (measured: 1.1 switches per
// unary call with two loops, against 0.15 for a plain grpc++ client). One
// pump polls for every loop and routes each finished operation to its
// client's loop (LoopContext::deliver); the loops start operations on this
// queue from their own threads, which gRPC allows.
//
// Lifetime: created with the plugin's first session (after grpc_init), shut
// down at deinit before the loop contexts go: Next returns false only after
// every operation in flight has come back, so no client is left behind.
#pragma once

#include <grpcpp/completion_queue.h>

#include <thread>

#include "loadhost/host.h"

namespace loadhost::grpc_plugin {

class CompletionPump {
 public:
  explicit CompletionPump(const lh_host* host);
  // [control-thread, deinit] Shuts the queue down and joins the thread.
  ~CompletionPump();
  CompletionPump(const CompletionPump&) = delete;
  CompletionPump& operator=(const CompletionPump&) = delete;

  // [any thread] Where operations are started.
  grpc::CompletionQueue* queue() { return &queue_; }

 private:
  void run();  // the pump thread

  const lh_host* host_;
  grpc::CompletionQueue queue_;
  std::thread thread_;  // last: started once the queue exists
};

}  // namespace loadhost::grpc_plugin
