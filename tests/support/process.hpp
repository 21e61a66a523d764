// A child process for tests: started without a shell (posix_spawn), stdout and
// stderr captured to files, waited on with timeouts, and always cleaned up:
// the destructor stops it, and stopping reaches every process of its group.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadhost::test {

// How a process ended.
struct ExitStatus {
  int code = -1;   // exit code, or -1 when killed by a signal
  int signal = 0;  // the signal that killed it, or 0
  bool exited_normally() const { return signal == 0 && code == 0; }
};

class Process {
 public:
  // Starts `argv[0]` (searched in PATH when it has no '/') with `argv`.
  // stdin is /dev/null; stdout and stderr go to files in `output_dir`
  // (stdout_path(), stderr_path()). The child leads a new process group so
  // that stop() also reaches the processes it starts (nginx workers). It
  // runs in `cwd` (relative paths in argv then start there; output_dir does
  // not), or in the test's working directory when `cwd` is empty.
  // Throws std::runtime_error when it cannot be started.
  Process(std::vector<std::string> argv, const std::filesystem::path &output_dir,
          const std::filesystem::path &cwd = {});
  // stop() with the default grace period.
  ~Process();
  Process(const Process &) = delete;
  Process &operator=(const Process &) = delete;

  pid_t pid() const { return pid_; }
  // False once the process has exited (it may not be reaped yet).
  bool running() const;

  // Waits until stdout has a complete line starting with `prefix`; returns
  // that line (without '\n'), or nullopt after `timeout` or when the process
  // exits without printing it.
  std::optional<std::string> wait_for_line(std::string_view prefix,
                                           std::chrono::milliseconds timeout) const;

  // Waits up to `timeout` for the process to exit by itself; then reaps it
  // (and SIGKILLs what is left of its group). Nullopt if it is still running.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);

  // SIGTERM to the group, up to `grace` to exit, then SIGKILL to the group;
  // reaps the process. Idempotent: later calls return the same status.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  const std::filesystem::path &stdout_path() const { return stdout_path_; }
  const std::filesystem::path &stderr_path() const { return stderr_path_; }
  std::string stdout_text() const;
  std::string stderr_text() const;

 private:
  // Polls without reaping (the pid and group id stay reserved until reaped).
  bool wait_exited(std::chrono::milliseconds timeout) const;
  // SIGKILL to the group, then reap the leader.
  ExitStatus kill_and_reap();

  std::vector<std::string> argv_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;  // set once reaped
};

}  // namespace loadhost::test
