// loadhost with the mqtt plugin against a real mosquitto
// (tests/support/mosquitto_server), for both engines (--mqtt-engine paho and
// native): publish at QoS 0/1/2 and receive it back, end-to-end delivery
// latency, the quick mode, a refused connection, and the broker going away
// mid-test (and coming back); for the native engine also a server that
// answers garbage (tests/support/bad_server). A refused subscription (SUBACK
// 0x80) comes from a scripted broker: mosquitto 2.0 grants every MQTT 3.1.1
// subscription and applies its ACL at delivery.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "integration/loadhost_run.hpp"
#include "integration/scoped_env.hpp"
#include "support/bad_server.hpp"
#include "support/free_port.hpp"
#include "support/mosquitto_server.hpp"

namespace loadhost::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kLimit = 20s;  // no run here comes near it: a hang fails fast

std::string scenario() { return std::string(LH_SCENARIO_DIR) + "/mqtt_pubsub.so"; }

const auto kEngines = testing::Values(std::string("paho"), std::string("native"));

// `args` with --mqtt-engine ENGINE added.
std::vector<std::string> with_engine(std::vector<std::string> args, const std::string &engine) {
  args.insert(args.end(), {"--mqtt-engine", engine});
  return args;
}

// A broker that accepts every connection and refuses every subscription:
// CONNACK 0, SUBACK 0x80, PINGRESP, PUBACK for QoS 1; the rest is ignored.
// One thread per connection; enough for a handful of test users.
class RefusingBroker {
 public:
  RefusingBroker() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 16) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
      throw std::runtime_error("RefusingBroker: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    accepter_ = std::thread([this] { accept_loop(); });
  }
  ~RefusingBroker() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    accepter_.join();
    ::close(listen_fd_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    for (auto &t : connections_) t.join();
    for (int fd : fds_) ::close(fd);
  }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      fds_.push_back(fd);
      connections_.emplace_back([fd] { serve(fd); });
    }
  }
  static bool read_all(int fd, unsigned char *p, size_t n) {
    while (n > 0) {
      ssize_t r = ::read(fd, p, n);
      if (r <= 0) return false;
      p += r;
      n -= size_t(r);
    }
    return true;
  }
  static void serve(int fd) {
    for (;;) {
      unsigned char header;
      if (!read_all(fd, &header, 1)) return;
      size_t length = 0;
      for (int shift = 0;; shift += 7) {
        unsigned char b;
        if (!read_all(fd, &b, 1)) return;
        length |= size_t(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
      }
      std::vector<unsigned char> body(length);
      if (length > 0 && !read_all(fd, body.data(), length)) return;
      std::vector<unsigned char> reply;
      switch (header >> 4) {
        case 1: reply = {0x20, 0x02, 0x00, 0x00}; break;                           // CONNECT: CONNACK accepted
        case 8: reply = {0x90, 0x03, body.at(0), body.at(1), 0x80}; break;         // SUBSCRIBE: SUBACK refused
        case 12: reply = {0xd0, 0x00}; break;                                      // PINGREQ: PINGRESP
        case 3:                                                                     // PUBLISH
          if (((header >> 1) & 3) == 1) {
            size_t at = 2 + (size_t(body.at(0)) << 8 | body.at(1));  // after the topic
            reply = {0x40, 0x02, body.at(at), body.at(at + 1)};
          }
          break;
        case 14: return;  // DISCONNECT
        default: break;
      }
      if (!reply.empty() && ::write(fd, reply.data(), reply.size()) != ssize_t(reply.size())) return;
    }
  }

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<int> fds_;  // accept_loop's until it is joined
  std::vector<std::thread> connections_;
  std::thread accepter_;
};

uint64_t count(const nlohmann::json *e, const char *field) { return e ? (*e)[field].get<uint64_t>() : 0; }

// Requests of `type` over every name.
uint64_t requests_of_type(const LoadhostRun &run, const std::string &type) {
  uint64_t n = 0;
  for (const auto &e : run.report["stats"])
    if (e["type"] == type) n += e["num_requests"].get<uint64_t>();
  return n;
}

// Delivery latency is there and plausible on loopback: >= 0, < 1 s.
void expect_plausible_deliveries(const LoadhostRun &run, uint64_t at_least) {
  uint64_t deliveries = 0;
  for (const auto &e : run.report["stats"]) {
    if (e["type"] != "mqtt-delivery") continue;
    deliveries += e["num_requests"].get<uint64_t>();
    EXPECT_EQ(e["num_failures"].get<uint64_t>(), 0u);
    EXPECT_GE(e["min_response_time_ms"].get<double>(), 0.0);
    EXPECT_LT(e["max_response_time_ms"].get<double>(), 1000.0) << e.dump();
    EXPECT_LT(e["avg_response_time_ms"].get<double>(), 100.0) << e.dump();
  }
  EXPECT_GE(deliveries, at_least) << run.report["stats"].dump();
}

TEST(Mqtt, HelpListsThePluginsOptions) {
  TempDir dir;
  Process p({LH_LOADHOST_BIN, "--plugin", "mqtt", "--help"}, dir.path());
  ASSERT_TRUE(p.wait(kLimit));
  const std::string out = p.stdout_text();
  for (const char *flag :
       {"--topic TOPIC", "--qos N", "--payload-size BYTES", "--publish-rate R", "--mqtt-engine ENGINE"})
    EXPECT_NE(out.find(flag), std::string::npos) << flag << " missing from:\n" << out;
}

class MqttQos : public testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(MqttQos, PublishAndReceiveBackWithoutFailures) {
  MosquittoServer broker;
  TempDir dir;
  const std::string qos = std::to_string(std::get<1>(GetParam()));
  LoadhostRun run = run_loadhost(dir,
                                 with_engine({"--plugin", "mqtt", "-f", scenario(), "-H", broker.url(), "-u", "5", "-r",
                                              "100", "-t", "2s", "--qos", qos},
                                             std::get<0>(GetParam())),
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_EQ(requests_of_type(run, "connect"), 5u);
  EXPECT_EQ(requests_of_type(run, "subscribe"), 5u);
  const uint64_t published = requests_of_type(run, "publish");
  const uint64_t received = requests_of_type(run, "receive");
  EXPECT_GT(published, 50u) << "QoS " << qos;  // QoS 2 is 4 packets a message: slowest
  // -t may stop a user between its publish and its receive.
  EXPECT_GE(received + 5, published);
  EXPECT_LE(received, published);
  expect_plausible_deliveries(run, received);
}

INSTANTIATE_TEST_SUITE_P(Qos, MqttQos, testing::Combine(kEngines, testing::Values(0, 1, 2)), [](const auto &info) {
  return std::get<0>(info.param) + "Qos" + std::to_string(std::get<1>(info.param));
});

// The tests below run once per engine.
class MqttEngine : public testing::TestWithParam<std::string> {
 protected:
  std::vector<std::string> args(std::vector<std::string> a) const { return with_engine(std::move(a), GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Engine, MqttEngine, kEngines, [](const auto &info) { return info.param; });

// mqtts:// against a broker with a self-signed certificate: --insecure
// runs; without it every connect fails on the certificate, with one line.
TEST_P(MqttEngine, SecureBrokerWithInsecure) {
  MosquittoOptions o;
  o.tls = true;
  MosquittoServer broker(o);
  ASSERT_EQ(broker.url().rfind("mqtts://", 0), 0u);
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, args({"--plugin", "mqtt", "-u", "2", "-r", "100", "-t", "1500ms", "--qos", "1",
                                            "--topic", "tls/{user}", "--publish-rate", "20", "--insecure",
                                            broker.url()}),
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors() << broker.log();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_EQ(requests_of_type(run, "connect"), 2u);
  EXPECT_GE(requests_of_type(run, "publish"), 20u) << run.out;
  EXPECT_GE(requests_of_type(run, "mqtt-delivery"), 20u) << run.out;
}

TEST_P(MqttEngine, SecureBrokerUntrustedFailsEveryConnect) {
  MosquittoOptions o;
  o.tls = true;
  MosquittoServer broker(o);
  ScopedEnv no_extra_trust("SSL_CERT_FILE", std::nullopt);
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, args({"--plugin", "mqtt", "-u", "2", "-r", "100", "-t", "1500ms", "--qos", "1", broker.url()}), kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  const nlohmann::json *connect = nullptr;
  for (const auto &e : run.report["stats"])
    if (e["type"] == "connect") connect = &e;
  ASSERT_TRUE(connect) << run.report.dump();
  EXPECT_GT((*connect)["num_requests"].get<uint64_t>(), 0u);
  EXPECT_EQ((*connect)["num_failures"], (*connect)["num_requests"]) << "no connect gets through";
  const std::string errors = run.failure_errors();
  if (GetParam() == "native")
    EXPECT_NE(errors.find("certificate verify failed"), std::string::npos) << errors;
}

// The native engine uses the host's TLS: a certificate the system (here
// SSL_CERT_FILE) trusts is verified, name and all.
TEST(Mqtt, NativeEngineVerifiesATrustedBroker) {
  MosquittoOptions o;
  o.tls = true;
  MosquittoServer broker(o);
  ScopedEnv trust("SSL_CERT_FILE", broker.cert_path().string());
  TempDir dir;
  LoadhostRun run = run_loadhost(dir, {"--plugin", "mqtt", "--mqtt-engine", "native", "-u", "2", "-r", "100", "-t",
                                       "1s", "--qos", "1", "--topic", "tls/{user}", broker.url()},
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_EQ(requests_of_type(run, "connect"), 2u);
}

TEST_P(MqttEngine, QuickModePublishesAtTheRateAndMeasuresDelivery) {
  MosquittoServer broker;
  TempDir dir;
  // 10 users, 20 messages/s each, all on one topic: each message reaches
  // every user (10 deliveries per publish).
  LoadhostRun run = run_loadhost(dir, args({"--plugin", "mqtt", "-u", "10", "-r", "100", "-t", "2s", "--topic",
                                            "load/test", "--qos", "1", "--publish-rate", "20", broker.url()}),
                                 kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  const uint64_t published = count(run.entry("publish", "load/test"), "num_requests");
  EXPECT_GE(published, 250u);  // about 10 x 20 x 2 = 400
  EXPECT_LE(published, 450u);
  EXPECT_EQ(requests_of_type(run, "connect"), 10u);
  EXPECT_EQ(requests_of_type(run, "subscribe"), 10u);
  const uint64_t delivered = count(run.entry("mqtt-delivery", "load/test"), "num_requests");
  EXPECT_GE(delivered, published * 8) << "each publish reaches the 10 subscribers";
  expect_plausible_deliveries(run, 1);
}

// when_all on one MqttClient: the receive and the publish share the user's
// connection (a second session would be neither connected nor subscribed).
TEST_P(MqttEngine, CallsInFlightTogetherShareTheConnection) {
  MosquittoServer broker;
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, args({"--plugin", "mqtt", "-f", std::string(LH_SCENARIO_DIR) + "/mqtt_together.so", "-H", broker.url(),
                 "-u", "3", "-r", "100", "-t", "1500ms"}),
      kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  EXPECT_EQ(requests_of_type(run, "connect"), 3u) << "one connection per user";
  EXPECT_GE(count(run.entry("receive", "together"), "num_requests"), 30u) << run.out;
  EXPECT_GE(requests_of_type(run, "publish"), 30u) << run.out;
}

TEST_P(MqttEngine, QuickModePerUserTopicsShareOneStatsEntry) {
  MosquittoServer broker;
  TempDir dir;
  LoadhostRun run =
      run_loadhost(dir, args({"--plugin", "mqtt", "-u", "4", "-r", "100", "-t", "1500ms", "--topic", "dev/{user}/t",
                              "--publish-rate", "10", "--payload-size", "200", broker.url()}),
                   kLimit);
  ASSERT_EQ(run.status.code, 0) << run.err << run.failure_errors();
  EXPECT_EQ(run.total_failures(), 0u) << run.failure_errors();
  // Named by the template, not by each user's topic (dev/0/t, dev/1/t ...).
  EXPECT_EQ(run.report["stats"].size(), 4u) << run.report["stats"].dump();
  const uint64_t published = count(run.entry("publish", "dev/{user}/t"), "num_requests");
  EXPECT_GT(published, 30u);
  // Each user gets its own messages only (+-1 per user for -t's cut).
  const auto *d = run.entry("mqtt-delivery", "dev/{user}/t");
  ASSERT_TRUE(d) << run.report["stats"].dump();
  EXPECT_LE((*d)["num_requests"].get<uint64_t>(), published + 4);
  EXPECT_GE((*d)["num_requests"].get<uint64_t>() + 4, published);
  EXPECT_EQ((*d)["avg_content_length"].get<double>(), 216.0) << "200 bytes + the 16-byte stamp";
}

TEST_P(MqttEngine, RefusedConnectionFailsEveryConnectWithOneClearLine) {
  TempDir dir;
  const uint16_t port = free_port();  // nothing listens there
  LoadhostRun run = run_loadhost(
      dir, args({"--plugin", "mqtt", "-u", "2", "-t", "1s", "mqtt://127.0.0.1:" + std::to_string(port)}), kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  ASSERT_GT(run.total_requests(), 0u) << run.err;
  EXPECT_EQ(run.total_failures(), run.total_requests());
  EXPECT_EQ(requests_of_type(run, "connect"), run.total_requests()) << "only connects were tried";
  ASSERT_EQ(run.report["failures"].size(), 1u) << run.failure_errors();
  const std::string text = run.report["failures"][0]["error"].get<std::string>();
  const std::string expected = "mqtt: connect to tcp://127.0.0.1:" + std::to_string(port) + " failed: ";
  EXPECT_EQ(text.rfind(expected, 0), 0u) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_LT(run.seconds, 10);
}

TEST_P(MqttEngine, RefusedSubscriptionIsAFailureWithOneClearLine) {
  RefusingBroker broker;
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, args({"--plugin", "mqtt", "-f", scenario(), "-H", broker.url(), "-u", "2", "-r", "100", "-t", "1s"}),
      kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(run.status.signal, 0) << "no crash";
  const uint64_t subscribes = requests_of_type(run, "subscribe");
  ASSERT_GE(subscribes, 2u) << run.report["stats"].dump();
  uint64_t subscribe_failures = 0;
  for (const auto &e : run.report["stats"])
    if (e["type"] == "subscribe") subscribe_failures += e["num_failures"].get<uint64_t>();
  EXPECT_EQ(subscribe_failures, subscribes) << "a SUBACK 0x80 is never a success";
  const std::string errors = run.failure_errors();
  EXPECT_NE(errors.find("mqtt: subscribe failed: refused by the broker (SUBACK return code 0x80)\n"),
            std::string::npos)
      << errors;
  EXPECT_EQ(requests_of_type(run, "publish"), 0u) << "the scenario publishes only once subscribed";
}

TEST_P(MqttEngine, BrokerStoppedMidTestFailsCallsThenReconnects) {
  MosquittoServer broker;
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  Process p(loadhost_argv(args({"--plugin", "mqtt", "-f", scenario(), "-H", broker.url(), "-u", "5", "-r", "100",
                                "-t", "5s", "--qos", "1"}),
                          dir.path()),
            dir.path());
  std::this_thread::sleep_for(1500ms);
  broker.stop();
  std::this_thread::sleep_for(1000ms);
  broker.restart();
  LoadhostRun run = finish_run(p, dir.path(), kLimit, started);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(run.status.signal, 0) << "no crash";
  EXPECT_LT(run.seconds, 12) << "no hang";
  const std::string errors = run.failure_errors();
  // The loss shows either on the calls in flight when it is noticed
  // ("connection lost") or, when it hits a user between two calls (its
  // PUBACK and message came in before the close), on its next publish.
  // Which one is timing (about one run in three has no call in flight in
  // any of the 5 users, for both engines); the unit tests check the
  // in-flight case exactly.
  EXPECT_TRUE(errors.find("mqtt: connection lost: ") != std::string::npos ||
              errors.find("mqtt: publish while not connected: call \"connect\" first") != std::string::npos)
      << errors;
  for (const auto &f : run.report["failures"]) {
    std::string text = f["error"].get<std::string>();
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  }
  // Back after the restart: more connects than users, and publishes succeed
  // again (about 2.5 s of the run is after it).
  EXPECT_GT(requests_of_type(run, "connect"), 5u);
  uint64_t ok_publishes = 0;
  for (const auto &e : run.report["stats"])
    if (e["type"] == "publish") ok_publishes += e["num_requests"].get<uint64_t>() - e["num_failures"].get<uint64_t>();
  EXPECT_GT(ok_publishes, 100u);
}

// A server that answers the CONNECT with bytes that are not MQTT: every
// connect fails with one clear line, nothing crashes or hangs. Native only:
// what Paho makes of garbage is Paho's.
TEST(Mqtt, NativeEngineGarbageFromTheServerIsAClearFailure) {
  BadServer server(BadServer::Mode::Garbage);
  TempDir dir;
  const std::string url = "mqtt://127.0.0.1:" + std::to_string(server.port());
  LoadhostRun run = run_loadhost(
      dir, {"--plugin", "mqtt", "-f", scenario(), "-H", url, "-u", "2", "-r", "100", "-t", "1s", "--mqtt-engine",
            "native"},
      kLimit);
  EXPECT_EQ(run.status.code, 1) << run.err;
  EXPECT_EQ(run.status.signal, 0) << "no crash";
  EXPECT_LT(run.seconds, 10) << "no hang";
  ASSERT_GT(requests_of_type(run, "connect"), 0u) << run.report["stats"].dump();
  EXPECT_EQ(run.total_failures(), run.total_requests()) << "nothing succeeds against garbage";
  EXPECT_EQ(requests_of_type(run, "connect"), run.total_requests()) << "only connects were tried";
  EXPECT_GE(server.connections(), 2u);
  const std::string errors = run.failure_errors();
  EXPECT_NE(errors.find("mqtt: connect to tcp://127.0.0.1:" + std::to_string(server.port()) +
                        " failed: malformed packet from the broker: expected CONNACK, got CONNECT"),
            std::string::npos)
      << errors;
  for (const auto &f : run.report["failures"]) {
    std::string text = f["error"].get<std::string>();
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  }
}

// An unknown engine is refused at once, with a line naming it (the quick
// mode reports its setup error and stops the test).
TEST(Mqtt, UnknownEngineIsASetupError) {
  MosquittoServer broker;
  TempDir dir;
  LoadhostRun run = run_loadhost(
      dir, {"--plugin", "mqtt", "-u", "1", "-t", "1s", "--mqtt-engine", "fast", broker.url()}, kLimit);
  EXPECT_NE(run.status.code, 0);
  EXPECT_EQ(run.status.signal, 0) << "no crash";
  const std::string all = run.err + run.failure_errors();
  EXPECT_NE(all.find("option '--mqtt-engine': 'fast' is not paho or native"), std::string::npos) << all;
}

}  // namespace
}  // namespace loadhost::test
