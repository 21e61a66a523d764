// The publish timestamp carried in an MQTT payload, for end-to-end latency.
//
// A stamped payload is 16 bytes of prefix, then the user's bytes:
//   8 bytes  kStampMarker ("\xF0LHTS01\x00": unlikely as the start of text)
//   8 bytes  the publisher's lh_host.now_ns, big-endian
// A subscriber that finds the marker reports an "mqtt-delivery" event with
// response time = its own now_ns - the stamp. Both clocks are the host's
// monotonic clock (CLOCK_MONOTONIC), so publisher and subscriber must run on
// the same machine (any processes there); across machines the figure is
// meaningless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::mqtt_plugin {

inline constexpr std::string_view kStampMarker{"\xF0LHTS01\x00", 8};
inline constexpr size_t kStampSize = 16;

// The 16-byte prefix: marker, then `sent_ns` big-endian.
void write_stamp(uint64_t sent_ns, char (&out)[kStampSize]);
// The payload to publish: the prefix, then `body`.
std::string stamp_payload(uint64_t sent_ns, std::string_view body);

struct Stamped {
  uint64_t sent_ns;       // the publisher's now_ns
  std::string_view body;  // the user's bytes, after the prefix
};

// The stamp of a received payload, or nullopt when it carries none (a
// message from another publisher).
std::optional<Stamped> read_stamp(std::string_view payload);

}  // namespace loadhost::mqtt_plugin
