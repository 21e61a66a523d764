#include "core/runner/cpu_monitor.hpp"

namespace loadhost::core {

CpuMonitor::CpuMonitor(double threshold_percent, double window_s)
    : threshold_(threshold_percent), window_ns_(uint64_t(window_s * 1e9)) {}

std::optional<CpuMonitor::Busy> CpuMonitor::sample(const std::vector<uint64_t> &cpu_ns, uint64_t wall_ns) {
  if (!started_ || cpu_ns.size() != window_start_cpu_.size()) {
    started_ = true;
    window_start_ns_ = wall_ns;
    window_start_cpu_ = cpu_ns;
    return std::nullopt;
  }
  uint64_t wall = wall_ns - window_start_ns_;
  if (wall < window_ns_ || wall == 0) return std::nullopt;
  std::optional<Busy> busiest;
  for (size_t i = 0; i < cpu_ns.size(); ++i) {
    if (cpu_ns[i] == 0 || cpu_ns[i] < window_start_cpu_[i]) continue;  // unknown, or a restarted thread
    double percent = 100.0 * double(cpu_ns[i] - window_start_cpu_[i]) / double(wall);
    if (!busiest || percent > busiest->percent) busiest = Busy{uint32_t(i), percent};
  }
  window_start_ns_ = wall_ns;
  window_start_cpu_ = cpu_ns;
  if (!busiest || busiest->percent < threshold_) return std::nullopt;
  if (busiest->percent > 100) busiest->percent = 100;  // clock granularity
  warned_ = true;
  return busiest;
}

}  // namespace loadhost::core
