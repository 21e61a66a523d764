#include "settings.hpp"

#include "loadhost/kit/option_reader.hpp"
#include "loadhost/kit/url.hpp"

namespace loadhost::mqtt_plugin {

namespace {

constexpr kit::SchemePort kBrokerSchemes[] = {{"mqtt", 1883}, {"mqtts", 8883}};

bool bad_value(std::string &error, std::string_view key, std::string_view value, std::string_view expected) {
  error = kit::OptionReader::format_error("mqtt", key, value, expected);
  return false;
}

}  // namespace

std::string BrokerAddress::server_uri() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (tls ? "ssl://" : "tcp://") + h + ":" + std::to_string(port);
}

std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string &error) {
  kit::Url parsed;
  if (const char *why = kit::parse_url(url, kBrokerSchemes, parsed)) {
    error = "mqtt: the broker URL '" + std::string(url) + "' is not mqtt://HOST[:PORT] or mqtts://HOST[:PORT]: " + why;
    return std::nullopt;
  }
  if (parsed.has_userinfo) {
    error = "mqtt: the broker URL '" + std::string(url) +
            "' has credentials: give them as the connect options username and password";
    return std::nullopt;
  }
  BrokerAddress out;
  out.tls = parsed.scheme == "mqtts";
  out.host = std::string(parsed.host);
  out.port = parsed.port;
  return out;
}

std::optional<Engine> parse_engine(std::string_view text) {
  if (text == "paho") return Engine::paho;
  if (text == "native") return Engine::native;
  return std::nullopt;
}

std::optional<int> parse_qos(std::string_view text) {
  auto qos = kit::parse_number<int>(text);
  if (!qos || *qos < 0 || *qos > 2) return std::nullopt;
  return qos;
}

// The kit's words, so every plugin's booleans read alike.
const std::string kBoolean = std::string("a boolean (").append(kit::kBooleanWords).append(")");

bool apply_connect_setting(ConnectSettings &s, std::string_view key, std::string_view value, std::string &error) {
  if (key == "client-id") {
    s.client_id = std::string(value);
  } else if (key == "clean-session") {
    auto b = kit::parse_bool(value);
    if (!b) return bad_value(error, key, value, kBoolean);
    s.clean_session = *b;
  } else if (key == "keep-alive") {
    auto n = kit::parse_number<int>(value);
    if (!n || *n < 0 || *n > 65535) return bad_value(error, key, value, "a number of seconds (0-65535)");
    s.keep_alive_s = *n;
  } else if (key == "username") {
    s.username = std::string(value);
  } else if (key == "password") {
    s.password = std::string(value);
  } else if (key == "insecure") {
    auto b = value.empty() ? std::optional<bool>(true) : kit::parse_bool(value);  // "insecure" alone: on
    if (!b) return bad_value(error, key, value, kBoolean);
    s.insecure = *b;
  } else if (key == "ca-file") {
    s.ca_file = std::string(value);
  } else if (key == "inbox") {
    auto n = kit::parse_number<size_t>(value);
    if (!n) return bad_value(error, key, value, "a number of messages");
    s.inbox_limit = *n;
  } else if (key == "delivery-name") {
    s.delivery_name = std::string(value);
  } else if (key == "will-topic") {
    s.will_topic = std::string(value);
  } else if (key == "will-message") {
    s.will_message = std::string(value);
  } else if (key == "will-qos") {
    auto q = parse_qos(value);
    if (!q) return bad_value(error, key, value, "0, 1 or 2");
    s.will_qos = *q;
  } else if (key == "will-retain") {
    auto b = kit::parse_bool(value);
    if (!b) return bad_value(error, key, value, kBoolean);
    s.will_retain = *b;
  } else if (key == "engine") {
    auto e = parse_engine(value);
    if (!e) return bad_value(error, key, value, "paho or native");
    s.engine = *e;
  } else {
    error = "mqtt: unknown connect option '" + std::string(key) +
            "' (known: client-id, clean-session, keep-alive, username, password, insecure, ca-file, inbox, "
            "delivery-name, will-topic, will-message, will-qos, will-retain, engine)";
    return false;
  }
  return true;
}

bool apply_message_setting(MessageSettings &s, std::string_view key, std::string_view value, std::string &error) {
  if (key == "qos") {
    auto q = parse_qos(value);
    if (!q) return bad_value(error, key, value, "0, 1 or 2");
    s.qos = *q;
  } else if (key == "retain" || key == "timestamp") {
    auto b = kit::parse_bool(value);
    if (!b) return bad_value(error, key, value, kBoolean);
    (key == "retain" ? s.retain : s.timestamp) = *b;
  } else {
    error = "mqtt: unknown metadata '" + std::string(key) + "' (known: qos, retain, timestamp)";
    return false;
  }
  return true;
}

std::optional<QuickSettings> parse_quick_settings(const std::function<std::string_view(const char *)> &option,
                                                  std::string &error) {
  // Flags, so named as typed: "mqtt: option '--qos': '3' is not 0, 1 or 2".
  kit::OptionReader flags("mqtt");
  QuickSettings s;
  if (auto t = option("topic"); !t.empty()) s.topic = std::string(t);
  if (auto t = option("qos"); !t.empty()) flags.number("--qos", t, s.qos, 0, 2, "0, 1 or 2");
  if (auto t = option("payload-size"); !t.empty()) {
    uint64_t bytes = s.payload_size;
    if (flags.size("--payload-size", t, bytes, 0, 256 * 1024 * 1024)) s.payload_size = size_t(bytes);
  }
  if (auto t = option("mqtt-engine"); !t.empty()) {
    if (auto e = parse_engine(t)) s.engine = *e;
    else flags.fail("--mqtt-engine", t, "paho or native");
  }
  if (auto t = option("publish-rate"); !t.empty()) {
    const std::optional<double> rate = kit::parse_number<double>(t);
    if (rate && *rate > 0) s.publish_rate = *rate;
    else flags.fail("--publish-rate", t, "a number of messages per second above 0");
  }
  if (!flags.ok()) {
    error = flags.error();
    return std::nullopt;
  }
  return s;
}

}  // namespace loadhost::mqtt_plugin
