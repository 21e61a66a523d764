#include "loop_context.hpp"

#include "grpc_call.hpp"
#include "reflection_fetch.hpp"
#include "schema.hpp"

namespace loadhost::grpc_plugin {

LoopContext::LoopContext(const lh_host* host, lh_loop* loop, grpc::CompletionQueue* queue)
    : host_(host), loop_(loop), queue_(queue) {}

LoopContext::~LoopContext() {
  for (GrpcCall* call : free_calls_) delete call;
}

void LoopContext::deliver(const Event& event) {
  std::lock_guard lock(mutex_);
  if (waker_) {
    events_.push_back(event);
    if (events_.size() == 1) host_->waker_wake(waker_);  // else a wake is on its way
  } else {
    settle_abandoned(event, false);
  }
}

void LoopContext::drain() {
  {
    std::lock_guard lock(mutex_);
    draining_.swap(events_);
  }
  for (const Event& event : draining_) dispatch(event);
  draining_.clear();
}

void LoopContext::dispatch(const Event& event) {
  CqClient* client = event.tag->client;
  if (client->abandoned) {
    settle_abandoned(event, true);
    return;
  }
  --client->pending;
  client->on_event(event.tag->op, event.ok, event.at_ns);
}

void LoopContext::settle_abandoned(const Event& event, bool on_loop) {
  CqClient* client = event.tag->client;
  if (--client->pending == 0) client->release(on_loop);
}

bool LoopContext::attach_session(std::string& error) {
  if (sessions_++ > 0) return true;
  lh_waker* waker = host_->waker_create(loop_, &LoopContext::on_wake, this);
  if (!waker) {
    --sessions_;
    error = "grpc: the host could not create a waker (out of memory)";
    return false;
  }
  std::lock_guard lock(mutex_);
  waker_ = waker;
  return true;
}

void LoopContext::detach_session() {
  if (--sessions_ > 0) return;
  // Every call was cancelled before its session went; cancel the fetches too.
  for (auto it = reflected_.begin(); it != reflected_.end();) {
    if (it->second.fetch) {
      it->second.fetch->abandon();
      it = reflected_.erase(it);
    } else {
      ++it;
    }
  }
  shared_.clear();
  // From here the pump settles what comes back; what it already queued is
  // settled now, under the lock, so that the two never count down the same
  // client at once. The loop may stop (and go) before deinit: no wake after
  // this.
  lh_waker* waker;
  {
    std::lock_guard lock(mutex_);
    waker = std::exchange(waker_, nullptr);
    for (const Event& event : events_) settle_abandoned(event, true);
    events_.clear();
  }
  host_->waker_destroy(waker);
}

GrpcCall* LoopContext::acquire_call() {
  if (free_calls_.empty()) return new GrpcCall(*this);
  GrpcCall* call = free_calls_.back();
  free_calls_.pop_back();
  return call;
}

void LoopContext::recycle(GrpcCall* call) {
  call->reset();
  free_calls_.push_back(call);
}

std::shared_ptr<grpc::Channel> LoopContext::shared_channel(
    const std::string& key, uint32_t count, const std::function<std::shared_ptr<grpc::Channel>()>& make) {
  auto& [next, pool] = shared_[key];
  if (pool.size() < count) {
    std::shared_ptr<grpc::Channel> channel = make();
    if (channel) pool.push_back(channel);
    return channel;
  }
  return pool[next++ % pool.size()];
}

void LoopContext::reflection_done(const std::string& key, std::shared_ptr<const Schema> schema, int code,
                                  const std::string& error) {
  auto it = reflected_.find(key);
  if (it == reflected_.end()) return;
  std::vector<GrpcCall*> waiters = std::move(it->second.waiters);
  if (schema) {
    it->second.schema = schema;
    it->second.fetch = nullptr;
    it->second.waiters.clear();
  } else {
    reflected_.erase(it);  // not cached: the next call asks again
  }
  for (GrpcCall* call : waiters) call->on_schema(schema, code, error);
}

}  // namespace loadhost::grpc_plugin
