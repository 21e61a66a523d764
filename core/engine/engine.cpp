#include "core/engine/engine.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
#include <thread>

#include "core/engine/user_runtime.hpp"
#include "core/loader/plugin_registry.hpp"

namespace loadhost::core {

Engine::Engine(EngineConfig config) : config_(std::move(config)) {
  table_.host = make_host_table();
  table_.engine = this;
  plugins_ = std::make_unique<PluginRegistry>(host());
}

void Engine::configure(EngineConfig config) { config_ = std::move(config); }

Engine::~Engine() {
  stop_loops();
  loops_.clear();   // users and sessions first: they call into plugins
  plugins_.reset(); // then deinit and unload
}

Engine &Engine::from(const lh_host *host) {
  // The table is the first member of Table, so the host pointer is the
  // Table's address.
  static_assert(offsetof(Table, host) == 0);
  return *reinterpret_cast<const Table *>(host)->engine;
}

uint32_t Engine::loop_count() const {
  if (!loops_.empty()) return uint32_t(loops_.size());
  return config_.loop_threads ? config_.loop_threads : std::max(1u, std::thread::hardware_concurrency());
}

std::string Engine::create_loops() {
  if (!loops_.empty()) return "";
  uint32_t n = loop_count();
  try {
    for (uint32_t i = 0; i < n; ++i) loops_.push_back(std::make_unique<Loop>(*this, i));
  } catch (const std::exception &e) {
    loops_.clear();
    return fmt::format("cannot create {} event loops: {} (use fewer --threads)", n, e.what());
  }
  return "";
}

std::string Engine::start_loops() {
  if (std::string e = create_loops(); !e.empty()) return e;
  for (auto &loop : loops_) {
    try {
      loop->start_thread();
    } catch (const std::exception &e) {
      stop_loops();
      return fmt::format("cannot start {} event-loop threads: {} (use fewer --threads)", loops_.size(), e.what());
    }
  }
  return "";
}

void Engine::stop_loops() {
  for (auto &loop : loops_) loop->stop_thread();
}

lh_str Engine::option(std::string_view name) const {
  auto it = config_.options.find(std::string(name));
  if (it == config_.options.end()) return kAbsent;
  return to_lh(it->second);
}

void Engine::log(lh_log_level level, std::string_view message) const {
  if (level < config_.log_level) return;
  const char *label = level >= LH_LOG_ERROR     ? "error"
                      : level >= LH_LOG_WARNING ? "warning"
                      : level >= LH_LOG_INFO    ? "info"
                                                : "debug";
  std::lock_guard lock(log_mutex_);
  std::fprintf(stderr, "loadhost: %s: %.*s\n", label, int(message.size()), message.data());
}

void Engine::request_quit(std::string reason) {
  std::function<void(std::string)> handler;
  {
    std::lock_guard lock(quit_mutex_);
    handler = quit_handler_;
  }
  if (handler) handler(std::move(reason));
}

void Engine::request_user_count(uint32_t users, double spawn_rate) {
  std::function<void(uint32_t, double)> handler;
  {
    std::lock_guard lock(quit_mutex_);
    handler = user_count_handler_;
  }
  if (handler) handler(users, spawn_rate);
  else log(LH_LOG_WARNING, fmt::format("set_user_count({}) ignored: no test is running in this process", users));
}

void Engine::set_user_count_handler(std::function<void(uint32_t, double)> handler) {
  std::lock_guard lock(quit_mutex_);
  user_count_handler_ = std::move(handler);
}

uint64_t Engine::user_count() const {
  uint64_t n = 0;
  for (const auto &loop : loops_) n += loop->users().alive();
  return n;
}

void Engine::fail_test(std::string reason) {
  {
    std::lock_guard lock(quit_mutex_);
    if (!failure_.empty()) return;  // the first says it; the rest are echoes
    failure_ = reason;
  }
  request_quit(std::move(reason));
}

std::string Engine::failure() const {
  std::lock_guard lock(quit_mutex_);
  return failure_;
}

void Engine::clear_failure() {
  std::lock_guard lock(quit_mutex_);
  failure_.clear();
}

void Engine::set_quit_handler(std::function<void(std::string)> handler) {
  std::lock_guard lock(quit_mutex_);
  quit_handler_ = std::move(handler);
}

}  // namespace loadhost::core
