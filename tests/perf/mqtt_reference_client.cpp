// The reference loadhost's mqtt plugin is measured against
// (tests/perf/mqtt_vs_paho.sh): a minimal Paho C++ async client loop with no
// framework around it. N clients, each on a topic of its own: connect,
// subscribe, then publish back to back (the next publish starts when the
// previous one completed: QoS 0 once sent, QoS 1 on PUBACK). Each payload
// starts with the steady_clock time it was sent; arrival - send is the
// delivery latency.
//
//   mqtt_reference_client tcp://127.0.0.1:1883 CLIENTS QOS SECONDS PAYLOAD_BYTES
//
// Prints one line: publishes=N deliveries=N seconds=S avg_ms=A p50_ms=B p99_ms=C
#include <mqtt/async_client.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

uint64_t now_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

std::atomic<bool> g_running{true};
std::atomic<uint64_t> g_publishes{0};
std::mutex g_latency_mutex;
std::vector<uint32_t> g_latencies_us;  // one per delivery

struct Publisher : mqtt::iaction_listener {
  mqtt::async_client *client = nullptr;
  std::string topic;
  int qos = 0;
  size_t payload_bytes = 64;

  void publish_next() {
    if (!g_running) return;
    std::string payload(std::max<size_t>(payload_bytes, 8), 'x');
    uint64_t t = now_ns();
    std::memcpy(payload.data(), &t, 8);
    try {
      client->publish(mqtt::make_message(topic, std::move(payload), qos, false), nullptr, *this);
    } catch (const std::exception &e) {
      std::fprintf(stderr, "publish: %s\n", e.what());
    }
  }
  void on_success(const mqtt::token &) override {
    ++g_publishes;
    publish_next();
  }
  void on_failure(const mqtt::token &) override { publish_next(); }
};

}  // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s tcp://HOST:PORT CLIENTS QOS SECONDS PAYLOAD_BYTES\n", argv[0]);
    return 2;
  }
  const std::string uri = argv[1];
  const int clients = std::atoi(argv[2]);
  const int qos = std::atoi(argv[3]);
  const double seconds = std::atof(argv[4]);
  const size_t payload_bytes = size_t(std::atol(argv[5]));

  std::vector<std::unique_ptr<mqtt::async_client>> conns;
  std::vector<std::unique_ptr<Publisher>> publishers;
  for (int i = 0; i < clients; ++i) {
    auto c = std::make_unique<mqtt::async_client>(uri, "ref-" + std::to_string(::getpid()) + "-" + std::to_string(i),
                                                  mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
    c->set_message_callback([](mqtt::const_message_ptr m) {
      uint64_t arrived = now_ns();
      const auto &p = m->get_payload_ref();
      if (p.size() < 8) return;
      uint64_t sent;
      std::memcpy(&sent, p.data(), 8);
      std::lock_guard lock(g_latency_mutex);
      if (g_running) g_latencies_us.push_back(uint32_t((arrived - sent) / 1000));
    });
    mqtt::connect_options options;
    options.set_clean_session(true);
    c->connect(options)->wait();
    c->subscribe("ref/" + std::to_string(i), qos)->wait();
    auto p = std::make_unique<Publisher>();
    p->client = c.get();
    p->topic = "ref/" + std::to_string(i);
    p->qos = qos;
    p->payload_bytes = payload_bytes;
    publishers.push_back(std::move(p));
    conns.push_back(std::move(c));
  }
  auto start = Clock::now();
  for (auto &p : publishers) p->publish_next();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  g_running = false;
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  uint64_t publishes = g_publishes.load();
  std::vector<uint32_t> lat;
  {
    std::lock_guard lock(g_latency_mutex);
    lat = g_latencies_us;
  }
  std::sort(lat.begin(), lat.end());
  double avg = 0;
  for (uint32_t l : lat) avg += l;
  avg = lat.empty() ? 0 : avg / double(lat.size()) / 1000.0;
  auto pct = [&](double q) { return lat.empty() ? 0.0 : lat[size_t(q * double(lat.size() - 1))] / 1000.0; };
  std::printf("publishes=%llu deliveries=%zu seconds=%.2f avg_ms=%.2f p50_ms=%.2f p99_ms=%.2f\n",
              (unsigned long long)publishes, lat.size(), elapsed, avg, pct(0.5), pct(0.99));
  std::fflush(stdout);
  for (auto &c : conns) {
    try {
      c->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (...) {
    }
  }
  return 0;
}
