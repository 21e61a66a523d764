// The connect back-off schedule: nothing after one failure, 10 ms after the
// second in a row, doubling, never more than 1 s.
#include "core/engine/connect_backoff.hpp"

#include <gtest/gtest.h>

namespace loadhost::core {
namespace {

TEST(ConnectBackoff, DoublesFromTenMillisecondsUpToOneSecond) {
  EXPECT_EQ(connect_pause_ns(0), 0u);
  EXPECT_EQ(connect_pause_ns(1), 0u);
  EXPECT_EQ(connect_pause_ns(2), 10'000'000u);
  EXPECT_EQ(connect_pause_ns(3), 20'000'000u);
  EXPECT_EQ(connect_pause_ns(8), 640'000'000u);
  EXPECT_EQ(connect_pause_ns(9), 1'000'000'000u);
  EXPECT_EQ(connect_pause_ns(UINT32_MAX), 1'000'000'000u);
}

}  // namespace
}  // namespace loadhost::core
