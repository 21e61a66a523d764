#include "core/distributed/node_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

#include "core/engine/clock.hpp"

namespace loadhost::distributed {

namespace {
uint64_t process_cpu_ns() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval &tv) { return uint64_t(tv.tv_sec) * 1'000'000'000 + uint64_t(tv.tv_usec) * 1000; };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}
}  // namespace

NodeUsage::NodeUsage(uint32_t threads)
    : threads_(threads ? threads : 1), last_cpu_ns_(process_cpu_ns()), last_wall_ns_(core::monotonic_ns()) {}

double NodeUsage::cpu_percent() {
  uint64_t cpu = process_cpu_ns(), wall = core::monotonic_ns();
  double spent = double(cpu - last_cpu_ns_), span = double(wall - last_wall_ns_) * threads_;
  last_cpu_ns_ = cpu;
  last_wall_ns_ = wall;
  return span > 0 ? 100.0 * spent / span : 0.0;
}

uint64_t NodeUsage::memory_bytes() {
  long pages = 0, resident = 0;
  if (FILE *f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return uint64_t(resident) * uint64_t(sysconf(_SC_PAGESIZE));
}

}  // namespace loadhost::distributed
