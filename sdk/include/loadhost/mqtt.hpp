// loadhost C++ SDK — the typed MQTT client (the mqtt plugin, plugins/mqtt).
//
//   struct Sensor : loadhost::MqttUser {
//     Sensor() { wait_time = constant(1s); task(1, &Sensor::report); }
//     Task<> on_start() override {
//       co_await client.connect();
//       co_await client.subscribe("alerts/#", 1);
//     }
//     Task<> report() { co_await client.publish("sensors/7", "21.5", 1); }
//   };
//
// Every operation is a request event (type = the operation, name = the
// topic). A payload published through the plugin carries its send time, and
// every such message received is reported as an "mqtt-delivery" event whose
// response time is the end-to-end latency (same machine only: see
// docs/plugins/mqtt.md). Two engines serve it, picked by --mqtt-engine or
// the session option "engine": native (default: the plugin's own MQTT 3.1.1
// on the host's connections) and paho (Paho's async client).
#pragma once

#include <string>
#include <string_view>

#include "loadhost/client.hpp"

namespace loadhost {

class MqttClient : public Client {
 public:
  explicit MqttClient(std::string base_url = {}) : Client("mqtt", std::move(base_url)) {}

  // Connects to the broker of the base URL. Connect options (client-id,
  // clean-session, keep-alive, username, password) go in as headers:
  //   co_await client.connect().header("client-id", "sensor-7");
  // The broker URL names both events in the stats.
  CallAwaiter connect() { return call("connect", base_url()); }
  CallAwaiter disconnect() { return call("disconnect", base_url()); }

  // Completes on PUBACK (QoS 1), PUBCOMP (QoS 2), or once sent (QoS 0).
  // `payload` must live until the co_await returns.
  CallAwaiter publish(std::string topic, std::string_view payload, int qos = 0, bool retain = false) {
    CallOptions o;
    o.headers.push_back(Header{"qos", std::to_string(qos)});
    if (retain) o.headers.push_back(Header{"retain", "1"});
    return call("publish", std::move(topic), payload, std::move(o));
  }
  CallAwaiter subscribe(std::string filter, int qos = 0) {
    CallOptions o;
    o.headers.push_back(Header{"qos", std::to_string(qos)});
    return call("subscribe", std::move(filter), {}, std::move(o));
  }
  CallAwaiter unsubscribe(std::string filter) { return call("unsubscribe", std::move(filter)); }

  // The next message on this client's subscriptions (oldest first), within
  // the request timeout: body() = payload, header("topic"), header("qos"),
  // header("retained"). `stats_name` names the event.
  CallAwaiter next_message(std::string stats_name = "receive") { return call("receive", std::move(stats_name)); }
};

class MqttUser : public UserBase {
 public:
  MqttUser() {
    std::string_view h = target_host();
    if (!h.empty()) client.set_base_url(std::string(h));
    // The run's --mqtt-engine (native or paho); a scenario may still
    // override it with client.set_option("engine", ...).
    std::string_view engine = option("mqtt-engine");
    if (!engine.empty()) client.set_option("engine", std::string(engine));
  }
  MqttClient client;
};

}  // namespace loadhost
