#include "core/distributed/master.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "core/distributed/master_run.hpp"
#include "core/distributed/protocol.hpp"
#include "core/distributed/stats_wire.hpp"
#include "core/engine/clock.hpp"

namespace loadhost::distributed {

namespace {

// "1 worker", "3 workers".
std::string workers_phrase(size_t n) { return fmt::format("{} worker{}", n, n == 1 ? "" : "s"); }

constexpr int kMissingForgetSeconds = 60;  // Locust's HEARTBEAT_DEAD_INTERNAL

// "loadhost-1.2.3" -> "1.2"; "" when not a loadhost version.
std::string loadhost_major_minor(std::string_view version) {
  if (!version.starts_with(kVersionPrefix)) return "";
  version.remove_prefix(kVersionPrefix.size());
  size_t dot = version.find('.');
  if (dot == std::string_view::npos) return std::string(version);
  size_t second = version.find('.', dot + 1);
  return std::string(version.substr(0, second));
}
}  // namespace

Master::Master(core::Engine &engine, const lh_scenario &scenario, MasterConfig config,
               boost::asio::io_context &control)
    : engine_(engine),
      scenario_(scenario),
      config_(std::move(config)),
      control_(control),
      channel_(control, ZmqChannel::Role::router) {
  channel_.on_receive = [this](std::string_view peer, std::string_view payload, size_t frames) {
    receive(peer, payload, frames);
  };
}

Master::~Master() { channel_.close(); }

std::string Master::listen() {
  if (!config_.curve_secret.empty())
    if (std::string e = channel_.use_curve_server(config_.curve_secret); !e.empty()) return e;
  if (std::string e = channel_.bind(config_.bind_host, config_.bind_port); !e.empty()) return e;
  arm_heartbeat_check();
  return "";
}

uint16_t Master::port() const { return channel_.bound_port(); }

std::unique_ptr<core::TestRun> Master::make_run(const core::RunOptions &options) {
  return std::make_unique<MasterRun>(*this, options);
}

WorkerNode *Master::find(const std::string &id) {
  for (auto &w : workers_)
    if (w->id == id) return w.get();
  return nullptr;
}

std::vector<const WorkerNode *> Master::active_workers() const {
  std::vector<const WorkerNode *> out;
  for (const auto &w : workers_)
    if (w->state != kStateMissing) out.push_back(w.get());
  std::sort(out.begin(), out.end(), [](auto *a, auto *b) { return a->index < b->index; });
  return out;
}

nlohmann::json Master::workers_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto &w : workers_)
    rows.push_back({{"id", w->id},
                    {"state", w->state},
                    {"user_count", w->user_count},
                    {"cpu_usage", w->cpu_usage},
                    {"memory_usage", w->memory_usage}});
  return rows;
}

void Master::send(const std::string &id, std::string_view type, const std::function<void(Packer &)> &pack) {
  channel_.send(id, encode_message(type, id, pack));
}

void Master::quit_workers() {
  if (quit_sent_) return;  // the signal, the test's end and --autoquit may all ask
  quit_sent_ = true;
  for (const auto &w : workers_) send(w->id, "quit");
}

void Master::workers_changed() {
  if (run_) run_->workers_changed();
  if (on_workers_changed) on_workers_changed();
}

void Master::receive(std::string_view peer, std::string_view payload, size_t frames) {
  std::string id(peer);
  std::string error;
  std::optional<Message> msg;
  if (frames != 1) {
    error = fmt::format("{} frames where Locust's protocol has 1", frames);
  } else {
    msg = decode_message(payload, &error);
    if (msg && msg->node_id != id)
      error = fmt::format("its node id '{}' is not its socket identity", msg->node_id);
  }
  if (!error.empty()) {
    refuse(id, fmt::format("a malformed message ({} bytes): {}", payload.size(), error));
    return;
  }
  if (refused_.contains(id) && msg->type != "client_ready") return;
  handle(id, *msg);
}

void Master::refuse(const std::string &id, const std::string &why) {
  if (refused_.insert(id).second)
    engine_.log(LH_LOG_ERROR, fmt::format("refused worker '{}': {}", id, why));
  send(id, "quit", [&](Packer &p) {
    p.pack_map(1);
    pack_str(p, "reason");
    pack_str(p, why);
  });
  if (find(id)) remove_worker(id, "refused");
}

void Master::remove_worker(const std::string &id, const std::string &why) {
  auto it = std::find_if(workers_.begin(), workers_.end(), [&](auto &w) { return w->id == id; });
  if (it == workers_.end()) return;
  engine_.log(LH_LOG_INFO, fmt::format("worker {} (index {}) {}; {} left", id, (*it)->index, why,
                                       workers_phrase(workers_.size() - 1)));
  workers_.erase(it);
  if (run_) run_->worker_gone(id);
  workers_changed();
}

void Master::client_ready(const std::string &id, const Message &msg) {
  std::string version(as_string(&msg.data()).value_or(""));
  bool loadhost = version.starts_with(kVersionPrefix);
  if (loadhost) {
    std::string theirs = loadhost_major_minor(version), ours = loadhost_major_minor(node_version());
    if (theirs != ours) {
      refuse(id, fmt::format("it runs {} and this master {}: master and workers need the same loadhost "
                             "major.minor version",
                             version, node_version()));
      return;
    }
  } else if (version.empty() && warned_.insert("noversion:" + id).second) {
    engine_.log(LH_LOG_WARNING,
                fmt::format("worker {} sent no version (Debian's python3-locust 2.12.1 reports none); "
                            "taking it for a Locust 2.x worker",
                            id));
  }
  refused_.erase(id);
  auto [slot, fresh] = indexes_.try_emplace(id, int(indexes_.size()));
  send(id, "ack", [&](Packer &p) {
    p.pack_map(1);
    pack_str(p, "index");
    p.pack(slot->second);
  });
  WorkerNode *w = find(id);
  bool known = w != nullptr;
  if (!w) {
    workers_.push_back(std::make_unique<WorkerNode>());
    w = workers_.back().get();
  }
  w->id = id;
  w->index = slot->second;
  w->state = std::string(kStateReady);
  w->heartbeat = kHeartbeatLiveness;
  w->version = version;
  w->loadhost = loadhost;
  w->class_counts.assign(scenario_.class_count, 0);
  w->user_count = 0;
  w->missing_seconds = 0;
  if (!known)
    engine_.log(LH_LOG_INFO, fmt::format("worker {} (index {}, {}) connected; {}", id, w->index,
                                         version.empty() ? "Locust" : version, workers_phrase(active_workers().size())));
  workers_changed();
}

void Master::read_class_counts(WorkerNode &w, const msgpack::object &data) {
  const msgpack::object *counts = map_find(data, "user_classes_count");
  if (!counts || counts->type != msgpack::type::MAP) return;
  w.class_counts.assign(scenario_.class_count, 0);
  uint64_t total = 0;
  for (const auto &kv : counts->via.map) {
    std::optional<std::string_view> name = as_string(&kv.key);
    std::optional<int64_t> n = as_int(&kv.val);
    if (!name || !n || *n < 0) continue;
    total += uint64_t(*n);
    for (uint32_t c = 0; c < scenario_.class_count; ++c)
      if (*name == scenario_.classes[c]->name) w.class_counts[c] = uint32_t(*n);
  }
  w.user_count = as_int(map_find(data, "user_count")).value_or(int64_t(total));
}

void Master::handle(const std::string &id, const Message &msg) {
  const std::string &type = msg.type;
  if (type == "client_ready") return client_ready(id, msg);
  WorkerNode *w = find(id);
  if (!w) {
    if (type == "quit") return;
    if (warned_.insert("unknown:" + id).second)
      engine_.log(LH_LOG_WARNING, fmt::format("a '{}' message from unknown worker '{}'; asking it to reconnect",
                                              type, id));
    send(id, "reconnect");
    return;
  }
  // Heartbeats and reports change no state the web UI shows at once: with
  // 1,000 workers they are 1,300 messages a second.
  bool quiet = type == "stats";
  if (type == "heartbeat") {
    w->heartbeat = kHeartbeatLiveness;
    std::optional<std::string_view> state = as_string(map_find(msg.data(), "state"));
    bool was_missing = w->state == kStateMissing;
    quiet = !state || *state == w->state;  // CPU and memory reach the page with its next 1 s update
    if (state) w->state = std::string(*state);
    if (std::optional<double> cpu = as_number(map_find(msg.data(), "current_cpu_usage"))) {
      w->cpu_usage = *cpu;
      if (*cpu > 90 && warned_.insert("cpu:" + id).second)
        engine_.log(LH_LOG_WARNING, fmt::format("worker {} is above 90 % CPU: its results may be off "
                                                "(add workers or lower its users)", id));
    }
    if (std::optional<int64_t> mem = as_int(map_find(msg.data(), "current_memory_usage")))
      w->memory_usage = uint64_t(std::max<int64_t>(*mem, 0));
    if (was_missing) {
      engine_.log(LH_LOG_INFO, fmt::format("worker {} is back", id));
      w->missing_seconds = 0;
      workers_changed();
    }
  } else if (type == "stats") {
    stats::StatsTable &into = run_ ? run_->table() : orphan_stats_;
    if (std::string e = merge_stats_report(msg.data(), into, core::unix_now()); !e.empty()) {
      refuse(id, fmt::format("a malformed stats report: {}", e));
      return;
    }
    read_class_counts(*w, msg.data());
    if (run_) {
      run_->worker_reported(id);
      run_->worker_counts_changed();
    }
  } else if (type == "spawning") {
    w->state = std::string(kStateSpawning);
  } else if (type == "spawning_complete") {
    w->state = std::string(kStateRunning);
    read_class_counts(*w, msg.data());
    if (run_) run_->worker_counts_changed();
  } else if (type == "client_stopped") {
    w->state = std::string(kStateStopped);
    w->class_counts.assign(scenario_.class_count, 0);
    w->user_count = 0;
    if (run_) run_->worker_stopped(id, w->loadhost);
  } else if (type == "quit") {
    remove_worker(id, "quit");
    if (run_ && active_workers().empty() &&
        (run_->state() == core::RunnerState::spawning || run_->state() == core::RunnerState::running))
      run_->stop("the last worker quit");
  } else if (type == "exception") {
    std::string_view text = as_string(map_find(msg.data(), "msg")).value_or("(no message)");
    std::string_view traceback = as_string(map_find(msg.data(), "traceback")).value_or("");
    int64_t count = std::max<int64_t>(1, as_int(map_find(msg.data(), "count")).value_or(1));
    // Where it happened leads the detail (Locust's exceptions CSV has a
    // Nodes column); the console's first-time line shows that first line.
    std::string where = fmt::format("worker {}", id);
    if (!traceback.empty()) where += fmt::format("\n{}", traceback);
    stats::StatsTable &into = run_ ? run_->table() : orphan_stats_;
    into.record_exception(text, where, uint64_t(count));
  } else if (warned_.insert("type:" + type).second) {
    engine_.log(LH_LOG_WARNING, fmt::format("ignored a '{}' message from worker {}", type, id));
  }
  if (on_workers_changed && !quiet) on_workers_changed();
}

void Master::arm_heartbeat_check() {
  heartbeat_timer_.expires_after(kHeartbeatInterval);
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    heartbeat_check();
    arm_heartbeat_check();
  });
}

// Locust's heartbeat_worker: a beat lost per second, "missing" below zero;
// its users go to the others and what it reported stays counted.
void Master::heartbeat_check() {
  std::vector<std::string> forget;
  bool changed = false;
  for (auto &w : workers_) {
    if (w->state == kStateMissing) {
      if (++w->missing_seconds >= kMissingForgetSeconds) forget.push_back(w->id);
      continue;
    }
    if (--w->heartbeat >= 0) continue;
    engine_.log(LH_LOG_WARNING, fmt::format("worker {} (index {}) missed {} heartbeats: marked missing; its "
                                            "users go to the other workers",
                                            w->id, w->index, kHeartbeatLiveness));
    w->state = std::string(kStateMissing);
    w->class_counts.assign(scenario_.class_count, 0);
    w->user_count = 0;
    if (run_) run_->worker_gone(w->id);
    changed = true;
  }
  for (const auto &id : forget) remove_worker(id, "was missing for a minute");
  if (changed) {
    workers_changed();
    if (run_ && active_workers().empty() &&
        (run_->state() == core::RunnerState::spawning || run_->state() == core::RunnerState::running))
      run_->stop("every worker is missing");
  }
}

}  // namespace loadhost::distributed
