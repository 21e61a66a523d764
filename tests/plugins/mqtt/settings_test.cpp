#include "mqtt/settings.hpp"

#include <gtest/gtest.h>

#include <map>

namespace loadhost::mqtt_plugin {
namespace {

TEST(BrokerUrl, SchemesPickTransportAndDefaultPort) {
  std::string error;
  auto plain = parse_broker_url("mqtt://127.0.0.1", error);
  ASSERT_TRUE(plain) << error;
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, 1883);
  EXPECT_EQ(plain->server_uri(), "tcp://127.0.0.1:1883");
  auto tls = parse_broker_url("mqtts://broker.example:9000/ignored/path", error);
  ASSERT_TRUE(tls) << error;
  EXPECT_EQ(tls->host, "broker.example");
  EXPECT_EQ(tls->server_uri(), "ssl://broker.example:9000");
  EXPECT_EQ(parse_broker_url("mqtts://h", error)->port, 8883);
  EXPECT_EQ(parse_broker_url("mqtt://[::1]:1884", error)->server_uri(), "tcp://[::1]:1884");
}

TEST(BrokerUrl, BadUrlsSayWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(parse_broker_url("http://127.0.0.1:1883", error));
  EXPECT_EQ(error, "mqtt: the broker URL 'http://127.0.0.1:1883' is not mqtt://HOST[:PORT] or mqtts://HOST[:PORT]: "
                   "unsupported scheme");
  EXPECT_FALSE(parse_broker_url("mqtt://:1883", error));
  EXPECT_NE(error.find("missing host"), std::string::npos) << error;
  EXPECT_FALSE(parse_broker_url("mqtt://h:99999", error));
  EXPECT_NE(error.find("'mqtt://h:99999' is not mqtt://HOST[:PORT] or mqtts://HOST[:PORT]: invalid port (1-65535)"),
            std::string::npos)
      << error;
  EXPECT_FALSE(parse_broker_url("mqtt://h:0", error));
  EXPECT_FALSE(parse_broker_url("mqtt://user:pw@h", error));
  EXPECT_NE(error.find("username and password"), std::string::npos) << error;
}

TEST(ConnectSettings, EveryKeyApplies) {
  ConnectSettings s;
  std::string error;
  for (auto [k, v] : std::map<std::string, std::string>{{"client-id", "c1"},
                                                        {"clean-session", "false"},
                                                        {"keep-alive", "5"},
                                                        {"username", "u"},
                                                        {"password", "p"},
                                                        {"insecure", "1"},
                                                        {"ca-file", "/ca.pem"},
                                                        {"inbox", "0"},
                                                        {"delivery-name", "all"}})
    ASSERT_TRUE(apply_connect_setting(s, k, v, error)) << k << ": " << error;
  EXPECT_EQ(s.client_id, "c1");
  EXPECT_FALSE(s.clean_session);
  EXPECT_EQ(s.keep_alive_s, 5);
  EXPECT_EQ(s.username, "u");
  EXPECT_EQ(s.password, "p");
  EXPECT_TRUE(s.insecure);
  EXPECT_EQ(s.ca_file, "/ca.pem");
  EXPECT_EQ(s.inbox_limit, 0u);
  EXPECT_EQ(s.delivery_name, "all");
}

TEST(ConnectSettings, UnknownKeysAndBadValuesAreRejected) {
  ConnectSettings s;
  std::string error;
  EXPECT_FALSE(apply_connect_setting(s, "keepalive", "5", error));
  EXPECT_NE(error.find("unknown connect option 'keepalive'"), std::string::npos) << error;
  EXPECT_FALSE(apply_connect_setting(s, "keep-alive", "-1", error));
  EXPECT_NE(error.find("option 'keep-alive': '-1'"), std::string::npos) << error;
  EXPECT_FALSE(apply_connect_setting(s, "clean-session", "maybe", error));
  EXPECT_FALSE(apply_connect_setting(s, "inbox", "lots", error));
}

TEST(MessageSettings, QosRetainTimestamp) {
  MessageSettings s;
  std::string error;
  EXPECT_EQ(s.qos, 0);
  EXPECT_TRUE(s.timestamp);
  ASSERT_TRUE(apply_message_setting(s, "qos", "2", error));
  ASSERT_TRUE(apply_message_setting(s, "retain", "true", error));
  ASSERT_TRUE(apply_message_setting(s, "timestamp", "off", error));
  EXPECT_EQ(s.qos, 2);
  EXPECT_TRUE(s.retain);
  EXPECT_FALSE(s.timestamp);
  EXPECT_FALSE(apply_message_setting(s, "qos", "3", error));
  EXPECT_EQ(error, "mqtt: option 'qos': '3' is not 0, 1 or 2");
  EXPECT_FALSE(apply_message_setting(s, "priority", "1", error));
  EXPECT_NE(error.find("unknown metadata 'priority'"), std::string::npos) << error;
}

TEST(QuickSettings, DefaultsAndOptions) {
  std::map<std::string, std::string> options;
  auto read = [&](const char *name) -> std::string_view {
    auto it = options.find(name);
    return it == options.end() ? std::string_view() : std::string_view(it->second);
  };
  std::string error;
  auto defaults = parse_quick_settings(read, error);
  ASSERT_TRUE(defaults) << error;
  EXPECT_EQ(defaults->topic, "loadhost/test");
  EXPECT_EQ(defaults->qos, 0);
  EXPECT_EQ(defaults->payload_size, 64u);
  EXPECT_DOUBLE_EQ(defaults->publish_rate, 1.0);

  options = {{"topic", "load/{user}"}, {"qos", "1"}, {"payload-size", "0"}, {"publish-rate", "0.5"}};
  auto set = parse_quick_settings(read, error);
  ASSERT_TRUE(set) << error;
  EXPECT_EQ(set->topic, "load/{user}");
  EXPECT_EQ(set->qos, 1);
  EXPECT_EQ(set->payload_size, 0u);
  EXPECT_DOUBLE_EQ(set->publish_rate, 0.5);

  // Flags are named as typed, in the kit's one error format; sizes take units.
  options = {{"qos", "3"}};
  EXPECT_FALSE(parse_quick_settings(read, error));
  EXPECT_EQ(error, "mqtt: option '--qos': '3' is not 0, 1 or 2");
  options = {{"payload-size", "1KiB"}};
  EXPECT_EQ(parse_quick_settings(read, error)->payload_size, 1024u);
  options = {{"publish-rate", "0"}};
  EXPECT_FALSE(parse_quick_settings(read, error));
  EXPECT_EQ(error, "mqtt: option '--publish-rate': '0' is not a number of messages per second above 0");
}

TEST(ConnectSettings, EngineAndWill) {
  ConnectSettings s;
  std::string error;
  EXPECT_EQ(s.engine, Engine::native) << "the native engine is the default";
  ASSERT_TRUE(apply_connect_setting(s, "engine", "paho", error)) << error;
  EXPECT_EQ(s.engine, Engine::paho);
  EXPECT_FALSE(apply_connect_setting(s, "engine", "fast", error));
  EXPECT_EQ(error, "mqtt: option 'engine': 'fast' is not paho or native");
  for (auto [k, v] : std::map<std::string, std::string>{
           {"will-topic", "gone/7"}, {"will-message", "bye"}, {"will-qos", "1"}, {"will-retain", "true"}})
    ASSERT_TRUE(apply_connect_setting(s, k, v, error)) << k << ": " << error;
  EXPECT_EQ(s.will_topic, "gone/7");
  EXPECT_EQ(s.will_message, "bye");
  EXPECT_EQ(s.will_qos, 1);
  EXPECT_TRUE(s.will_retain);
  EXPECT_FALSE(apply_connect_setting(s, "will-qos", "3", error));
  std::map<std::string, std::string> options{{"mqtt-engine", "paho"}};
  auto q = parse_quick_settings(
      [&](const char *n) { return options.count(n) ? std::string_view(options[n]) : std::string_view(); }, error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(q->engine, Engine::paho);
}

TEST(QuickSettings, BadValuesNameTheOption) {
  for (auto [name, value, expected] :
       {std::tuple{"qos", "5", "option '--qos': '5'"}, std::tuple{"payload-size", "big", "option '--payload-size': 'big'"},
        std::tuple{"publish-rate", "0", "option '--publish-rate': '0'"},
        std::tuple{"publish-rate", "fast", "option '--publish-rate': 'fast'"},
        std::tuple{"mqtt-engine", "fast", "option '--mqtt-engine': 'fast' is not paho or native"}}) {
    std::string error;
    auto read = [&](const char *n) { return std::string_view(n) == name ? std::string_view(value) : std::string_view(); };
    EXPECT_FALSE(parse_quick_settings(read, error)) << name;
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace loadhost::mqtt_plugin
