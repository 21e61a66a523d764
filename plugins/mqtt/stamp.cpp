#include "stamp.hpp"

namespace loadhost::mqtt_plugin {

void write_stamp(uint64_t sent_ns, char (&out)[kStampSize]) {
  kStampMarker.copy(out, kStampMarker.size());
  for (size_t i = 0; i < 8; ++i) out[kStampMarker.size() + i] = char((sent_ns >> (56 - 8 * i)) & 0xFF);
}

std::string stamp_payload(uint64_t sent_ns, std::string_view body) {
  char stamp[kStampSize];
  write_stamp(sent_ns, stamp);
  std::string out;
  out.reserve(kStampSize + body.size());
  out.append(stamp, kStampSize);
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
