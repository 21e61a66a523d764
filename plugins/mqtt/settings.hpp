// What the mqtt plugin reads from text: the broker URL, session options and
// request metadata, the quick mode's command-line options. Pure functions,
// unit-tested (tests/plugins/mqtt/settings_test.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace loadhost::mqtt_plugin {

// mqtt://host[:port] (1883) or mqtts://host[:port] (8883).
struct BrokerAddress {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  // Paho's form: tcp://host:port or ssl://host:port.
  std::string server_uri() const;
};
std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string &error);

// Which MQTT client a session runs on (session option "engine", default
// from the run option --mqtt-engine): Paho's async client, or the plugin's
// own MQTT 3.1.1 on the host's connections (native_session.hpp).
enum class Engine { paho, native };
std::optional<Engine> parse_engine(std::string_view text);  // "paho" / "native"

// How a session connects. Set from session options, then overridden per
// "connect" request by its metadata (same keys).
struct ConnectSettings {
  std::string client_id;      // empty: a unique "loadhost-<pid>-<n>"
  bool clean_session = true;
  int keep_alive_s = 60;
  std::string username;       // empty: none
  std::string password;
  bool insecure = false;      // mqtts: do not verify the broker's certificate
  std::string ca_file;        // mqtts: PEM roots; empty: the system's
  size_t inbox_limit = 1000;  // messages kept for "receive"; oldest dropped beyond
  std::string delivery_name;  // stats name of every "mqtt-delivery" event; empty: the topic
  std::string will_topic;     // empty: no will message
  std::string will_message;
  int will_qos = 0;
  bool will_retain = false;
  Engine engine = Engine::native;  // read when the session is created; a connect header cannot change it
};
// Applies key=value (client-id, clean-session, keep-alive, username,
// password, insecure, ca-file, inbox, delivery-name, will-topic,
// will-message, will-qos, will-retain, engine). False with a one-line `error` for an
// unknown key or a bad value.
bool apply_connect_setting(ConnectSettings &settings, std::string_view key, std::string_view value,
                           std::string &error);

// Per "publish" / "subscribe" request, from its metadata.
struct MessageSettings {
  int qos = 0;
  bool retain = false;
  bool timestamp = true;  // publish: prefix the payload with the send time (stamp.hpp)
};
// Applies qos, retain, timestamp. False with `error` as above.
bool apply_message_setting(MessageSettings &settings, std::string_view key, std::string_view value,
                           std::string &error);

// The quick mode's options (--topic, --qos, --payload-size, --publish-rate,
// --mqtt-engine).
struct QuickSettings {
  std::string topic = "loadhost/test";  // "{user}" is replaced by the user's number
  int qos = 0;
  size_t payload_size = 64;  // user bytes after the 16-byte stamp
  double publish_rate = 1;   // messages per second per user
  Engine engine = Engine::native;  // --mqtt-engine
};
// `option(name)` returns the option's text, empty when unset.
std::optional<QuickSettings> parse_quick_settings(const std::function<std::string_view(const char *)> &option,
                                                  std::string &error);

std::optional<int> parse_qos(std::string_view text);

}  // namespace loadhost::mqtt_plugin
