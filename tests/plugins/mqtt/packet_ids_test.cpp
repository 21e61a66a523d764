#include "mqtt/packet_ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace loadhost::mqtt_plugin {
namespace {

lh_call *call(uintptr_t n) { return reinterpret_cast<lh_call *>(n); }

TEST(PacketIds, IdsAreUniqueNonZeroAndSkipThoseInFlight) {
  PacketIds ids;
  auto a = ids.add(PacketIds::Kind::publish1, call(1), 10);
  auto b = ids.add(PacketIds::Kind::subscribe, call(2), 20);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, 1);
  EXPECT_EQ(*b, 2);
  ASSERT_NE(ids.find(*b), nullptr);
  EXPECT_EQ(ids.find(*b)->call, call(2));
  EXPECT_EQ(ids.find(*b)->bytes_sent, 20u);
  ids.remove(*b);
  EXPECT_EQ(ids.find(*b), nullptr);
  // Wrap around: 1 is still in flight, so after 65535 comes 2.
  for (int i = 3; i <= 65535; ++i) {
    auto id = ids.add(PacketIds::Kind::publish1, nullptr, 0);
    ASSERT_TRUE(id);
    ids.remove(*id);
  }
  EXPECT_EQ(*ids.add(PacketIds::Kind::publish1, nullptr, 0), 2);
}

TEST(PacketIds, FullTableRefusesAndCancelledCallsKeepTheirId) {
  PacketIds ids;
  std::set<uint16_t> seen;
  for (int i = 0; i < 65535; ++i) {
    auto id = ids.add(PacketIds::Kind::publish2, call(7), 0);
    ASSERT_TRUE(id);
    EXPECT_NE(*id, 0);
    seen.insert(*id);
  }
  EXPECT_EQ(seen.size(), 65535u);
  EXPECT_FALSE(ids.add(PacketIds::Kind::publish1, call(8), 0));
  ids.forget(call(7));
  EXPECT_EQ(ids.size(), 65535u) << "forgotten, not freed: the broker may still answer";
  EXPECT_EQ(ids.find(1)->call, nullptr);
  size_t drained = 0;
  ids.drain([&](const PacketIds::Entry &e) { drained += e.call == nullptr; });
  EXPECT_EQ(drained, 65535u);
  EXPECT_EQ(ids.size(), 0u);
}

}  // namespace
}  // namespace loadhost::mqtt_plugin
