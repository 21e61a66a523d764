// The native engine's packet identifiers in flight on one connection: which
// call (and what stage of its exchange) a PUBACK, PUBREC, PUBCOMP, SUBACK or
// UNSUBACK answers.
//
// An id stays taken until the broker's last answer for it, even when the
// host cancelled the call (the entry keeps call = null): MQTT forbids
// reusing an id the broker still holds (2.3.1), and the late answer must
// find the entry to be dropped quietly.
//
// O(1) per packet: a hash map keyed by id, and ids handed out round-robin
// from 1 to 65535 (0 is not a valid id), skipping any still in flight.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "loadhost/call.h"

namespace loadhost::mqtt_plugin {

class PacketIds {
 public:
  enum class Kind : uint8_t {
    publish1,   // QoS 1 PUBLISH, waiting for PUBACK
    publish2,   // QoS 2 PUBLISH, waiting for PUBREC
    released,   // QoS 2 PUBREL sent, waiting for PUBCOMP
    subscribe,  // waiting for SUBACK
    unsubscribe  // waiting for UNSUBACK
  };
  struct Entry {
    Kind kind;
    lh_call *call;        // null once cancelled
    uint64_t bytes_sent;  // for the response
  };

  // A free id for a new exchange, or nullopt when all 65,535 are taken.
  std::optional<uint16_t> add(Kind kind, lh_call *call, uint64_t bytes_sent);
  // The entry of `id`, or null (an answer to nothing: a cancelled call's
  // entry is still here, so null means the broker is confused).
  Entry *find(uint16_t id);
  void remove(uint16_t id) { entries_.erase(id); }
  // Forgets `call` wherever it is (the host cancelled it).
  void forget(lh_call *call);
  // Every entry, for failing them all when the connection is lost; the
  // table is empty afterwards.
  template <class F>
  void drain(F &&each) {
    auto entries = std::move(entries_);
    entries_.clear();
    for (auto &[id, entry] : entries) each(entry);
  }
  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<uint16_t, Entry> entries_;
  uint16_t next_ = 1;
};

}  // namespace loadhost::mqtt_plugin
