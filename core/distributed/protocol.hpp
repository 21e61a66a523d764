// The constants of Locust's master/worker protocol (Locust 2.12's
// runners.py), in one place for the master, the worker and the tests.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace loadhost::distributed {

// Locust's defaults: a master listens on 5557; heartbeats every second, a
// worker missing 3 of them is "missing"; a worker reports stats every 3 s.
inline constexpr uint16_t kDefaultMasterPort = 5557;
inline constexpr auto kHeartbeatInterval = std::chrono::seconds(1);
inline constexpr int kHeartbeatLiveness = 3;
inline constexpr auto kReportInterval = std::chrono::seconds(3);
// A worker re-sends client_ready this often until acked, this many times.
inline constexpr auto kConnectRetryInterval = std::chrono::seconds(5);
inline constexpr int kConnectRetries = 60;

// What a loadhost worker sends as its version in client_ready: a Locust
// master only logs it; a loadhost master reads the loadhost version from it.
inline constexpr std::string_view kVersionPrefix = "loadhost-";
inline std::string node_version() { return std::string(kVersionPrefix) + LOADHOST_VERSION; }

// Locust's worker states, as heartbeats carry them.
inline constexpr std::string_view kStateReady = "ready";
inline constexpr std::string_view kStateSpawning = "spawning";
inline constexpr std::string_view kStateRunning = "running";
inline constexpr std::string_view kStateStopped = "stopped";
inline constexpr std::string_view kStateMissing = "missing";

// loadhost's own key in a spawn message (Locust ignores it): the worker's
// share of the open model (docs/workload-models.md) — {"node", "nodes",
// "plan": [[duration_s or -1, from_rate, to_rate]...], "pre_allocated_users",
// "max_users"}; nodes 0 = no share (a worker that joined after the start).
inline constexpr std::string_view kArrivalKey = "loadhost_arrival";

}  // namespace loadhost::distributed
