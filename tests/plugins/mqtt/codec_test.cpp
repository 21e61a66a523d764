// The native engine's MQTT 3.1.1 codec: exact bytes of what we send, and
// the decoder across every split of what a broker sends.
#include "mqtt/codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace loadhost::mqtt_plugin::codec {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(char(v));
  return s;
}

struct Framed {
  int type, flags;
  std::string body;
  bool operator==(const Framed &) const = default;
};

// Feeds `chunks` one after the other; the packets it framed, and the error.
std::vector<Framed> decode(const std::vector<std::string> &chunks, std::string *error = nullptr) {
  Decoder d;
  std::vector<Framed> out;
  for (const std::string &chunk : chunks) {
    std::string_view in = chunk;
    Packet p;
    for (;;) {
      Decoder::Result r = d.next(in, p);
      if (r == Decoder::Result::packet) {
        out.push_back({p.type, p.flags, std::string(p.body)});
        continue;
      }
      if (r == Decoder::Result::error && error) *error = std::string(d.error());
      if (r == Decoder::Result::error) return out;
      EXPECT_TRUE(in.empty());
      break;
    }
  }
  return out;
}

TEST(Encode, ConnectMinimal) {
  std::string out;
  encode_connect(out, Connect{"c", true, 60, {}, {}, {}});
  EXPECT_EQ(out, bytes({0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 1, 'c'}));
}

TEST(Encode, ConnectWithCredentialsAndWill) {
  std::string out;
  Connect c{"id", false, 300, "u", "pw", Will{"w/t", "bye", 1, true}};
  encode_connect(out, c);
  // flags: user 0x80, password 0x40, will retain 0x20, will QoS 1 (0x08), will 0x04
  EXPECT_EQ(out, bytes({0x10, 31, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xEC, 0x01, 0x2C, 0, 2, 'i', 'd', 0, 3, 'w', '/', 't',
                        0, 3, 'b', 'y', 'e', 0, 1, 'u', 0, 2, 'p', 'w'}));
  std::string no_user;
  encode_connect(no_user, Connect{"id", true, 0, {}, "pw", {}});
  EXPECT_EQ(uint8_t(no_user[9]), 0x02) << "no password without a user name (3.1.2.9)";
}

TEST(Encode, PublishAtEachQos) {
  std::string out;
  encode_publish(out, "a/b", "P", "xy", 0, false, false, 7);
  EXPECT_EQ(out, bytes({0x30, 8, 0, 3, 'a', '/', 'b', 'P', 'x', 'y'})) << "no packet id at QoS 0";
  out.clear();
  encode_publish(out, "t", {}, "z", 1, true, false, 0x1234);
  EXPECT_EQ(out, bytes({0x33, 6, 0, 1, 't', 0x12, 0x34, 'z'}));
  out.clear();
  encode_publish(out, "t", {}, {}, 2, false, true, 1);
  EXPECT_EQ(out, bytes({0x3C, 5, 0, 1, 't', 0, 1}));
}

TEST(Encode, AcksSubscribeUnsubscribePingDisconnect) {
  std::string out;
  encode_ack(out, kPuback, 258);
  encode_ack(out, kPubrec, 1);
  encode_ack(out, kPubrel, 1);
  encode_ack(out, kPubcomp, 1);
  EXPECT_EQ(out, bytes({0x40, 2, 1, 2, 0x50, 2, 0, 1, 0x62, 2, 0, 1, 0x70, 2, 0, 1}));
  out.clear();
  encode_subscribe(out, 5, "a/#", 2);
  EXPECT_EQ(out, bytes({0x82, 8, 0, 5, 0, 3, 'a', '/', '#', 2}));
  out.clear();
  encode_unsubscribe(out, 6, "a/#");
  EXPECT_EQ(out, bytes({0xA2, 7, 0, 6, 0, 3, 'a', '/', '#'}));
  out.clear();
  encode_pingreq(out);
  encode_disconnect(out);
  EXPECT_EQ(out, bytes({0xC0, 0, 0xE0, 0}));
}

TEST(Encode, RemainingLengthVarintBoundaries) {
  // (payload size so that remaining = topic 2+1 + payload) -> header length
  for (auto [remaining, header] : std::vector<std::pair<size_t, size_t>>{
           {3, 2}, {127, 2}, {128, 3}, {16383, 3}, {16384, 4}, {2097151, 4}, {2097152, 5}}) {
    std::string out;
    encode_publish(out, "t", {}, std::string(remaining - 3, 'x'), 0, false, false, 0);
    ASSERT_EQ(out.size(), header + remaining) << remaining;
    std::string error;
    auto packets = decode({out}, &error);
    ASSERT_EQ(packets.size(), 1u) << remaining << " " << error;
    EXPECT_EQ(packets[0].body.size(), remaining);
  }
  // The largest four bytes allow, as the decoder reads it (no body needed
  // to check the header: it just waits for more).
  Decoder d;
  std::string max = bytes({0x30, 0xFF, 0xFF, 0xFF, 0x7F});
  std::string_view in = max;
  Packet p;
  EXPECT_EQ(d.next(in, p), Decoder::Result::need_more);
  EXPECT_TRUE(in.empty());
}

// What a broker might send, several packets back to back.
std::string broker_stream() {
  std::string s = bytes({0x20, 2, 1, 0});  // CONNACK, session present
  encode_publish(s, "dev/1", {}, "hello", 0, false, false, 0);
  encode_publish(s, "dev/2", "\xF0LHTS01", std::string(300, 'p'), 1, true, false, 9);  // 2-byte length
  encode_publish(s, "q2", {}, "two", 2, false, true, 10);
  encode_ack(s, kPuback, 1);
  encode_ack(s, kPubrec, 2);
  encode_ack(s, kPubrel, 10);
  encode_ack(s, kPubcomp, 2);
  s += bytes({0x90, 3, 0, 3, 0x01});  // SUBACK granted QoS 1
  s += bytes({0xB0, 2, 0, 4});        // UNSUBACK
  s += bytes({0xD0, 0});              // PINGRESP
  return s;
}

TEST(Decoder, EverySplitPointGivesTheSamePackets) {
  const std::string stream = broker_stream();
  const auto whole = decode({stream});
  ASSERT_EQ(whole.size(), 11u);
  EXPECT_EQ(whole[0], (Framed{kConnack, 0, bytes({1, 0})}));
  EXPECT_EQ(whole[2].type, kPublish);
  EXPECT_EQ(whole[2].flags, 0x03);
  EXPECT_EQ(whole[10], (Framed{kPingresp, 0, ""}));
  for (size_t i = 0; i <= stream.size(); ++i)
    ASSERT_EQ(decode({stream.substr(0, i), stream.substr(i)}), whole) << "split at " << i;
  // Two splits, every pair in the first 40 bytes (headers and bodies cut
  // in every place), then one byte at a time.
  for (size_t i = 0; i < 40; ++i)
    for (size_t j = i; j < 40; ++j)
      ASSERT_EQ(decode({stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)}), whole) << i << "," << j;
  std::vector<std::string> single;
  for (char c : stream) single.push_back(std::string(1, c));
  EXPECT_EQ(decode(single), whole);
}

TEST(Decoder, RemainingLengthOverFourBytesIsAnErrorAtEverySplit) {
  const std::string bad = bytes({0xD0, 0x80, 0x80, 0x80, 0x80, 0x01});
  for (size_t i = 0; i <= bad.size(); ++i) {
    std::string error;
    auto packets = decode({bad.substr(0, i), bad.substr(i)}, &error);
    EXPECT_TRUE(packets.empty());
    EXPECT_EQ(error, "malformed packet from the broker: remaining length longer than 4 bytes") << i;
  }
  Decoder d;  // stays failed
  std::string_view in = bad;
  Packet p;
  EXPECT_EQ(d.next(in, p), Decoder::Result::error);
  const std::string pingresp = bytes({0xD0, 0});
  std::string_view good = pingresp;
  EXPECT_EQ(d.next(good, p), Decoder::Result::error);
  d.reset();
  good = pingresp;
  EXPECT_EQ(d.next(good, p), Decoder::Result::packet);
}

Packet packet(uint8_t type, uint8_t flags, std::string_view body) { return Packet{type, flags, body}; }

TEST(Parse, Connack) {
  Connack c;
  EXPECT_EQ(parse_connack(packet(kConnack, 0, bytes({0, 0})), c), "");
  EXPECT_EQ(c.return_code, 0);
  EXPECT_FALSE(c.session_present);
  std::string body = bytes({1, 5});
  EXPECT_EQ(parse_connack(packet(kConnack, 0, body), c), "");
  EXPECT_TRUE(c.session_present);
  EXPECT_EQ(c.return_code, 5);
  EXPECT_EQ(connack_refusal_text(4), "refused: bad user name or password");
  EXPECT_EQ(connack_refusal_text(5), "refused: not authorized");
  EXPECT_EQ(connack_refusal_text(77), "refused: CONNACK return code 77");
  EXPECT_EQ(parse_connack(packet(kConnack, 0, bytes({0, 0, 0})), c), "CONNACK: length is not 2");
  EXPECT_EQ(parse_connack(packet(kConnack, 1, bytes({0, 0})), c), "CONNACK: reserved flags set");
  EXPECT_EQ(parse_connack(packet(kConnack, 0, bytes({2, 0})), c), "CONNACK: reserved acknowledge flags set");
}

TEST(Parse, Publish) {
  std::string s;
  encode_publish(s, "a/b", {}, "pay", 1, true, true, 42);
  std::string_view in = s;
  Decoder d;
  Packet p;
  ASSERT_EQ(d.next(in, p), Decoder::Result::packet);
  Publish m;
  ASSERT_EQ(parse_publish(p, m), "");
  EXPECT_EQ(m.topic, "a/b");
  EXPECT_EQ(m.payload, "pay");
  EXPECT_EQ(m.qos, 1);
  EXPECT_TRUE(m.retain);
  EXPECT_TRUE(m.dup);
  EXPECT_EQ(m.packet_id, 42);
  EXPECT_EQ(parse_publish(packet(kPublish, 0x06, bytes({0, 1, 't'})), m), "PUBLISH: QoS 3");
  EXPECT_EQ(parse_publish(packet(kPublish, 0, bytes({0})), m), "PUBLISH: too short for a topic");
  EXPECT_EQ(parse_publish(packet(kPublish, 0, bytes({0, 9, 't'})), m), "PUBLISH: topic or packet id past the end");
  EXPECT_EQ(parse_publish(packet(kPublish, 0x02, bytes({0, 1, 't', 0})), m),
            "PUBLISH: topic or packet id past the end");
  EXPECT_EQ(parse_publish(packet(kPublish, 0x02, bytes({0, 1, 't', 0, 0})), m), "PUBLISH: packet id 0");
  EXPECT_EQ(parse_publish(packet(kPublish, 0, bytes({0, 1, '#'})), m), "PUBLISH: wildcard in the topic");
  EXPECT_EQ(parse_publish(packet(kPublish, 0, bytes({0, 0})), m), "") << "empty topic and payload frame fine";
}

TEST(Parse, AcksSubackPingresp) {
  uint16_t id = 0;
  EXPECT_EQ(parse_ack(packet(kPuback, 0, bytes({1, 2})), id), "");
  EXPECT_EQ(id, 258);
  EXPECT_EQ(parse_ack(packet(kPubrel, 2, bytes({0, 3})), id), "");
  EXPECT_EQ(parse_ack(packet(kPubrel, 0, bytes({0, 3})), id), "PUBREL: reserved flags wrong");
  EXPECT_EQ(parse_ack(packet(kPubcomp, 0, bytes({0, 3, 4})), id), "PUBCOMP: length is not 2");
  EXPECT_EQ(parse_ack(packet(kUnsuback, 0, bytes({0, 0})), id), "UNSUBACK: packet id 0");
  std::vector<uint8_t> codes;
  EXPECT_EQ(parse_suback(packet(kSuback, 0, bytes({0, 7, 0, 2, 0x80})), id, codes), "");
  EXPECT_EQ(id, 7);
  EXPECT_EQ(codes, (std::vector<uint8_t>{0, 2, 0x80}));
  EXPECT_EQ(parse_suback(packet(kSuback, 0, bytes({0, 7})), id, codes), "SUBACK: no return code");
  EXPECT_EQ(parse_suback(packet(kSuback, 0, bytes({0, 7, 3})), id, codes),
            "SUBACK: return code neither a QoS nor 0x80");
  EXPECT_EQ(parse_pingresp(packet(kPingresp, 0, "")), "");
  EXPECT_EQ(parse_pingresp(packet(kPingresp, 0, "x")), "PINGRESP: not empty");
  EXPECT_EQ(type_name(kSubscribe), "SUBSCRIBE");
  EXPECT_EQ(type_name(0), "type 0");
}

}  // namespace
}  // namespace loadhost::mqtt_plugin::codec
