// Messages that arrived while no receive or request was waiting: kept, up
// to a bound, for the next receive; beyond it the newest are dropped and
// counted (a server that pushes faster than the scenario reads must not
// grow a user's memory without end).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace loadhost::websocket {

struct ReceivedMessage {
  std::string payload;
  bool binary = false;
};

class MessageQueue {
 public:
  explicit MessageQueue(size_t capacity) : capacity_(capacity) {}

  // False (and counted in dropped()) when the queue is full.
  bool push(ReceivedMessage message);
  std::optional<ReceivedMessage> pop();
  void clear() { messages_.clear(); }

  size_t size() const { return messages_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t dropped() const { return dropped_; }

 private:
  size_t capacity_;
  std::deque<ReceivedMessage> messages_;
  uint64_t dropped_ = 0;
};

}  // namespace loadhost::websocket
