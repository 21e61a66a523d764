// MqttQuickUser: connect, subscribe to its topic, then publish at
// --publish-rate messages a second until stopped; reconnect (at the same
// pace) after the connection is lost. Its own messages come back through the
// subscription and are measured as "mqtt-delivery" events.
#include "quick_user.hpp"

#include <loadhost/kit/quick_user.hpp>
#include <loadhost/loadhost.hpp>

#include <atomic>

#include "settings.hpp"

namespace loadhost::mqtt_plugin {

namespace {

std::atomic<uint64_t> g_user_number{0};

struct MqttQuickUser : User {
  static constexpr const char *name = "MqttQuickUser";

  MqttQuickUser() {
    std::optional<QuickSettings> settings =
        parse_quick_settings([](const char *n) { return loadhost::option(n); }, setup_error_);
    if (settings) {
      topic_ = settings->topic;
      // One stats entry for all users' topics, named by the template: an
      // entry per topic would cost memory per user.
      stats_name_ = settings->topic;
      if (size_t at = topic_.find("{user}"); at != std::string::npos) {
        topic_.replace(at, 6, std::to_string(g_user_number++));
        client_.set_option("delivery-name", stats_name_);
      }
      qos_ = std::to_string(settings->qos);
      payload_.assign(settings->payload_size, 'x');
      wait_time = constant_throughput(settings->publish_rate);
      client_.set_option("engine", settings->engine == Engine::native ? "native" : "paho");
    }
    client_.set_option("inbox", "0");  // measured on arrival; nothing calls receive
    task(1, &MqttQuickUser::publish);
  }

  Task<> on_start() override {
    // Every call would fail the same way: say it once, and stop the test.
    if (!setup_error_.empty()) kit::fail_quick_setup(*this, "mqtt", "(setup)", setup_error_);
    co_await connect();
  }

  Task<> connect() {
    Response connected = co_await client_.call("connect", client_.base_url());
    if (!connected.ok()) co_return;
    Response subscribed = co_await client_.call("subscribe", topic_).header("qos", qos_).name(stats_name_);
    connected_ = subscribed.ok();
  }

  Task<> publish() {
    if (!connected_) {
      co_await connect();
      co_return;
    }
    Response r = co_await client_.call("publish", topic_, payload_).header("qos", qos_).name(stats_name_);
    if (!r.ok() && (r.error()->find("connection lost") != std::string::npos ||
                    r.error()->find("not connected") != std::string::npos))
      connected_ = false;
  }

  Client client_{"mqtt", std::string(option("quick-url"))};
  std::string topic_;
  std::string stats_name_;  // the --topic template
  std::string qos_;
  std::string payload_;
  std::string setup_error_;
  bool connected_ = false;
};

}  // namespace

const lh_user_class *quick_user_class(const lh_host *host) {
  return kit::quick_user_class<MqttQuickUser>(host);
}

}  // namespace loadhost::mqtt_plugin
