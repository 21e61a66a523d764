#include "core/distributed/worker.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <random>

#include "core/distributed/protocol.hpp"
#include "core/distributed/stats_wire.hpp"
#include "core/engine/clock.hpp"
#include "core/loader/plugin_registry.hpp"

namespace loadhost::distributed {

namespace asio = boost::asio;

namespace {
constexpr auto kLinkGrace = std::chrono::seconds(3);

// Locust's client id: hostname, underscore, 32 hex digits.
std::string make_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "worker");
  std::random_device rd;
  std::mt19937_64 rng((uint64_t(rd()) << 32) ^ rd());
  return fmt::format("{}_{:016x}{:016x}", host, rng(), rng());
}
}  // namespace

Worker::Worker(core::Engine &engine, const lh_scenario &scenario, WorkerConfig config,
               core::RunOptions defaults, asio::io_context &control)
    : engine_(engine),
      scenario_(scenario),
      config_(std::move(config)),
      defaults_(std::move(defaults)),
      control_(control),
      usage_(engine.loop_count()) {
  if (config_.node_id.empty()) config_.node_id = make_node_id();
}

Worker::~Worker() = default;

std::string Worker::endpoint() const { return fmt::format("tcp://{}:{}", config_.master_host, config_.master_port); }

std::string Worker::start() {
  if (std::string e = open_channel(); !e.empty()) return e;
  engine_.log(LH_LOG_INFO, fmt::format("worker {} connecting to the master at {}", config_.node_id, endpoint()));
  send_ready();
  arm_connect_retry();
  arm_heartbeat();
  arm_report();
  return "";
}

std::string Worker::open_channel() {
  channel_ = std::make_unique<ZmqChannel>(control_, ZmqChannel::Role::dealer);
  channel_->on_receive = [this](std::string_view, std::string_view payload, size_t frames) {
    if (frames == 1) receive(payload);
  };
  channel_->on_link = [this](bool up) { link_changed(up); };
  if (!config_.curve_server_public.empty())
    if (std::string e = channel_->use_curve_client(config_.curve_server_public); !e.empty()) return e;
  return channel_->connect(config_.master_host, config_.master_port, config_.node_id);
}

void Worker::send(std::string_view type, const std::function<void(Packer &)> &pack) {
  if (channel_) channel_->send("", encode_message(type, config_.node_id, pack));
}

void Worker::send_ready() {
  send("client_ready", [](Packer &p) { pack_str(p, node_version()); });
}

void Worker::arm_connect_retry() {
  connect_timer_.expires_after(kConnectRetryInterval);
  connect_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || acked_ || ended_) return;
    if (++connect_attempts_ >= kConnectRetries) {
      end(1, fmt::format("no answer from the master at {} after {} tries", endpoint(), connect_attempts_));
      return;
    }
    engine_.log(LH_LOG_WARNING, fmt::format("no answer from the master at {} yet; trying again ({}/{})",
                                            endpoint(), connect_attempts_, kConnectRetries));
    send_ready();
    arm_connect_retry();
  });
}

const char *Worker::state_name() const {
  if (!runner_) return kStateReady.data();
  switch (runner_->state()) {
    case core::RunnerState::spawning: return kStateSpawning.data();
    case core::RunnerState::running:
    case core::RunnerState::stopping: return kStateRunning.data();  // still working, as Locust's worker
    default: return kStateReady.data();
  }
}

uint64_t Worker::user_count() const {
  if (!runner_ || runner_->state() == core::RunnerState::stopped) return 0;
  uint64_t n = 0;
  for (uint32_t c : runner_->class_counts()) n += c;
  return n;
}

void Worker::pack_user_classes(Packer &p) {
  std::vector<uint32_t> counts(scenario_.class_count, 0);
  if (runner_ && runner_->state() != core::RunnerState::stopped) counts = runner_->class_counts();
  p.pack_map(scenario_.class_count);
  for (uint32_t c = 0; c < scenario_.class_count; ++c) {
    pack_str(p, scenario_.classes[c]->name);
    p.pack(counts[c]);
  }
}

void Worker::arm_heartbeat() {
  heartbeat_timer_.expires_after(kHeartbeatInterval);
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || ended_) return;
    send_heartbeat();
    arm_heartbeat();
  });
}

void Worker::send_heartbeat() {
  double cpu = usage_.cpu_percent();
  uint64_t memory = NodeUsage::memory_bytes();
  const char *state = state_name();
  send("heartbeat", [&](Packer &p) {
    p.pack_map(3);
    pack_str(p, "state");
    pack_str(p, state);
    pack_str(p, "current_cpu_usage");
    p.pack(cpu);
    pack_str(p, "current_memory_usage");
    p.pack(memory);
  });
}

void Worker::arm_report() {
  report_timer_.expires_after(kReportInterval);
  report_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || ended_) return;
    if (acked_) send_report();
    arm_report();
  });
}

// What the worker recorded since its last report, then its exceptions (one
// message per distinct exception, with its count in an extra key).
void Worker::send_report() {
  uint64_t users = user_count();
  send("stats", [&](Packer &p) {
    p.pack_map(kStatsReportPairs + 2);
    pack_stats_report(p, pending_);
    pack_str(p, "user_classes_count");
    pack_user_classes(p);
    pack_str(p, "user_count");
    p.pack(users);
  });
  for (const stats::ExceptionRecord *e : pending_.sorted_exceptions())
    send_exception(e->message_, e->detail_, e->count_);
  pending_.reset();
}

void Worker::send_exception(std::string_view message, std::string_view traceback, uint64_t count) {
  send("exception", [&](Packer &p) {
    p.pack_map(3);
    pack_str(p, "msg");
    pack_str(p, message);
    pack_str(p, "traceback");
    pack_str(p, traceback);
    pack_str(p, "count");
    p.pack(count);
  });
}

void Worker::receive(std::string_view payload) {
  std::string error;
  std::optional<Message> msg = decode_message(payload, &error);
  if (!msg) {
    if (!warned_garbage_)
      engine_.log(LH_LOG_WARNING, fmt::format("ignored a malformed message from the master: {}", error));
    warned_garbage_ = true;
    return;
  }
  if (msg->type == "ack") {
    if (!acked_) {
      std::optional<int64_t> index = as_int(map_find(msg->data(), "index"));
      engine_.log(LH_LOG_INFO, fmt::format("connected to the master at {} as {}{}", endpoint(), config_.node_id,
                                           index ? fmt::format(" (index {})", *index) : ""));
    }
    acked_ = true;
    connect_timer_.cancel();
  } else if (msg->type == "spawn") {
    on_spawn(msg->data());
  } else if (msg->type == "stop") {
    on_stop_message();
  } else if (msg->type == "quit") {
    on_quit(msg->data());
  } else if (msg->type == "reconnect") {
    engine_.log(LH_LOG_WARNING, "the master asked to reconnect");
    // Posted: this runs inside the channel's receive.
    asio::post(control_, [this] {
      channel_.reset();
      acked_ = false;
      connect_attempts_ = 0;
      if (std::string e = open_channel(); !e.empty()) return end(1, e);
      send_ready();
      arm_connect_retry();
    });
  } else if (msg->type == "heartbeat") {
    // A newer master's liveness ping; the link monitor covers it.
  } else {
    engine_.log(LH_LOG_DEBUG, fmt::format("ignored a '{}' message from the master", msg->type));
  }
}

// A loadhost master's share of the open model for this worker (kArrivalKey).
// Anything unreadable gives no share rather than a wrong rate.
core::ArrivalOptions Worker::read_arrival(const msgpack::object &arrival) {
  core::ArrivalOptions options;
  options.nodes = 0;
  std::optional<int64_t> node = as_int(map_find(arrival, "node"));
  std::optional<int64_t> nodes = as_int(map_find(arrival, "nodes"));
  const msgpack::object *plan = map_find(arrival, "plan");
  if (!node || !nodes || *nodes <= 0 || *node < 0 || *node >= *nodes || !plan || plan->type != msgpack::type::ARRAY) {
    if (!nodes || *nodes != 0)
      engine_.log(LH_LOG_WARNING, "ignored the master's open-model share: it is not readable");
    return options;
  }
  std::vector<core::ArrivalPlan::Stage> stages;
  double start_rate = 0;
  bool open_ended = false;
  for (uint32_t i = 0; i < plan->via.array.size; ++i) {
    const msgpack::object &s = plan->via.array.ptr[i];
    if (s.type != msgpack::type::ARRAY || s.via.array.size != 3) return options;
    std::optional<double> duration = as_number(&s.via.array.ptr[0]);
    std::optional<double> from = as_number(&s.via.array.ptr[1]);
    std::optional<double> to = as_number(&s.via.array.ptr[2]);
    if (!duration || !from || !to || *from < 0 || *to < 0) return options;
    if (i == 0) start_rate = *from;
    if (*duration < 0) {
      open_ended = true;  // the last: a constant rate until the test stops
      break;
    }
    stages.push_back(core::ArrivalPlan::Stage{*duration, *to});
  }
  if (open_ended && stages.empty()) options.plan = core::ArrivalPlan::constant(start_rate);
  else if (!stages.empty()) options.plan = core::ArrivalPlan::stages(start_rate, stages);
  options.pre_allocated_users = uint32_t(std::max<int64_t>(0, as_int(map_find(arrival, "pre_allocated_users")).value_or(0)));
  options.max_users = uint32_t(std::max<int64_t>(0, as_int(map_find(arrival, "max_users")).value_or(0)));
  options.node = uint32_t(*node);
  options.nodes = uint32_t(*nodes);
  return options;
}

void Worker::on_spawn(const msgpack::object &data) {
  send("spawning");
  double timestamp = as_number(map_find(data, "timestamp")).value_or(0);
  if (timestamp && timestamp <= last_spawn_timestamp_) return;  // an older job, as Locust discards it
  last_spawn_timestamp_ = timestamp;
  const msgpack::object *counts_obj = map_find(data, "user_classes_count");
  if (!counts_obj || counts_obj->type != msgpack::type::MAP) {
    engine_.log(LH_LOG_WARNING, "ignored a spawn message without user_classes_count");
    return;
  }
  std::vector<uint32_t> counts(scenario_.class_count, 0);
  for (const auto &kv : counts_obj->via.map) {
    std::optional<std::string_view> name = as_string(&kv.key);
    std::optional<int64_t> n = as_int(&kv.val);
    if (!name || !n || *n < 0) continue;
    uint32_t c = 0;
    while (c < scenario_.class_count && *name != scenario_.classes[c]->name) ++c;
    if (c == scenario_.class_count) {
      if (*n == 0) continue;  // a class the master has and nobody runs
      std::string known;
      for (uint32_t i = 0; i < scenario_.class_count; ++i)
        known += fmt::format("{}{}", i ? ", " : "", scenario_.classes[i]->name);
      // No node id in the text: the master says which worker ("exception in worker <id>: ...").
      std::string why = fmt::format("no user class '{}' in this worker's scenario {} (it defines {}): run the "
                                    "master and the workers with the same scenario",
                                    *name, engine_.plugins().scenario_source(), known);
      send_exception(why, "", 1);
      send("quit");
      end(1, why);
      return;
    }
    counts[c] = uint32_t(*n);
  }

  wanted_users_ = 0;
  for (uint32_t n : counts) wanted_users_ += n;
  if (!runner_ || runner_->state() == core::RunnerState::stopped) {
    // A new test: the spawn's host and stop timeout, fresh stats.
    if (std::optional<std::string_view> host = as_string(map_find(data, "host")); host && !host->empty()) {
      core::EngineConfig config = engine_.config();
      config.options["host"] = std::string(*host);
      engine_.configure(std::move(config));
    }
    core::RunOptions run = defaults_;
    run.users = 0;
    run.spawn_rate = 0;
    run.run_time_s.reset();
    run.shape = {};
    if (std::optional<double> t = as_number(map_find(data, "stop_timeout")); t && *t > 0)
      run.stop_timeout_ns = uint64_t(*t * 1e9);
    if (const msgpack::object *arrival = map_find(data, kArrivalKey)) run.arrival = read_arrival(*arrival);
    if (runner_) retired_ = std::move(runner_);
    pending_.reset(core::unix_now());
    runner_ = std::make_unique<core::Runner>(engine_, scenario_, run, control_);
    runner_->set_delta_sink(&pending_);
    runner_->on_state = [this](core::RunnerState s) { runner_state(s); };
    runner_->start();
  }
  runner_->set_class_counts(std::move(counts));
}

void Worker::runner_state(core::RunnerState state) {
  if (state == core::RunnerState::running) {
    uint64_t users = user_count();
    // A new runner is running with 0 users before the master's counts reach
    // it; only the spawn the master asked for is complete.
    if (users != wanted_users_) return;
    send("spawning_complete", [&](Packer &p) {
      p.pack_map(2);
      pack_str(p, "user_classes_count");
      pack_user_classes(p);
      pack_str(p, "user_count");
      p.pack(users);
    });
  } else if (state == core::RunnerState::stopped) {
    // Posted: the runner is still inside its finish().
    asio::post(control_, [this] {
      if (runner_ && !engine_.failure().empty() && !after_stop_)
        engine_.log(LH_LOG_ERROR, fmt::format("the test could not run here: {}", engine_.failure()));
      if (auto then = std::exchange(after_stop_, nullptr)) then();
    });
  }
}

void Worker::stop_runner(std::string reason, std::function<void()> then) {
  if (!runner_ || runner_->state() == core::RunnerState::stopped) {
    then();
    return;
  }
  after_stop_ = std::move(then);
  runner_->stop(std::move(reason));
}

void Worker::on_stop_message() {
  stop_runner("the master stopped the test", [this] {
    send_report();  // before client_stopped: the master has every request when it counts us stopped
    send("client_stopped");
    send_ready();
  });
}

void Worker::on_quit(const msgpack::object &data) {
  if (std::optional<std::string_view> reason = as_string(map_find(data, "reason")); reason && !acked_) {
    end(1, fmt::format("the master at {} refused this worker: {}", endpoint(), *reason));
    return;
  }
  engine_.log(LH_LOG_INFO, "the master quit; shutting down");
  stop_runner("the master quit", [this] {
    send_report();
    end(0, "the master quit");
  });
}

void Worker::shutdown(std::string reason) {
  stop_runner(reason, [this, reason] {
    if (acked_) {
      send_report();
      send("quit");
    }
    end(0, reason);
  });
}

void Worker::link_changed(bool up) {
  if (up) {
    link_timer_.cancel();
    return;
  }
  if (!acked_ || ended_) return;
  engine_.log(LH_LOG_WARNING, fmt::format("lost the link to the master at {}; waiting {} s for it",
                                          endpoint(), kLinkGrace.count()));
  link_timer_.expires_after(kLinkGrace);
  link_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || ended_) return;
    std::string why = fmt::format("lost the master at {}: no link for {} s", endpoint(), kLinkGrace.count());
    stop_runner(why, [this, why] { end(1, why); });
  });
}

void Worker::end(int exit_code, std::string reason) {
  if (ended_) return;
  ended_ = true;
  heartbeat_timer_.cancel();
  report_timer_.cancel();
  connect_timer_.cancel();
  link_timer_.cancel();
  // Closing flushes what is queued (linger); posted, since this may run
  // inside the channel's own receive.
  asio::post(control_, [this, exit_code, reason = std::move(reason)] {
    if (channel_) channel_->close();
    if (on_exit) on_exit(exit_code, reason);
  });
}

}  // namespace loadhost::distributed
