// What both engines do with a message that arrived: report its end-to-end
// latency when it carries a stamp (stamp.hpp), and hand it to a "receive"
// call, now or later (the session's inbox).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loadhost/host.h"

namespace loadhost::mqtt_plugin {

// A message kept for "receive".
struct Received {
  std::string topic;
  std::string body;  // without the stamp
  int qos;
  bool retained;
};

// [loop-thread] Reports an "mqtt-delivery" event (name = `name`, or the
// topic when empty; response time = at_ns - the stamp) when `payload`
// carries a stamp, and returns the payload without it; else returns
// `payload` as is.
std::string_view report_delivery(const lh_host *host, lh_loop *loop, std::string_view topic, std::string_view name,
                                 std::string_view user_class, std::string_view payload, uint64_t at_ns);

// [loop-thread] Completes a "receive" call with `message` (body, metadata
// topic, qos, retained).
void complete_receive(const lh_host *host, lh_call *call, const Received &message);

}  // namespace loadhost::mqtt_plugin
