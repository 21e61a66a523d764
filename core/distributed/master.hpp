// Master: the process that runs a distributed test — it runs no users, it
// hands them to workers (loadhost's or Locust's, through Locust's protocol)
// and merges what they report.
//
//   Master     the ROUTER socket and the workers: who is connected, their
//              state, heartbeats (3 missed: "missing", their users go to the
//              others), CPU and memory; version checks; garbage refused.
//              Lives as long as the process, across tests.
//   MasterRun  one test (a core::TestRun, so the console, reports and web UI
//              drive it exactly as a local test): the ramp at the spawn rate,
//              the split of users over workers (WorkerSplit), rebalancing when
//              workers come and go, the run time, shapes, the stop that waits
//              for every worker's last report, and the merged stats.
//
// Thread: control thread (the io_context given), where the web UI also runs.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/distributed/message.hpp"
#include "core/distributed/worker_split.hpp"
#include "core/distributed/zmq_channel.hpp"
#include "core/engine/engine.hpp"
#include "core/runner/runner.hpp"

namespace loadhost::distributed {

struct MasterConfig {
  std::string bind_host = "127.0.0.1";
  uint16_t bind_port = 5557;
  std::string curve_secret;  // non-empty: CURVE, only workers with the key join
};

struct WorkerNode {
  std::string id;
  int index = 0;                 // 0-based, in order of first arrival; never reused
  std::string state = "ready";   // Locust's: ready, spawning, running, stopped, missing
  int heartbeat = 0;             // beats left before "missing"
  std::string version;           // what client_ready said
  bool loadhost = false;         // a loadhost worker (exact histograms)
  double cpu_usage = 0;
  uint64_t memory_usage = 0;
  std::vector<uint32_t> class_counts;  // as last reported, per scenario class
  uint64_t user_count = 0;
  int missing_seconds = 0;
};

class MasterRun;

class Master {
 public:
  Master(core::Engine &engine, const lh_scenario &scenario, MasterConfig config,
         boost::asio::io_context &control);
  ~Master();

  // Binds the socket. "" or why not.
  std::string listen();
  uint16_t port() const;

  // A test on this master's workers (for the host's TestDriver).
  std::unique_ptr<core::TestRun> make_run(const core::RunOptions &options);

  // Workers that can take users (not missing), in order of arrival.
  std::vector<const WorkerNode *> active_workers() const;
  size_t ready_count() const { return active_workers().size(); }
  // Locust's /stats/requests "workers" rows.
  nlohmann::json workers_json() const;

  // Sends `quit` to every worker (the master is exiting).
  void quit_workers();

  // [control-thread] After a worker joined, left or changed state.
  std::function<void()> on_workers_changed;

 private:
  friend class MasterRun;
  void receive(std::string_view peer, std::string_view payload, size_t frames);
  void handle(const std::string &id, const Message &msg);
  void client_ready(const std::string &id, const Message &msg);
  void refuse(const std::string &id, const std::string &why);
  void remove_worker(const std::string &id, const std::string &why);
  void heartbeat_check();
  void arm_heartbeat_check();
  void read_class_counts(WorkerNode &w, const msgpack::object &data);
  WorkerNode *find(const std::string &id);
  void send(const std::string &id, std::string_view type, const std::function<void(Packer &)> &pack = {});
  void workers_changed();

  core::Engine &engine_;
  const lh_scenario &scenario_;
  MasterConfig config_;
  boost::asio::io_context &control_;
  ZmqChannel channel_;
  std::vector<std::unique_ptr<WorkerNode>> workers_;
  std::map<std::string, int> indexes_;  // id -> index, kept after a worker leaves
  std::set<std::string> refused_;       // ids told to go away, not logged twice
  std::set<std::string> warned_;        // one-time warnings, by key
  bool quit_sent_ = false;              // quit_workers() has run
  boost::asio::steady_timer heartbeat_timer_{control_};
  MasterRun *run_ = nullptr;            // the test in progress, if any
  stats::StatsTable orphan_stats_;      // reports that arrive with no test
};

}  // namespace loadhost::distributed
