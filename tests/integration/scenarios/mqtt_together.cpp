// Two calls of one MqttClient in flight together (when_all): a receive
// waiting on the user's subscription while the same user publishes to it.
// Both must run on the user's one connection: a second session would not be
// connected (nor subscribed), and the publish would fail.
#include <loadhost/loadhost.hpp>
#include <loadhost/mqtt.hpp>

#include <atomic>

using namespace loadhost;

namespace {
std::atomic<int> g_users{0};
}

struct Together : MqttUser {
  Together() {
    wait_time = constant(Duration(0.005));
    topic_ = "lh/together/" + std::to_string(g_users++);
    task(1, &Together::publish_and_receive);
  }

  Task<> on_start() override {
    co_await client.connect();
    co_await client.subscribe(topic_, 1);
  }

  Task<> publish_and_receive() {
    std::string body = "message " + std::to_string(++sent_);
    auto [received, published] =
        co_await when_all(client.next_message("together").timeout(Duration(2.0)), client.publish(topic_, body, 1));
    if (received.ok() && published.ok() && received.body() != body)
      report_request("check", "together", Duration(0), 0, "received '" + received.body() + "', expected '" + body + "'");
  }

  std::string topic_;
  uint64_t sent_ = 0;
};

LOADHOST_SCENARIO(Together);
