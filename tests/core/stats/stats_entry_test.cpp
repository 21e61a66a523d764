// StatsEntry: counters, averages, Locust's rate windows, exact merging.
#include "core/stats/stats_entry.hpp"

#include <gtest/gtest.h>

namespace loadhost::stats {
namespace {

TEST(StatsEntry, RecordsCountsTimesAndBytes) {
  StatsEntry e("GET", "/item");
  e.record(1'000, 100, false, 1000.2);
  e.record(3'000, 300, true, 1000.5);
  e.record(2'000, 200, false, 1001.0);

  EXPECT_EQ(e.type(), "GET");
  EXPECT_EQ(e.name(), "/item");
  EXPECT_EQ(e.num_requests(), 3u);
  EXPECT_EQ(e.num_failures(), 1u);
  EXPECT_EQ(e.total_response_time_us(), 6'000u);
  EXPECT_EQ(e.min_response_time_us(), 1'000u);
  EXPECT_EQ(e.max_response_time_us(), 3'000u);
  EXPECT_EQ(e.total_content_length(), 600u);
  EXPECT_DOUBLE_EQ(e.average_response_time(), 2'000.0);
  EXPECT_DOUBLE_EQ(e.average_content_size(), 200.0);
  EXPECT_DOUBLE_EQ(e.fail_ratio(), 1.0 / 3.0);
  EXPECT_NEAR(e.median_response_time(), 2'000.0, 2'000.0 / 256);  // a bucket midpoint
  EXPECT_DOUBLE_EQ(e.percentile(1.0), 3'000.0);
  EXPECT_DOUBLE_EQ(e.first_request_time(), 1000.2);
  EXPECT_DOUBLE_EQ(e.last_request_time(), 1001.0);
  EXPECT_NEAR(e.total_rps(), 3.0 / 0.8, 1e-9);
  EXPECT_DOUBLE_EQ(e.total_rps(999.0, 1001.0), 1.5);
  EXPECT_DOUBLE_EQ(e.total_fail_per_sec(999.0, 1001.0), 0.5);
}

TEST(StatsEntry, EmptyEntryReportsZeros) {
  StatsEntry e("GET", "/");
  EXPECT_EQ(e.num_requests(), 0u);
  EXPECT_EQ(e.average_response_time(), 0.0);
  EXPECT_EQ(e.average_content_size(), 0.0);
  EXPECT_EQ(e.fail_ratio(), 0.0);
  EXPECT_EQ(e.total_rps(), 0.0);
  EXPECT_EQ(e.current_rps(1000.0), 0.0);
  EXPECT_EQ(e.percentile(0.5), 0.0);
}

// Second s gets (s - 100) requests, half of them failed, for s in 100..119.
StatsEntry ramp() {
  StatsEntry e("GET", "/");
  for (int s = 100; s < 120; ++s) {
    for (int i = 0; i < s - 100; ++i) e.record(1'000, 0, i % 2 == 0, s + 0.5);
  }
  return e;
}

TEST(StatsEntry, CurrentRpsIsLocustsTenSecondWindow) {
  const StatsEntry e = ramp();
  // now = 119.9: Locust averages seconds 107..116 (skips 117, 118, 119).
  EXPECT_DOUBLE_EQ(e.current_rps(119.9), (7 + 16) / 2.0);
  // failures: ceil(n/2) per second
  double fails = 0;
  for (int n = 7; n <= 16; ++n) fails += (n + 1) / 2;
  EXPECT_DOUBLE_EQ(e.current_fail_per_sec(119.9), fails / 10.0);
  // A start time inside the window shortens it: seconds 110..116.
  EXPECT_DOUBLE_EQ(e.current_rps(119.9, 110.3), (10 + 16) / 2.0);
  // Too young a run: no whole second in the window yet.
  EXPECT_EQ(e.current_rps(119.9, 117.0), 0.0);
}

TEST(StatsEntry, RateRingForgetsSecondsOlderThanTwenty) {
  StatsEntry e("GET", "/");
  e.record(1'000, 0, false, 100.0);  // slot 100 % 20 == 0
  // 160 % 20 == 0 too: a naive ring would count second 100 as 160.
  EXPECT_EQ(e.current_rps(172.0), 0.0);
  e.record(1'000, 0, false, 160.0);
  EXPECT_DOUBLE_EQ(e.current_rps(172.0), 0.1);
  // A late sample for a second that left the ring does not clobber it.
  e.record(1'000, 0, false, 140.0);
  EXPECT_DOUBLE_EQ(e.current_rps(172.0), 0.1);
  EXPECT_EQ(e.num_requests(), 3u);  // but it still counts as a request
}

TEST(StatsEntry, MergeEqualsOneEntryThatSawEverything) {
  StatsEntry all("GET", "/");
  StatsEntry a("GET", "/");
  StatsEntry b("GET", "/");
  for (int s = 100; s < 140; ++s) {
    for (int i = 0; i < 3 + s % 5; ++i) {
      const auto us = static_cast<std::uint64_t>(500 + 37 * s + 1000 * i);
      const bool failed = (s + i) % 7 == 0;
      all.record(us, 10, failed, s + 0.25);
      // b stops early: its old seconds must not leak into the merged window
      ((i % 2 == 0 || s > 120) ? a : b).record(us, 10, failed, s + 0.25);
    }
  }
  StatsEntry merged("GET", "/");
  merged.merge(b);
  merged.merge(a);
  EXPECT_EQ(merged.num_requests(), all.num_requests());
  EXPECT_EQ(merged.num_failures(), all.num_failures());
  EXPECT_EQ(merged.total_content_length(), all.total_content_length());
  EXPECT_EQ(merged.total_response_time_us(), all.total_response_time_us());
  EXPECT_EQ(merged.min_response_time_us(), all.min_response_time_us());
  EXPECT_EQ(merged.max_response_time_us(), all.max_response_time_us());
  EXPECT_EQ(merged.first_request_time(), all.first_request_time());
  EXPECT_EQ(merged.last_request_time(), all.last_request_time());
  EXPECT_EQ(merged.percentile(0.95), all.percentile(0.95));
  for (double now = 125.0; now < 141.0; now += 1.0) {
    EXPECT_EQ(merged.current_rps(now), all.current_rps(now)) << now;
    EXPECT_EQ(merged.current_fail_per_sec(now), all.current_fail_per_sec(now)) << now;
  }
}

TEST(StatsEntry, ResetClearsSamplesKeepsIdentity) {
  StatsEntry e = ramp();
  e.reset();
  EXPECT_EQ(e.name(), "/");
  EXPECT_EQ(e.num_requests(), 0u);
  EXPECT_EQ(e.num_failures(), 0u);
  EXPECT_EQ(e.first_request_time(), 0.0);
  EXPECT_EQ(e.current_rps(119.9), 0.0);
  e.record(7, 1, false, 200.0);
  EXPECT_EQ(e.min_response_time_us(), 7u);
  EXPECT_EQ(e.first_request_time(), 200.0);
}

TEST(StatsEntry, RebuiltFromItsWireFormMergesAsTheEntry) {
  // What a worker's report carries: histogram, counts, per-second counts.
  StatsEntry worker("GET", "/x");
  for (int i = 0; i < 300; ++i) worker.record(1'000 + i * 37, 10, i % 7 == 0, 1'000.0 + i * 0.1);
  StatsEntry::Counts counts{worker.num_failures(), worker.total_content_length(), worker.first_request_time(),
                            worker.last_request_time()};
  StatsEntry via_merge("GET", "/x"), via_wire("GET", "/x");
  via_merge.record(5, 1, false, 1'010.0);
  via_wire.record(5, 1, false, 1'010.0);
  via_merge.merge(worker);
  via_wire.merge_counts(worker.histogram(), counts);
  int seconds = 0;
  worker.for_each_second([&](std::int64_t second, std::uint64_t requests, std::uint64_t failures) {
    via_wire.merge_second(second, requests, failures);
    ++seconds;
  });
  EXPECT_EQ(seconds, 20);  // 30 seconds recorded, the ring keeps 20
  EXPECT_EQ(via_wire.num_requests(), via_merge.num_requests());
  EXPECT_EQ(via_wire.num_failures(), via_merge.num_failures());
  EXPECT_EQ(via_wire.total_content_length(), via_merge.total_content_length());
  EXPECT_EQ(via_wire.first_request_time(), via_merge.first_request_time());
  EXPECT_EQ(via_wire.last_request_time(), via_merge.last_request_time());
  EXPECT_EQ(via_wire.percentile(0.95), via_merge.percentile(0.95));
  for (double now : {1'015.0, 1'025.0, 1'031.0})
    EXPECT_EQ(via_wire.current_rps(now), via_merge.current_rps(now)) << now;
  EXPECT_EQ(via_wire.current_fail_per_sec(1'031.0), via_merge.current_fail_per_sec(1'031.0));
}

}  // namespace
}  // namespace loadhost::stats
