// loadhost C++ SDK — the scenario's view of its host: the lh_host table it
// was initialised with, run options, the clock, and errors that end a user.
#pragma once

#include <loadhost/loadhost.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace loadhost {

using namespace std::chrono_literals;
using Duration = std::chrono::duration<double>;

// Thrown from a task: this user stops (on_stop runs) and is not replaced.
struct StopUser {};
// Thrown from a task: skip the wait and pick the next task now.
struct RescheduleTask {};
// Thrown from a TaskSet's task (see TaskSet::interrupt).
struct InterruptTaskSet {
  bool reschedule = true;
};

namespace detail {

// Set once by the scenario's entry (init); valid until deinit. Each scenario
// .so has its own copy (hidden visibility).
inline const lh_host *g_host = nullptr;

inline std::string_view view(lh_str s) {
  return s.data ? std::string_view(s.data, s.size) : std::string_view();
}
inline lh_str str(std::string_view s) { return lh_str{s.data(), s.size()}; }

}  // namespace detail

inline const lh_host &host() { return *detail::g_host; }

// A run option ("host", "tags", a plugin's own); empty when unset.
inline std::string_view option(const char *name) {
  return detail::view(host().option(detail::g_host, name));
}

// Ask the runner to stop the whole test (Locust's runner.quit()).
inline void stop_test(std::string_view reason = "stopped by the scenario") {
  host().request_quit(detail::g_host, detail::str(reason));
}

// Changing the run from a hook or a task (run_control.h), as Locust's
// environment.runner and environment.process_exit_code do. Each goes
// through the runner on the control thread; a host without the extension
// (ABI 1.1) ignores them.
namespace detail {
inline const lh_host_run_control *run_control() {
  return static_cast<const lh_host_run_control *>(host().get_extension(g_host, LH_HOST_RUN_CONTROL_ID));
}
}  // namespace detail

// The process's exit code, whatever the results say (Locust's
// environment.process_exit_code), e.g. from an LH_HOOK_TEST_STOP hook.
inline void set_exit_code(int code) {
  if (const lh_host_run_control *rc = detail::run_control()) rc->set_exit_code(detail::g_host, code);
}
// Another user count for the running test (the web UI's edit; ignored
// while a load shape drives the test).
inline void set_user_count(uint32_t users, double spawn_rate) {
  if (const lh_host_run_control *rc = detail::run_control()) rc->set_user_count(detail::g_host, users, spawn_rate);
}
// Users alive now in this process.
inline uint64_t user_count() {
  const lh_host_run_control *rc = detail::run_control();
  return rc ? rc->user_count(detail::g_host) : 0;
}

inline void log(std::string_view message, lh_log_level level = LH_LOG_INFO) {
  host().log(detail::g_host, level, detail::str(message));
}

inline uint64_t now_ns() { return host().now_ns(detail::g_host); }

}  // namespace loadhost
