// Worker: a loadhost process that runs users for a master — a loadhost
// master or Locust's own (`locust --master`), through Locust's protocol.
//
// Life: connect and send client_ready until acked; then, for each test the
// master starts, run exactly the users per class each `spawn` assigns
// (the master ramps; a worker spawns its share at once), report the stats
// since the previous report every 3 s, heartbeat every second; on `stop`,
// stop the users (graceful, with the spawn's stop_timeout), send the last
// report, then client_stopped and client_ready; on `quit`, the same and
// exit. Losing the master (the link down for 3 s) stops the users and ends
// the worker with a non-zero exit.
//
// Why the final report goes before client_stopped: ZeroMQ keeps a
// connection's order, so the master has every request of a worker before it
// counts that worker stopped — no request is lost at the end of a test.
//
// Thread: control thread (the io_context given).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/distributed/message.hpp"
#include "core/distributed/node_usage.hpp"
#include "core/distributed/zmq_channel.hpp"
#include "core/engine/engine.hpp"
#include "core/runner/runner.hpp"

namespace loadhost::distributed {

struct WorkerConfig {
  std::string master_host = "127.0.0.1";
  uint16_t master_port = 5557;
  std::string curve_server_public;  // non-empty: CURVE with this master key
  std::string node_id;              // empty: <hostname>_<random hex>, as Locust
};

class Worker {
 public:
  Worker(core::Engine &engine, const lh_scenario &scenario, WorkerConfig config,
         core::RunOptions defaults, boost::asio::io_context &control);
  ~Worker();

  // Connects and announces itself. "" or why not.
  std::string start();
  // Stops the users, sends the last report and quits the master, then
  // on_exit(0, reason). For SIGINT/SIGTERM.
  void shutdown(std::string reason);

  const std::string &node_id() const { return config_.node_id; }
  // The current or last test's merged stats (the worker's own share).
  const stats::StatsTable *stats() const { return runner_ ? &runner_->stats() : nullptr; }

  // [control-thread] The worker is done: its exit code and why.
  std::function<void(int exit_code, const std::string &reason)> on_exit;

 private:
  std::string open_channel();
  void receive(std::string_view payload);
  void on_spawn(const msgpack::object &data);
  core::ArrivalOptions read_arrival(const msgpack::object &arrival);
  void on_stop_message();
  void on_quit(const msgpack::object &data);
  void send(std::string_view type, const std::function<void(Packer &)> &pack = {});
  void send_ready();
  void send_report();
  // Locust's exception message, with loadhost's count of occurrences (a
  // Locust master ignores the key and counts one).
  void send_exception(std::string_view message, std::string_view traceback, uint64_t count);
  void send_heartbeat();
  void runner_state(core::RunnerState state);
  void stop_runner(std::string reason, std::function<void()> then);
  void end(int exit_code, std::string reason);
  void link_changed(bool up);
  void arm_heartbeat();
  void arm_report();
  void arm_connect_retry();
  std::string endpoint() const;
  void pack_user_classes(Packer &p);
  uint64_t user_count() const;
  const char *state_name() const;

  core::Engine &engine_;
  const lh_scenario &scenario_;
  WorkerConfig config_;
  core::RunOptions defaults_;
  boost::asio::io_context &control_;
  std::unique_ptr<ZmqChannel> channel_;
  std::unique_ptr<core::Runner> runner_;
  std::unique_ptr<core::Runner> retired_;  // a stopped runner, freed on the next test
  stats::StatsTable pending_;  // recorded since the last report
  NodeUsage usage_;
  boost::asio::steady_timer heartbeat_timer_{control_};
  boost::asio::steady_timer report_timer_{control_};
  boost::asio::steady_timer connect_timer_{control_};
  boost::asio::steady_timer link_timer_{control_};
  bool acked_ = false;
  uint64_t wanted_users_ = 0;  // the latest spawn's total: spawning_complete reports reaching it
  int connect_attempts_ = 0;
  double last_spawn_timestamp_ = 0;
  std::function<void()> after_stop_;  // what to do once the runner has stopped
  bool ended_ = false;
  bool warned_garbage_ = false;
};

}  // namespace loadhost::distributed
