#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char **environ;

namespace loadhost::test {
namespace {

constexpr std::chrono::milliseconds kPollInterval{5};

std::string read_file(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Owns posix_spawn's attribute and file-action objects for one spawn.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;

  SpawnSetup(const std::string &stdout_file, const std::string &stderr_file, const std::string &cwd) {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
    // A new process group led by the child: kill(-pid) reaches its children.
    posix_spawnattr_setpgroup(&attr, 0);
    // Default dispositions and an empty mask, whatever the test process set.
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
      sigaddset(&defaults, sig);
    }
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // The test's own sockets and files must not leak into the child.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    // Last, so the output files above are opened relative to the test's cwd.
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

ExitStatus status_of(const siginfo_t &info) {
  if (info.si_code == CLD_EXITED) return ExitStatus{info.si_status, 0};
  return ExitStatus{-1, info.si_status};
}

}  // namespace

Process::Process(std::vector<std::string> argv, const std::filesystem::path &output_dir,
                 const std::filesystem::path &cwd)
    : argv_(std::move(argv)) {
  if (argv_.empty()) throw std::invalid_argument("Process: empty argv");
  // Unique names, so several processes can share one output directory.
  static std::atomic<unsigned> counter{0};
  const std::string stem = std::filesystem::path(argv_[0]).filename().string() + "." +
                           std::to_string(counter.fetch_add(1));
  stdout_path_ = output_dir / (stem + ".stdout");
  stderr_path_ = output_dir / (stem + ".stderr");

  std::vector<char *> args;
  for (std::string &arg : argv_) args.push_back(arg.data());
  args.push_back(nullptr);

  SpawnSetup setup(stdout_path_.string(), stderr_path_.string(), cwd.string());
  const int error =
      posix_spawnp(&pid_, args[0], &setup.actions, &setup.attr, args.data(), environ);
  if (error != 0) {
    pid_ = -1;
    throw std::runtime_error("Process: cannot start " + argv_[0] + ": " + std::strerror(error));
  }
}

Process::~Process() { stop(); }

bool Process::running() const { return !status_ && !wait_exited(std::chrono::milliseconds(0)); }

bool Process::wait_exited(std::chrono::milliseconds timeout) const {
  if (status_) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    siginfo_t info{};
    // WNOWAIT: look, but leave the zombie so the pid and pgid stay ours.
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid_) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<std::string> Process::wait_for_line(std::string_view prefix,
                                                  std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Checked before reading, so the last output of an exited process counts.
    const bool exited = !running();
    std::istringstream out(stdout_text());
    std::string line;
    while (std::getline(out, line)) {
      if (out.eof()) break;  // no '\n' yet: the line may still grow
      if (line.starts_with(prefix)) return line;
    }
    if (exited || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<ExitStatus> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (!wait_exited(timeout)) return std::nullopt;
  return kill_and_reap();
}

ExitStatus Process::stop(std::chrono::milliseconds grace) {
  if (status_) return *status_;
  if (!wait_exited(std::chrono::milliseconds(0))) {
    ::kill(-pid_, SIGTERM);
    wait_exited(grace);
  }
  return kill_and_reap();
}

ExitStatus Process::kill_and_reap() {
  // The leader is not reaped yet, so the group id cannot have been reused:
  // this only reaches what the process left behind (or the process itself).
  ::kill(-pid_, SIGKILL);
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED) != 0 && errno == EINTR) {
  }
  status_ = status_of(info);
  return *status_;
}

std::string Process::stdout_text() const { return read_file(stdout_path_); }
std::string Process::stderr_text() const { return read_file(stderr_path_); }

}  // namespace loadhost::test
