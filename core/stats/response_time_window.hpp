// ResponseTimeWindow: "current" response-time percentiles, i.e. those of
// the last ~10 seconds, computed as Locust does: keep a copy of the
// cumulative histogram for each of the last 20 seconds, and subtract the one
// from ~10 s ago from the cumulative histogram now.
//
// Why snapshots and not a per-second histogram ring in every StatsEntry:
// only the reporter needs current percentiles, once a second, on the merged
// table; the per-request hot path stays one bucket increment.
//
// Thread safety: none; owned by the single reporter (history writer).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/stats/histogram.hpp"

namespace loadhost::stats {

class ResponseTimeWindow {
 public:
  // Locust's CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW.
  static constexpr int kWindowSeconds = 10;
  // Locust keeps window + 10 snapshots, so a run with gaps of up to 8 s in
  // its snapshots still finds one near the window start.
  static constexpr int kSnapshotSeconds = kWindowSeconds + 10;

  // Stores the cumulative histogram as the snapshot for second floor(now).
  // Call about once a second; a second call in the same second overwrites.
  // Does not allocate once every slot has been filled once.
  void observe(const LatencyHistogram& cumulative, double unix_now);

  // Samples recorded since the snapshot closest to now - 10 s (Locust's
  // preference order: t-10, t-11, t-9, t-12, t-8, ... t-18, t-2), or nullopt
  // when no snapshot in that range exists yet.
  std::optional<LatencyHistogram> window(const LatencyHistogram& cumulative,
                                         double unix_now) const;

 private:
  struct Snapshot {
    std::int64_t second_ = -1;  // unix second this copy belongs to; -1 = unused
    LatencyHistogram histogram_;
  };
  const Snapshot* find(std::int64_t second) const;

  std::array<Snapshot, kSnapshotSeconds> ring_;  // slot = second % size
};

}  // namespace loadhost::stats
