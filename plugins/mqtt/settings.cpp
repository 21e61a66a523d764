#include "settings.hpp"

#include <charconv>
#include <cstdlib>

namespace loadhost::mqtt_plugin {

namespace {

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_positive_double(std::string_view text) {
  std::string copy(text);
  char *end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !(value > 0)) return std::nullopt;
  return value;
}

bool bad_value(std::string &error, std::string_view key, std::string_view value, std::string_view expected) {
  error = "mqtt: " + std::string(key) + " '" + std::string(value) + "' is not " + std::string(expected);
  return false;
}

}  // namespace

std::string BrokerAddress::server_uri() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (tls ? "ssl://" : "tcp://") + h + ":" + std::to_string(port);
}

std::optional<BrokerAddress> parse_broker_url(std::string_view url, std::string &error) {
  BrokerAddress out;
  if (url.starts_with("mqtt://")) {
    url.remove_prefix(7);
    out.port = 1883;
  } else if (url.starts_with("mqtts://")) {
    url.remove_prefix(8);
    out.tls = true;
    out.port = 8883;
  } else {
    error = "mqtt: the broker URL '" + std::string(url) + "' must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT]";
    return std::nullopt;
  }
  if (size_t slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  std::string_view port_text;
  if (url.starts_with("[")) {  // [::1]:1883
    size_t close = url.find(']');
    if (close == std::string_view::npos) {
      error = "mqtt: the broker URL has an unclosed '[' in its host";
      return std::nullopt;
    }
    out.host = std::string(url.substr(1, close - 1));
    if (close + 1 < url.size() && url[close + 1] == ':') port_text = url.substr(close + 2);
  } else if (size_t colon = url.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(url.substr(0, colon));
    port_text = url.substr(colon + 1);
  } else {
    out.host = std::string(url);
  }
  if (out.host.empty()) {
    error = "mqtt: the broker URL has no host (mqtt://HOST[:PORT])";
    return std::nullopt;
  }
  if (!port_text.empty()) {
    auto port = parse_number<uint16_t>(port_text);
    if (!port || *port == 0) {
      error = "mqtt: the broker URL's port '" + std::string(port_text) + "' is not a port number";
      return std::nullopt;
    }
    out.port = *port;
  }
  return out;
}

std::optional<Engine> parse_engine(std::string_view text) {
  if (text == "paho") return Engine::paho;
  if (text == "native") return Engine::native;
  return std::nullopt;
}

std::optional<int> parse_qos(std::string_view text) {
  auto qos = parse_number<int>(text);
  if (!qos || *qos < 0 || *qos > 2) return std::nullopt;
  return qos;
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  return std::nullopt;
}

bool apply_connect_setting(ConnectSettings &s, std::string_view key, std::string_view value, std::string &error) {
  if (key == "client-id") {
    s.client_id = std::string(value);
  } else if (key == "clean-session") {
    auto b = parse_bool(value);
    if (!b) return bad_value(error, key, value, "a boolean (true/false)");
    s.clean_session = *b;
  } else if (key == "keep-alive") {
    auto n = parse_number<int>(value);
    if (!n || *n < 0 || *n > 65535) return bad_value(error, key, value, "a number of seconds (0-65535)");
    s.keep_alive_s = *n;
  } else if (key == "username") {
    s.username = std::string(value);
  } else if (key == "password") {
    s.password = std::string(value);
  } else if (key == "insecure") {
    auto b = parse_bool(value.empty() ? "1" : value);
    if (!b) return bad_value(error, key, value, "a boolean (true/false)");
    s.insecure = *b;
  } else if (key == "ca-file") {
    s.ca_file = std::string(value);
  } else if (key == "inbox") {
    auto n = parse_number<size_t>(value);
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
    auto b = parse_bool(value);
    if (!b) return bad_value(error, key, value, "a boolean (true/false)");
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
    auto b = parse_bool(value);
    if (!b) return bad_value(error, key, value, "a boolean (true/false)");
    (key == "retain" ? s.retain : s.timestamp) = *b;
  } else {
    error = "mqtt: unknown metadata '" + std::string(key) + "' (known: qos, retain, timestamp)";
    return false;
  }
  return true;
}

std::optional<QuickSettings> parse_quick_settings(const std::function<std::string_view(const char *)> &option,
                                                  std::string &error) {
  QuickSettings s;
  if (auto t = option("topic"); !t.empty()) s.topic = std::string(t);
  if (auto t = option("qos"); !t.empty()) {
    auto q = parse_qos(t);
    if (!q) {
      error = "--qos '" + std::string(t) + "' is not 0, 1 or 2";
      return std::nullopt;
    }
    s.qos = *q;
  }
  if (auto t = option("payload-size"); !t.empty()) {
    auto n = parse_number<size_t>(t);
    if (!n || *n > 256 * 1024 * 1024) {
      error = "--payload-size '" + std::string(t) + "' is not a number of bytes (at most 256 MiB)";
      return std::nullopt;
    }
    s.payload_size = *n;
  }
  if (auto t = option("mqtt-engine"); !t.empty()) {
    auto e = parse_engine(t);
    if (!e) {
      error = "--mqtt-engine '" + std::string(t) + "' is not paho or native";
      return std::nullopt;
    }
    s.engine = *e;
  }
  if (auto t = option("publish-rate"); !t.empty()) {
    auto r = parse_positive_double(t);
    if (!r) {
      error = "--publish-rate '" + std::string(t) + "' is not a number of messages per second above 0";
      return std::nullopt;
    }
    s.publish_rate = *r;
  }
  return s;
}

}  // namespace loadhost::mqtt_plugin
