// Everything the gRPC plugin keeps per loop: the waker that brings finished
// operations back to the loop, a pool of call objects, the shared channels
// and the reflected schemas.
//
// Threads. The plugin's pump thread (CompletionPump) hands each finished
// tag to its loop through deliver: push into a mutex-guarded queue, wake the
// loop when the queue was empty (wakes coalesce, so under load one wake
// carries many completions). All gRPC calls are started, continued and
// completed on the loop thread, which never waits on gRPC.
//
// Lifetime. Created by the first session on its loop; kept until the
// plugin's deinit, after the pump has stopped. The waker exists only while
// the loop has sessions: the last session going destroys it (the loop may be
// gone before deinit), and from then on the pump releases the abandoned
// clients itself as their last operations come back.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/completion_queue.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cq_client.hpp"
#include "loadhost/host.h"

namespace loadhost::grpc_plugin {

class GrpcCall;
class SchemaFetch;
class Schema;

class LoopContext {
 public:
  LoopContext(const lh_host* host, lh_loop* loop, grpc::CompletionQueue* queue);
  // [control-thread, deinit, after the pump stopped] Frees the pooled calls.
  ~LoopContext();
  LoopContext(const LoopContext&) = delete;
  LoopContext& operator=(const LoopContext&) = delete;

  const lh_host* host() const { return host_; }
  lh_loop* loop() const { return loop_; }
  grpc::CompletionQueue* queue() { return queue_; }

  // A finished operation of a client of this loop, as the pump took it.
  struct Event {
    CqClient::Tag* tag;
    bool ok;
    uint64_t at_ns;
  };
  // [pump thread] Queues it for the loop and wakes the loop; with no session
  // left, settles it there (the client is abandoned).
  void deliver(const Event& event);

  // [loop-thread] A session opens / closes on this loop. The first creates
  // the waker; the last abandons reflection fetches, drops the shared
  // channels and destroys the waker. False with `error` if no waker.
  bool attach_session(std::string& error);
  void detach_session();

  // [loop-thread] Call objects, pooled: their buffers keep their capacity.
  GrpcCall* acquire_call();
  void recycle(GrpcCall* call);

  // [loop-thread] A channel of the shared pool for `key`: the pool grows to
  // `count` channels made with `make` (null: not kept, returned as is), then
  // hands them out in turn.
  std::shared_ptr<grpc::Channel> shared_channel(const std::string& key, uint32_t count,
                                                const std::function<std::shared_ptr<grpc::Channel>()>& make);

  // [loop-thread] Reflected schemas, by server and service. `schema` set =
  // known; else `fetch` is in flight and `waiters` wait for it.
  struct Reflected {
    std::shared_ptr<const Schema> schema;
    SchemaFetch* fetch = nullptr;
    std::vector<GrpcCall*> waiters;
  };
  Reflected& reflected(const std::string& key) { return reflected_[key]; }
  // [loop-thread] The fetch for `key` ended: keep the schema, or forget the
  // entry (the next call asks again), and resume its waiters.
  void reflection_done(const std::string& key, std::shared_ptr<const Schema> schema, int code,
                       const std::string& error);

 private:
  static void on_wake(void* self) { static_cast<LoopContext*>(self)->drain(); }
  void drain();
  void dispatch(const Event& event);  // on the loop
  static void settle_abandoned(const Event& event, bool on_loop);

  const lh_host* host_;
  lh_loop* loop_;
  grpc::CompletionQueue* queue_;  // the plugin's (CompletionPump)

  std::mutex mutex_;             // guards events_ and waker_ (pump vs loop)
  std::vector<Event> events_;    // finished operations for the loop
  lh_waker* waker_ = nullptr;    // null while the loop has no session
  std::vector<Event> draining_;  // loop only: the batch being dispatched

  uint32_t sessions_ = 0;  // loop only
  std::vector<GrpcCall*> free_calls_;
  std::map<std::string, std::pair<uint32_t, std::vector<std::shared_ptr<grpc::Channel>>>> shared_;
  std::map<std::string, Reflected> reflected_;
};

}  // namespace loadhost::grpc_plugin
