// The native engine's session against a scripted host: the test plays the
// host's transport and timers, and the broker on the other end.
#include "mqtt/native_session.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mqtt/codec.hpp"
#include "mqtt/plugin_state.hpp"
#include "support/scripted_host.hpp"

namespace loadhost::mqtt_plugin {
namespace {

using loadhost::test::Completion;
using loadhost::test::FakeConn;
using loadhost::test::str;
using loadhost::test::text;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(char(v));
  return s;
}

// The scripted host, with the broker's side of the one connection a
// session has at a time.
struct FakeHost : loadhost::test::ScriptedHost {
  FakeConn &conn() { return *conns.back(); }
  void data(std::string_view d) { deliver(conn(), d); }
  void connected() { connect(conn()); }
  void closed(const char *why = nullptr) { peer_close(conn(), why ? str(why) : lh_str{nullptr, 0}); }
  // Names of the mqtt-delivery events reported.
  std::vector<std::string> deliveries() const {
    std::vector<std::string> names;
    for (const auto &e : events) names.push_back(e.name);
    return names;
  }
  // The packets written on the current connection since the last take.
  std::string packet_bytes;
  std::vector<std::pair<int, std::string>> take() {
    packet_bytes = std::exchange(conn().written, {});
    std::vector<std::pair<int, std::string>> out;
    codec::Decoder d;
    std::string_view in = packet_bytes;
    codec::Packet p;
    while (d.next(in, p) == codec::Decoder::Result::packet) out.push_back({p.type, std::string(p.body)});
    EXPECT_TRUE(in.empty());
    return out;
  }
};

lh_call *call(uintptr_t n) { return reinterpret_cast<lh_call *>(n); }

struct NativeSessionTest : testing::Test {
  FakeHost fake;
  PluginState plugin{&fake.host};
  std::unique_ptr<MqttSession> session;

  void SetUp() override {
    lh_session_config config{};
    config.size = sizeof config;
    config.base_url = str("mqtt://127.0.0.1:1883");
    config.user_class = str("U");
    BrokerAddress broker{false, "127.0.0.1", 1883};
    ConnectSettings settings;
    settings.client_id = "me";
    settings.keep_alive_s = 10;
    std::string error;
    session = NativeSession::create(plugin, config, broker, settings, error);
    ASSERT_TRUE(session) << error;
  }
  void start(uintptr_t id, const char *op, std::string_view target = {}, std::vector<lh_kv> meta = {},
             std::string_view body = {}) {
    lh_request r{};
    r.size = sizeof r;
    r.operation = str(op);
    r.target = str(target);
    r.metadata = meta.data();
    r.metadata_count = meta.size();
    r.body = str(body);
    session->start(call(id), r);
  }
  void connect() {
    start(1, "connect");
    fake.connected();
    auto sent = fake.take();
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].first, codec::kConnect);
    fake.data(bytes({0x20, 2, 0, 0}));
    ASSERT_EQ(fake.done.size(), 1u);
    EXPECT_EQ(fake.done[0].error, "");
    fake.done.clear();
  }
  Completion only_done() {
    EXPECT_EQ(fake.done.size(), 1u);
    Completion c = fake.done.empty() ? Completion{} : fake.done[0];
    fake.done.clear();
    return c;
  }
};

TEST_F(NativeSessionTest, ConnackSplitAtEveryPointCompletesTheConnect) {
  const std::string connack = bytes({0x20, 2, 0, 0});
  for (size_t i = 0; i <= connack.size(); ++i) {
    start(1, "connect");
    EXPECT_EQ(fake.conn().host, "127.0.0.1");
    fake.connected();
    fake.take();
    fake.data(connack.substr(0, i));
    if (i < connack.size()) {
      EXPECT_TRUE(fake.done.empty()) << i;
    }
    fake.data(connack.substr(i));
    Completion c = only_done();
    EXPECT_EQ(c.error, "") << i;
    EXPECT_EQ(c.bytes_sent, 16u) << "the CONNECT's size";
    start(2, "disconnect");
    EXPECT_EQ(fake.take()[0].first, codec::kDisconnect);
    fake.fire(0);
    EXPECT_EQ(only_done().call, call(2));
    fake.closed();  // the broker's answer
  }
}

TEST_F(NativeSessionTest, PublishCompletesPerQos) {
  connect();
  const lh_kv q0[] = {{str("qos"), str("0")}}, q1[] = {{str("qos"), str("1")}}, q2[] = {{str("qos"), str("2")}};
  start(10, "publish", "t", {q0[0]}, "a");
  EXPECT_TRUE(fake.done.empty()) << "QoS 0 completes from the timer, not inside call_start";
  fake.fire(0);
  Completion c0 = only_done();
  EXPECT_EQ(c0.call, call(10));
  EXPECT_EQ(c0.bytes_sent, 2u + 3 + 16 + 1);
  EXPECT_EQ(fake.take().size(), 1u);

  start(11, "publish", "t", {q1[0]}, "b");
  auto sent = fake.take();
  ASSERT_EQ(sent.size(), 1u);
  uint16_t id1 = uint16_t(uint8_t(sent[0].second[3]) << 8 | uint8_t(sent[0].second[4]));
  fake.data(bytes({0x40, 2, id1 >> 8, id1 & 0xFF}));
  EXPECT_EQ(only_done().call, call(11));

  start(12, "publish", "t", {q2[0]}, "c");
  sent = fake.take();
  uint16_t id2 = uint16_t(uint8_t(sent[0].second[3]) << 8 | uint8_t(sent[0].second[4]));
  EXPECT_NE(id1, id2);
  fake.data(bytes({0x50, 2, id2 >> 8, id2 & 0xFF}));  // PUBREC
  EXPECT_TRUE(fake.done.empty());
  sent = fake.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, codec::kPubrel);
  EXPECT_EQ(uint8_t(fake.packet_bytes[0]), 0x62);
  fake.data(bytes({0x70, 2, id2 >> 8, id2 & 0xFF}));  // PUBCOMP
  Completion c2 = only_done();
  EXPECT_EQ(c2.call, call(12));
  EXPECT_EQ(c2.error, "");
}

TEST_F(NativeSessionTest, RefusedSubscriptionHasThePahoEnginesText) {
  connect();
  start(20, "subscribe", "a/#");
  auto sent = fake.take();
  ASSERT_EQ(sent[0].first, codec::kSubscribe);
  fake.data(bytes({0x90, 3, sent[0].second[0], sent[0].second[1], 0x80}));
  EXPECT_EQ(only_done().error, "mqtt: subscribe failed: refused by the broker (SUBACK return code 0x80)");
  start(21, "unsubscribe", "a/#");
  sent = fake.take();
  fake.data(bytes({0xB0, 2, sent[0].second[0], sent[0].second[1]}));
  EXPECT_EQ(only_done().error, "");
}

TEST_F(NativeSessionTest, InboundMessagesAreAckedDeliveredOnceAndMeasured) {
  connect();
  start(30, "receive", "r");
  std::string in;
  codec::encode_publish(in, "x/1", std::string("\xF0LHTS01\0", 8) + std::string(8, '\0'), "one", 1, false, false, 5);
  codec::encode_publish(in, "x/2", {}, "two", 2, false, false, 6);
  codec::encode_publish(in, "x/2", {}, "two", 2, false, true, 6);  // resend before PUBREL: same message
  fake.data(in);
  Completion r = only_done();
  EXPECT_EQ(r.call, call(30));
  EXPECT_EQ(r.body, "one") << "without the stamp";
  EXPECT_EQ(fake.deliveries(), std::vector<std::string>{"x/1"});
  auto sent = fake.take();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0], (std::pair<int, std::string>{codec::kPuback, bytes({0, 5})}));
  EXPECT_EQ(sent[1], (std::pair<int, std::string>{codec::kPubrec, bytes({0, 6})}));
  EXPECT_EQ(sent[2], (std::pair<int, std::string>{codec::kPubrec, bytes({0, 6})}));
  fake.data(bytes({0x62, 2, 0, 6}));  // PUBREL
  sent = fake.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], (std::pair<int, std::string>{codec::kPubcomp, bytes({0, 6})}));
  // The QoS 2 message waited in the inbox, once.
  start(31, "receive", "r");
  EXPECT_TRUE(fake.done.empty()) << "never inside call_start";
  fake.fire(0);
  EXPECT_EQ(only_done().body, "two");
  start(32, "receive", "r");
  fake.fire(0);
  EXPECT_TRUE(fake.done.empty()) << "the resend was not a second message";
  session->cancel(call(32));
}

TEST_F(NativeSessionTest, LostConnectionFailsEveryCallThenConnectWorks) {
  connect();
  const lh_kv q1[] = {{str("qos"), str("1")}};
  start(40, "publish", "t", {q1[0]}, "a");
  start(41, "subscribe", "t");
  start(42, "receive", "r");
  fake.closed();
  ASSERT_EQ(fake.done.size(), 3u);
  for (const Completion &c : fake.done)
    EXPECT_EQ(c.error, "mqtt: connection lost: the broker closed the connection or the network failed");
  fake.done.clear();
  start(43, "publish", "t", {q1[0]}, "a");
  EXPECT_EQ(only_done().error, "mqtt: publish while not connected: call \"connect\" first");
  connect();
}

TEST_F(NativeSessionTest, MalformedPacketsCloseWithAClearFailure) {
  start(1, "connect");
  fake.connected();
  fake.data("\x16\x03\x01 NOT-MQTT");
  EXPECT_EQ(only_done().error,
            "mqtt: connect to tcp://127.0.0.1:1883 failed: malformed packet from the broker: expected CONNACK, got "
            "CONNECT");
  EXPECT_TRUE(fake.conn().gone);
  connect();
  start(50, "subscribe", "t");
  fake.data(bytes({0x90, 0x80, 0x80, 0x80, 0x80, 0x01}));
  EXPECT_EQ(only_done().error,
            "mqtt: connection lost: malformed packet from the broker: remaining length longer than 4 bytes");
  EXPECT_TRUE(fake.conn().gone);
  connect();
  fake.data(bytes({0x30, 1, 0}));  // PUBLISH too short
  EXPECT_TRUE(fake.conn().gone);
}

TEST_F(NativeSessionTest, RefusedConnectSaysWhy) {
  start(1, "connect");
  fake.connected();
  fake.data(bytes({0x20, 2, 0, 4}));
  EXPECT_EQ(only_done().error, "mqtt: connect to tcp://127.0.0.1:1883 failed: refused: bad user name or password");
  EXPECT_TRUE(fake.conn().gone);
  start(2, "connect");
  fake.conn().callbacks->on_connected(fake.conn().ud, nullptr, {}, str("connection refused"));
  EXPECT_EQ(only_done().error,
            "mqtt: connect to tcp://127.0.0.1:1883 failed: no connection (refused, unreachable, TLS handshake or "
            "timeout): connection refused");
}

TEST_F(NativeSessionTest, MissingPingrespIsALostConnection) {
  connect();
  start(60, "receive", "r");
  fake.fire(10'000'000);
  auto sent = fake.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, codec::kPingreq);
  fake.data(bytes({0xD0, 0}));
  fake.fire(10'000'000);
  EXPECT_EQ(fake.take().size(), 1u) << "answered: the next PINGREQ";
  fake.fire(10'000'000);
  EXPECT_EQ(only_done().error, "mqtt: connection lost: no PINGRESP within the keep-alive (10 s)");
  EXPECT_TRUE(fake.conn().gone);
}

// A whole exchange's answers, cut at every byte: the same completions and
// the same acknowledgements whatever the split.
TEST_F(NativeSessionTest, BrokerStreamSplitAtEveryPointGivesTheSameResult) {
  const lh_kv q1[] = {{str("qos"), str("1")}};
  for (size_t cut = 0;; ++cut) {
    connect();
    start(80, "subscribe", "s");
    start(81, "publish", "s", {q1[0]}, "m");
    start(82, "receive", "r");
    fake.take();
    // The ids the session chose, read back from what it sent.
    std::string stream;
    std::string sent_ids = fake.packet_bytes;
    uint16_t sub_id = uint16_t(uint8_t(sent_ids[2]) << 8 | uint8_t(sent_ids[3]));
    size_t pub_at = 2 + 2 + 2 + 1 + 1;  // after SUBSCRIBE (header, id, "s", qos)
    uint16_t pub_id = uint16_t(uint8_t(sent_ids[pub_at + 5]) << 8 | uint8_t(sent_ids[pub_at + 6]));
    stream += bytes({0x90, 3, sub_id >> 8, sub_id & 0xFF, 1});
    stream += bytes({0x40, 2, pub_id >> 8, pub_id & 0xFF});
    codec::encode_publish(stream, "s", {}, std::string(200, 'x'), 1, false, false, 77);
    if (cut > stream.size()) {
      fake.closed();
      break;
    }
    fake.data(stream.substr(0, cut));
    fake.data(stream.substr(cut));
    ASSERT_EQ(fake.done.size(), 3u) << "cut " << cut;
    EXPECT_EQ(fake.done[0].call, call(80));
    EXPECT_EQ(fake.done[1].call, call(81));
    EXPECT_EQ(fake.done[2].call, call(82));
    EXPECT_EQ(fake.done[2].body, std::string(200, 'x'));
    for (const Completion &c : fake.done) EXPECT_EQ(c.error, "") << "cut " << cut;
    fake.done.clear();
    auto acks = fake.take();
    ASSERT_EQ(acks.size(), 1u);
    EXPECT_EQ(acks[0], (std::pair<int, std::string>{codec::kPuback, bytes({0, 77})}));
    fake.closed();
    fake.done.clear();
  }
}

TEST_F(NativeSessionTest, SilentBrokerFailsTheConnectAfterTheConnackTimeout) {
  start(1, "connect");
  fake.connected();
  fake.fire(NativeSession::kConnackTimeoutUs);
  EXPECT_EQ(only_done().error, "mqtt: connect to tcp://127.0.0.1:1883 failed: no CONNACK within 30 s");
  EXPECT_TRUE(fake.conn().gone);
  connect();
}

TEST_F(NativeSessionTest, CancelForgetsTheCall) {
  connect();
  const lh_kv q1[] = {{str("qos"), str("1")}};
  start(70, "publish", "t", {q1[0]}, "a");
  auto sent = fake.take();
  session->cancel(call(70));
  fake.data(bytes({0x40, 2, sent[0].second[3], sent[0].second[4]}));
  EXPECT_TRUE(fake.done.empty());
  // A cancelled connect drops its half-open connection.
  fake.closed();
  start(71, "connect");
  session->cancel(call(71));
  EXPECT_TRUE(fake.conn().gone);
  connect();
}

}  // namespace
}  // namespace loadhost::mqtt_plugin
