// The run's statistics in Prometheus' text exposition format (version
// 0.0.4), served at /metrics so a run shows in Grafana with no exporter.
//
//   loadhost_requests_total{type,name}            counter
//   loadhost_failures_total{type,name}            counter
//   loadhost_current_rps{type,name}               gauge, Locust's current rate
//   loadhost_current_fail_per_sec{type,name}      gauge
//   loadhost_response_time_seconds{type,name,quantile}   summary over the
//       whole run (or since the last reset), with _sum and _count
//   loadhost_content_bytes_total{type,name}       counter, bytes received
//   loadhost_users                                 gauge
//   loadhost_state{state}                          1 for the current state
//   loadhost_fail_ratio                            gauge, Aggregated
//
// The Aggregated row is the series with type="" and name="Aggregated", as in
// Locust's CSV. Label values are escaped as the format requires (\\, \", \n).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/stats/stats_table.hpp"

namespace loadhost::report {

struct RunGauges {
  std::uint64_t users = 0;
  std::string_view state;  // ready, spawning, running, stopping, stopped
};

std::string prometheus_text(const stats::StatsTable& table, const RunGauges& run);

// A label value escaped for the text format.
std::string prometheus_label_value(std::string_view value);

}  // namespace loadhost::report
