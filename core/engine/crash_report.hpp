// The crash report: a scenario whose task dereferences NULL kills the whole
// process (users are code in our address space; nothing can contain that).
// The damage is kept small and visible: the --csv files are rewritten every
// second during the run, and a fatal-signal handler prints one line saying
// that it crashed, on which loop thread, in which user class and task
// (lh_running, sdk/include/loadhost/running.h), then lets the signal take
// the process as it would have (core dump included). The handler uses only
// async-signal-safe calls: write(2), sigaction, raise.
#pragma once

#include <cstdint>

#include <loadhost/running.h>

namespace loadhost::core {

// [control-thread, at start] Installs the handler for SIGSEGV, SIGBUS,
// SIGFPE, SIGILL and SIGABRT.
void install_crash_report();

// [loop-thread] For the life of a loop thread: its index and its running
// slot, and an alternate signal stack so that a task that overflowed its
// stack is still reported.
class CrashReportThread {
 public:
  CrashReportThread(uint32_t loop_index, const lh_running *slot);
  ~CrashReportThread();
  CrashReportThread(const CrashReportThread &) = delete;
  CrashReportThread &operator=(const CrashReportThread &) = delete;

 private:
  void *stack_ = nullptr;
};

}  // namespace loadhost::core
