// Publish, then receive the same message back, through the SDK's MqttUser:
// each user has a topic of its own, publishes with the run's --qos and checks
// that what comes back is what it sent. It reconnects when the connection
// was lost (the broker-stops-mid-test test restarts the broker).
#include <loadhost/loadhost.hpp>
#include <loadhost/mqtt.hpp>

#include <atomic>

using namespace loadhost;

namespace {
std::atomic<int> g_users{0};
}

struct MqttPubSub : MqttUser {
  MqttPubSub() {
    wait_time = constant(Duration(0.005));
    topic_ = "lh/test/" + std::to_string(g_users++);
    std::string_view q = option("qos");
    qos_ = q.empty() ? 0 : q[0] - '0';
    task(1, &MqttPubSub::roundtrip);
  }

  Task<> connect() {
    Response c = co_await client.connect();
    if (!c.ok()) co_return;
    Response s = co_await client.subscribe(topic_, qos_);
    connected_ = s.ok();
  }

  Task<> roundtrip() {
    if (!connected_) co_await connect();
    if (!connected_) co_return;
    std::string body = "message " + std::to_string(++sent_);
    Response p = co_await client.publish(topic_, body, qos_);
    if (!p.ok()) {
      connected_ = false;
      co_return;
    }
    Response r = co_await client.next_message(topic_).timeout(Duration(2.0)).catch_response();
    if (!r.ok()) {
      connected_ = false;  // reported as the failure it is when r goes
      co_return;
    }
    if (r.body() != body || r.header("topic") != topic_)
      r.failure("received '" + r.body() + "' on '" + std::string(r.header("topic")) + "', expected '" + body + "'");
  }

  std::string topic_;
  int qos_ = 0;
  uint64_t sent_ = 0;
  bool connected_ = false;
};

LOADHOST_SCENARIO(MqttPubSub);
