#include "mqtt/stamp.hpp"

#include <gtest/gtest.h>

namespace loadhost::mqtt_plugin {
namespace {

TEST(Stamp, RoundTripsTheSendTimeAndTheBody) {
  std::string payload = stamp_payload(0x0102030405060708ull, "hello");
  ASSERT_EQ(payload.size(), kStampSize + 5);
  auto stamp = read_stamp(payload);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->sent_ns, 0x0102030405060708ull);
  EXPECT_EQ(stamp->body, "hello");
}

TEST(Stamp, TimeIsBigEndianAfterTheMarker) {
  std::string payload = stamp_payload(1, "");
  EXPECT_EQ(payload.substr(0, 8), kStampMarker);
  EXPECT_EQ(payload.substr(8), std::string("\0\0\0\0\0\0\0\x01", 8));
}

TEST(Stamp, ExtremesAndBinaryBodiesSurvive) {
  std::string body("\0\xff\xF0LHTS01", 9);
  for (uint64_t t : {uint64_t(0), ~uint64_t(0), uint64_t(1) << 63}) {
    auto stamp = read_stamp(stamp_payload(t, body));
    ASSERT_TRUE(stamp);
    EXPECT_EQ(stamp->sent_ns, t);
    EXPECT_EQ(stamp->body, body);
  }
}

TEST(Stamp, PayloadsWithoutTheMarkerHaveNoStamp) {
  EXPECT_FALSE(read_stamp(""));
  EXPECT_FALSE(read_stamp("plain text message, longer than sixteen bytes"));
  std::string truncated = stamp_payload(42, "").substr(0, kStampSize - 1);
  EXPECT_FALSE(read_stamp(truncated));
  std::string other_marker = stamp_payload(42, "x");
  other_marker[1] = 'X';
  EXPECT_FALSE(read_stamp(other_marker));
}

}  // namespace
}  // namespace loadhost::mqtt_plugin
