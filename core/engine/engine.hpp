// Engine: what one loadhost process runs on — the loops, the loaded plugins,
// the run options, the event hooks, and the lh_host table handed to plugins.
// The runner (core/runner) drives it; hosts (hosts/loadhost) configure it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/abi_objects.hpp"
#include "core/engine/loop.hpp"
#include "core/engine/hooks.hpp"

namespace loadhost::core {

class PluginRegistry;

struct EngineConfig {
  uint32_t loop_threads = 0;                      // 0 = one per core
  std::map<std::string, std::string> options;     // run options (lh_host.option)
  uint64_t default_timeout_ns = 60'000'000'000;   // per request, like Locust's 60 s
  lh_log_level log_level = LH_LOG_INFO;
  bool connect_backoff = true;                    // connect_backoff.hpp
};

class Engine {
 public:
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  // The table every plugin gets; `from` recovers the engine from it.
  const lh_host *host() const { return &table_.host; }
  static Engine &from(const lh_host *host);

  PluginRegistry &plugins() { return *plugins_; }
  Hooks &hooks() { return hooks_; }
  const EngineConfig &config() const { return config_; }

  // [control-thread, before start_loops] Replaces the configuration: the
  // host parses its command line only after plugins added their options.
  void configure(EngineConfig config);

  // Created by start_loops (config().loop_threads of them), kept until the
  // engine goes.
  std::vector<std::unique_ptr<Loop>> &loops() { return loops_; }
  // How many loops start_loops makes (or made).
  uint32_t loop_count() const;
  // Creates the loops (not their threads) if not done yet. Returns "" or
  // why not (each loop holds file descriptors; the process may be out).
  std::string create_loops();
  // Creates and starts them. Returns "" or why not; the loops that did
  // start are stopped again.
  std::string start_loops();
  void stop_loops();

  // [thread-safe] A run option, or absent.
  lh_str option(std::string_view name) const;
  void log(lh_log_level level, std::string_view message) const;

  // [thread-safe] A scenario or plugin asked to stop the test.
  void request_quit(std::string reason);
  void set_quit_handler(std::function<void(std::string)> handler);
  // [thread-safe] A scenario or plugin asked for another user count
  // (run_control.h); the running test's handler applies it, if any.
  void request_user_count(uint32_t users, double spawn_rate);
  void set_user_count_handler(std::function<void(uint32_t, double)> handler);
  // [thread-safe] Users alive on this process's loops now.
  uint64_t user_count() const;

  // [thread-safe] The process exit code a scenario or plugin chose
  // (Locust's environment.process_exit_code); none until one is set.
  void set_exit_code(int32_t code) { exit_code_.store(code); }
  std::optional<int> exit_code() const {
    int32_t c = exit_code_.load();
    return c < 0 ? std::nullopt : std::optional<int>(c);
  }

  // [thread-safe] The test cannot run as given (a session whose target no
  // plugin can open): every user would fail the same way forever, so keep
  // the first reason and stop the test with it. A host exits non-zero when
  // a test ended so.
  void fail_test(std::string reason);
  // [thread-safe] The first reason given to fail_test since clear_failure.
  std::string failure() const;
  // [control-thread] At a test's start.
  void clear_failure();

 private:
  struct Table {
    lh_host host;
    Engine *engine;
  };
  Table table_;
  EngineConfig config_;
  std::unique_ptr<PluginRegistry> plugins_;
  Hooks hooks_;
  std::vector<std::unique_ptr<Loop>> loops_;
  mutable std::mutex log_mutex_;
  mutable std::mutex quit_mutex_;
  std::function<void(std::string)> quit_handler_;
  std::function<void(uint32_t, double)> user_count_handler_;  // guarded by quit_mutex_
  std::atomic<int32_t> exit_code_{-1};
  std::string failure_;  // guarded by quit_mutex_
};

// The lh_host function table (host_table.cpp).
lh_host make_host_table();

}  // namespace loadhost::core
