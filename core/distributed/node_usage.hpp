// NodeUsage: what a worker's heartbeat says about its process, in Locust's
// keys: current_cpu_usage (percent) and current_memory_usage (bytes, RSS).
//
// Why CPU per loop thread: Locust's figure is one process on one core, and
// its master warns above 90 %. A loadhost worker runs one loop thread per
// core, so its process time is divided by its loop threads: 90 % still
// means "the cores it load-tests with are nearly full, results may be off".
//
// Thread: control thread (one sampler per worker).
#pragma once

#include <cstdint>

namespace loadhost::distributed {

class NodeUsage {
 public:
  explicit NodeUsage(uint32_t threads);
  // CPU percent per thread since the previous call (or construction).
  double cpu_percent();
  static uint64_t memory_bytes();

 private:
  uint32_t threads_;
  uint64_t last_cpu_ns_;
  uint64_t last_wall_ns_;
};

}  // namespace loadhost::distributed
