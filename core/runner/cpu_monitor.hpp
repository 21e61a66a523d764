// CpuMonitor: Locust's "CPU usage above 90%" warning, for loop threads.
//
// Locust warns when its process passes 90 % of a core: past that, the
// load generator itself is the bottleneck and response times include its
// own queueing. loadhost runs one loop per core, so the figure that matters
// is the busiest loop thread's share of its core, over a window (Locust
// samples every 5 s). The runner feeds each loop's thread CPU time once a
// second; a window whose busiest loop is at or above the threshold is
// reported (the cpu_warning hook fires for each; the console warns once).
//
// Thread: the control thread only. Pure arithmetic, so it is tested with
// made-up clocks.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace loadhost::core {

class CpuMonitor {
 public:
  CpuMonitor(double threshold_percent, double window_s);

  struct Busy {
    uint32_t loop;   // index of the busiest loop
    double percent;  // its thread's CPU time over the window's wall time
  };
  // One sample: each loop thread's CPU time (ns; 0 = unknown) at `wall_ns`
  // (monotonic). Returns the busiest loop when a window just completed
  // with it at or above the threshold.
  std::optional<Busy> sample(const std::vector<uint64_t> &cpu_ns, uint64_t wall_ns);

  // Whether any window of this test was over the threshold.
  bool warned() const { return warned_; }
  double threshold_percent() const { return threshold_; }

 private:
  double threshold_;
  uint64_t window_ns_;
  bool started_ = false;
  uint64_t window_start_ns_ = 0;
  std::vector<uint64_t> window_start_cpu_;
  bool warned_ = false;
};

}  // namespace loadhost::core
