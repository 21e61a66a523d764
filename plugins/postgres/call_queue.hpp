// A session's calls in order, the head on the wire: a ring whose slots are
// reused, so a call costs no allocation once the slots' strings have grown.
// Shared by the session with a connection of its own (session.hpp) and the
// session on a pool (pool.hpp).
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "loadhost/host.h"
#include "loadhost/kit/call_completion.hpp"
#include "result_text.hpp"

namespace loadhost::postgres {

struct Pending {
  lh_call *call = nullptr;
  Command command;
  bool sent = false;
};

class CallQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  Pending &operator[](size_t i) { return slots_[(head_ + i) % slots_.size()]; }
  Pending &front() { return (*this)[0]; }
  // A slot at the back, holding whatever its last call left.
  Pending &push_back();
  // Queues `call` with its request read into a command (not yet sent); a
  // request that does not read as one completes `call` at once with why.
  // False then.
  bool admit(const lh_host &host, lh_call *call, const lh_request &request);
  void pop_front();
  void erase(size_t i);

 private:
  std::vector<Pending> slots_;
  size_t head_ = 0, size_ = 0;
};

// Inline, as they were in session.cpp: on the path of every query.
inline Pending &CallQueue::push_back() {
  if (size_ == slots_.size()) {
    // Full: grow, the calls in order from slot 0.
    std::vector<Pending> grown(std::max<size_t>(2, slots_.size() * 2));
    for (size_t i = 0; i < size_; ++i) grown[i] = std::move((*this)[i]);
    slots_ = std::move(grown);
    head_ = 0;
  }
  ++size_;
  return (*this)[size_ - 1];
}

inline void CallQueue::pop_front() {
  head_ = (head_ + 1) % slots_.size();
  --size_;
}

inline void CallQueue::erase(size_t i) {
  // The erased slot moves to the back, where the next push_back reuses it.
  for (; i + 1 < size_; ++i) std::swap((*this)[i], (*this)[i + 1]);
  --size_;
}

// Completes `call`: with `results` (of the command that ran) or not, and
// failed when `error` has a value; `flags` are LH_RESPONSE_* (a connection
// that could not be made: LH_RESPONSE_NOT_CONNECTED).
inline void complete_call(const lh_host &host, lh_call *call, const std::optional<std::string> &error,
                          const ResultCollector *results, uint64_t bytes_sent, uint32_t flags = 0) {
  lh_response response = kit::make_response();
  if (results) {
    response.status = results->rows();
    response.bytes_received = results->bytes();
    response.body = kit::str(results->body());
  }
  if (error) response.error = kit::str(*error);
  response.bytes_sent = bytes_sent;
  response.flags = flags;
  host.call_complete(call, &response);
}

inline bool CallQueue::admit(const lh_host &host, lh_call *call, const lh_request &request) {
  Pending &p = push_back();
  std::string error;
  if (!parse_command(request, p.command, error)) {
    erase(size_ - 1);
    complete_call(host, call, error, nullptr, 0);
    return false;
  }
  p.call = call;
  p.sent = false;
  return true;
}

}  // namespace loadhost::postgres
