// Locust's CPU warning for loop threads, on made-up clocks: a window whose
// busiest loop reaches the threshold is reported, one below it is not, and
// a loop whose CPU time is unknown is left out.
#include <gtest/gtest.h>

#include "core/runner/cpu_monitor.hpp"

namespace loadhost::core {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

TEST(CpuMonitor, ReportsTheBusiestLoopOfAWindowAtOrAboveTheThreshold) {
  CpuMonitor monitor(90, 5);
  EXPECT_FALSE(monitor.sample({0 + 1, 0 + 1}, 0));  // the window starts
  // Within the window: nothing yet, whatever the figures.
  EXPECT_FALSE(monitor.sample({3 * kSecond, 1 * kSecond}, 3 * kSecond));
  // Five seconds: loop 1 used 4.75 s of CPU (95 %), loop 0 3 s (60 %).
  auto busy = monitor.sample({3 * kSecond + 1, 4'750'000'000 + 1}, 5 * kSecond);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->loop, 1u);
  EXPECT_NEAR(busy->percent, 95.0, 0.01);
  EXPECT_TRUE(monitor.warned());
}

TEST(CpuMonitor, QuietWindowsAndUnknownClocksAreNotReported) {
  CpuMonitor monitor(90, 1);
  monitor.sample({1, 1}, 0);
  EXPECT_FALSE(monitor.sample({kSecond / 2, 0}, kSecond)) << "50 %, and loop 1's clock unknown";
  EXPECT_FALSE(monitor.warned());
  auto busy = monitor.sample({kSecond / 2 + kSecond, 0}, 2 * kSecond);
  ASSERT_TRUE(busy) << "each window stands alone: 100 % over the second";
  EXPECT_EQ(busy->loop, 0u);
  EXPECT_DOUBLE_EQ(busy->percent, 100.0);
}

}  // namespace
}  // namespace loadhost::core
