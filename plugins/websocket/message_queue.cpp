#include "message_queue.hpp"

#include <utility>

namespace loadhost::websocket {

bool MessageQueue::push(ReceivedMessage message) {
  if (messages_.size() >= capacity_) {
    ++dropped_;
    return false;
  }
  messages_.push_back(std::move(message));
  return true;
}

std::optional<ReceivedMessage> MessageQueue::pop() {
  if (messages_.empty()) return std::nullopt;
  ReceivedMessage m = std::move(messages_.front());
  messages_.pop_front();
  return m;
}

}  // namespace loadhost::websocket
