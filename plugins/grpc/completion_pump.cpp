#include "completion_pump.hpp"

#include "cq_client.hpp"
#include "loop_context.hpp"

namespace loadhost::grpc_plugin {

CompletionPump::CompletionPump(const lh_host* host) : host_(host) {
  thread_ = std::thread([this] { run(); });
}

CompletionPump::~CompletionPump() {
  queue_.Shutdown();
  thread_.join();
}

void CompletionPump::run() {
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
    auto* t = static_cast<CqClient::Tag*>(tag);
    t->client->home->deliver(LoopContext::Event{t, ok, host_->now_ns(host_)});
  }
}

}  // namespace loadhost::grpc_plugin
