// Locust's message encoding: round trips, and garbage that must be refused
// with a reason, never a crash.
#include "core/distributed/message.hpp"

#include <gtest/gtest.h>

#include <random>

namespace {

using namespace loadhost::distributed;

TEST(Message, RoundTripsTypeDataAndNodeId) {
  std::string bytes = encode_message("stats", "host_abc", [](Packer &p) {
    p.pack_map(2);
    pack_str(p, "user_count");
    p.pack(7);
    pack_str(p, "num_reqs_per_sec");
    p.pack_map(1);
    p.pack(int64_t(1700000000));  // an integer key, as Locust's dicts have
    p.pack(42);
  });
  std::string error;
  auto msg = decode_message(bytes, &error);
  ASSERT_TRUE(msg) << error;
  EXPECT_EQ(msg->type, "stats");
  EXPECT_EQ(msg->node_id, "host_abc");
  EXPECT_EQ(as_int(map_find(msg->data(), "user_count")), 7);
  const msgpack::object *per_sec = map_find(msg->data(), "num_reqs_per_sec");
  ASSERT_NE(per_sec, nullptr);
  ASSERT_EQ(per_sec->type, msgpack::type::MAP);
  EXPECT_EQ(as_int(&per_sec->via.map.ptr[0].key), 1700000000);
  EXPECT_EQ(as_int(&per_sec->via.map.ptr[0].val), 42);
}

TEST(Message, NoDataIsNil) {
  auto msg = decode_message(encode_message("stop", "w"), nullptr);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->data().type, msgpack::type::NIL);
}

TEST(Message, ReadersAcceptLocustsNumberForms) {
  auto msg = decode_message(encode_message("x", "w", [](Packer &p) {
    p.pack_map(4);
    pack_str(p, "float_int");
    p.pack(150.0);
    pack_str(p, "float");
    p.pack(1.5);
    pack_str(p, "negative");
    p.pack(-3);
    pack_str(p, "text");
    pack_str(p, "ready");
  }), nullptr);
  ASSERT_TRUE(msg);
  EXPECT_EQ(as_int(map_find(msg->data(), "float_int")), 150);
  EXPECT_EQ(as_int(map_find(msg->data(), "float")), std::nullopt);
  EXPECT_EQ(as_number(map_find(msg->data(), "float")), 1.5);
  EXPECT_EQ(as_int(map_find(msg->data(), "negative")), -3);
  EXPECT_EQ(as_string(map_find(msg->data(), "text")), "ready");
  EXPECT_EQ(as_string(map_find(msg->data(), "float")), std::nullopt);
  EXPECT_EQ(map_find(msg->data(), "missing"), nullptr);
}

TEST(Message, GarbageTruncatedAndWrongShapesAreRefusedWithAReason) {
  std::string good = encode_message("heartbeat", "w1", [](Packer &p) { p.pack_map(0); });
  std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {good.substr(0, good.size() - 2), "truncated"},
      {good + "x", "bytes after"},
      {std::string("\xc1\xc1\xc1", 3), "not msgpack"},
      {std::string("\xa1" "a", 2), "triple"},  // a bare str is no triple
  };
  msgpack::sbuffer four;
  Packer p4(four);
  p4.pack_array(4);
  for (int i = 0; i < 4; ++i) pack_str(p4, "x");
  cases.push_back({std::string(four.data(), four.size()), "triple"});
  msgpack::sbuffer int_type;
  Packer pi(int_type);
  pi.pack_array(3);
  pi.pack(1);
  pi.pack_nil();
  pack_str(pi, "w");
  cases.push_back({std::string(int_type.data(), int_type.size()), "type is not a string"});
  // A header claiming 4 billion elements in 5 bytes: refused, no allocation.
  cases.push_back({std::string("\xdd\xff\xff\xff\xff", 5), ""});
  for (auto &[bytes, why] : cases) {
    std::string error;
    EXPECT_FALSE(decode_message(bytes, &error)) << why;
    EXPECT_FALSE(error.empty()) << why;
    if (!why.empty()) EXPECT_NE(error.find(why), std::string::npos) << error;
  }
}

TEST(Message, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  std::string good = encode_message("stats", "w1", [](Packer &p) {
    p.pack_map(1);
    pack_str(p, "k");
    p.pack_array(3);
    p.pack(1);
    p.pack(2.5);
    pack_str(p, "z");
  });
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = good;
    for (int flips = 1 + int(rng() % 4); flips > 0; --flips) bytes[rng() % bytes.size()] = char(rng());
    if (rng() % 3 == 0) bytes.resize(rng() % bytes.size());
    std::string error;
    if (decode_message(bytes, &error)) ++decoded;
    else EXPECT_FALSE(error.empty());
  }
  EXPECT_GT(decoded, 0);  // some mutations stay valid: the decoder is not refusing everything
}

}  // namespace
