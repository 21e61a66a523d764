#include "packet_ids.hpp"

namespace loadhost::mqtt_plugin {

std::optional<uint16_t> PacketIds::add(Kind kind, lh_call *call, uint64_t bytes_sent) {
  if (entries_.size() >= 65535) return std::nullopt;
  // At most size() ids are skipped, and usually none (a handful in flight).
  for (;;) {
    uint16_t id = next_;
    next_ = next_ == 65535 ? 1 : uint16_t(next_ + 1);
    if (entries_.try_emplace(id, Entry{kind, call, bytes_sent}).second) return id;
  }
}

PacketIds::Entry *PacketIds::find(uint16_t id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void PacketIds::forget(lh_call *call) {
  // Cancels are rare (timeouts, stopping users): a walk over the few
  // exchanges in flight on this connection is fine.
  for (auto &[id, entry] : entries_)
    if (entry.call == call) entry.call = nullptr;
}

}  // namespace loadhost::mqtt_plugin
