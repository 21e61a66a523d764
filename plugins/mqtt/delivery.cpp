#include "delivery.hpp"

#include <optional>

#include "loadhost/kit/call_completion.hpp"
#include "loadhost/kit/str.hpp"
#include "stamp.hpp"

namespace loadhost::mqtt_plugin {

namespace {
using kit::str;
}  // namespace

std::string_view report_delivery(const lh_host *host, lh_loop *loop, std::string_view topic, std::string_view name,
                                 std::string_view user_class, std::string_view payload, uint64_t at_ns) {
  std::optional<Stamped> stamp = read_stamp(payload);
  if (!stamp) return payload;
  lh_request_event e{};
  e.size = sizeof e;
  e.type = str("mqtt-delivery");
  e.name = str(name.empty() ? topic : name);
  e.start_ns = stamp->sent_ns;
  e.response_time_us = at_ns > stamp->sent_ns ? (at_ns - stamp->sent_ns) / 1000 : 0;
  e.bytes_received = payload.size();
  e.user_class = str(user_class);
  host->report(loop, &e);
  return stamp->body;
}

void complete_receive(const lh_host *host, lh_call *call, const Received &message) {
  std::string qos = std::to_string(message.qos);
  const lh_kv metadata[] = {
      {str("topic"), str(message.topic)},
      {str("qos"), str(qos)},
      {str("retained"), str(message.retained ? "1" : "0")},
  };
  lh_response response = kit::make_response();
  response.metadata = metadata;
  response.metadata_count = 3;
  response.body = str(message.body);
  response.bytes_received = message.body.size();
  host->call_complete(call, &response);
}

}  // namespace loadhost::mqtt_plugin
