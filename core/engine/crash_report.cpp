#include "core/engine/crash_report.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "core/engine/user_runtime.hpp"

namespace loadhost::core {

namespace {

// What the handler reads on the crashing thread; set by CrashReportThread.
thread_local const lh_running *t_slot = nullptr;
thread_local uint32_t t_loop_index = 0;
// Whether this thread is inside the handler (a fault in the report itself).
thread_local bool t_reporting = false;
// The first thread to crash reports; any other that crashes meanwhile
// (two users hitting the same bug on two loops at once) waits for the
// first to end the process, so the one line is always written.
std::atomic<bool> g_crash_reported{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used in a signal handler");

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr size_t kAltStackSize = 64 * 1024;

// A line built in a fixed buffer: no allocation, no stdio, no locale.
struct Line {
  char text[512];
  size_t size = 0;
  void add(const char *s) {
    while (s && *s && size < sizeof text - 1) text[size++] = *s++;
  }
  void add(uint32_t n) {
    char digits[10];
    int i = 0;
    do digits[i++] = char('0' + n % 10); while ((n /= 10) != 0 && i < 10);
    while (i > 0 && size < sizeof text - 1) text[size++] = digits[--i];
  }
  void write_out() {
    text[size++] = '\n';
    const char *p = text;
    while (size > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, size);
      if (n <= 0) return;
      p += n;
      size -= size_t(n);
    }
  }
};

const char *describe(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (invalid memory access)";
    case SIGBUS: return "SIGBUS (bad memory access)";
    case SIGFPE: return "SIGFPE (arithmetic error, such as an integer division by zero)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGABRT: return "SIGABRT (abort: std::terminate, a failed assert, or memory corruption)";
  }
  return "a fatal signal";
}

void restore_default(int sig) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  ::sigaction(sig, &action, nullptr);
}

void on_fatal_signal(int sig) {
  if (t_reporting) {  // the report itself faulted: end as the signal would have
    restore_default(sig);
    ::raise(sig);
    return;
  }
  t_reporting = true;
  if (g_crash_reported.exchange(true)) {
    // Another thread is writing the report and will end the process. Not
    // SA_RESETHAND: the default action taken here would kill the process
    // before that thread had written its line.
    for (;;) ::pause();
  }
  Line line;
  line.add("loadhost: crashed: ");
  line.add(describe(sig));
  if (!t_slot) {
    line.add(", outside the users' loop threads (in loadhost or a plugin's own thread)");
  } else {
    line.add(" on loop thread ");
    line.add(t_loop_index);
    if (!t_slot->user) {
      line.add(", outside any user's code (in loadhost or a plugin)");
    } else {
      line.add(": the scenario crashed in user class ");
      line.add(User::from(t_slot->user).cls->name);
      line.add(", task ");
      line.add(t_slot->task ? t_slot->task : "(none: on_start, on_stop or its constructor)");
    }
  }
  line.add("; no final report (the --csv files, written every second, keep the last totals)");
  line.write_out();
  restore_default(sig);
  ::raise(sig);  // delivered, with the default action, when this returns
}

}  // namespace

void install_crash_report() {
  struct sigaction action {};
  action.sa_handler = &on_fatal_signal;
  action.sa_flags = SA_ONSTACK;  // the handler restores the default action itself
  sigemptyset(&action.sa_mask);
  for (int sig : kSignals) ::sigaction(sig, &action, nullptr);
}

CrashReportThread::CrashReportThread(uint32_t loop_index, const lh_running *slot) {
  t_loop_index = loop_index;
  t_slot = slot;
  stack_ = std::malloc(kAltStackSize);
  if (!stack_) return;  // the report then needs the thread's own stack
  stack_t alt{};
  alt.ss_sp = stack_;
  alt.ss_size = kAltStackSize;
  if (::sigaltstack(&alt, nullptr) != 0) {
    std::free(stack_);
    stack_ = nullptr;
  }
}

CrashReportThread::~CrashReportThread() {
  t_slot = nullptr;
  if (!stack_) return;
  stack_t off{};
  off.ss_flags = SS_DISABLE;
  ::sigaltstack(&off, nullptr);
  std::free(stack_);
}

}  // namespace loadhost::core
