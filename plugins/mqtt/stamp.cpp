#include "stamp.hpp"

namespace loadhost::mqtt_plugin {

std::string stamp_payload(uint64_t sent_ns, std::string_view body) {
  std::string out;
  out.reserve(kStampSize + body.size());
  out.append(kStampMarker);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(char((sent_ns >> shift) & 0xFF));
  out.append(body);
  return out;
}

std::optional<Stamped> read_stamp(std::string_view payload) {
  if (payload.size() < kStampSize || payload.substr(0, kStampMarker.size()) != kStampMarker) return std::nullopt;
  uint64_t sent_ns = 0;
  for (size_t i = kStampMarker.size(); i < kStampSize; ++i) sent_ns = (sent_ns << 8) | uint8_t(payload[i]);
  return Stamped{sent_ns, payload.substr(kStampSize)};
}

}  // namespace loadhost::mqtt_plugin
