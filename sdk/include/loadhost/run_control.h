/* loadhost C ABI — changing the run from a scenario or a plugin (since ABI 1.2).
 *
 * Event hooks and tasks observe the run; with this extension they can also
 * steer it, as Locust's environment.runner and environment.process_exit_code
 * let a locustfile do:
 *
 *   const lh_host_run_control *rc = host->get_extension(host, LH_HOST_RUN_CONTROL_ID);
 *   if (rc) rc->set_exit_code(host, 3);          // e.g. from LH_HOOK_TEST_STOP
 *   if (rc) rc->set_user_count(host, 50, 10.0);   // 50 users, 10 started a second
 *
 * Stopping the test is lh_host.request_quit (host.h). Every change goes
 * through the runner on the control thread, in the order asked; a function
 * called from a loop thread returns at once and the change follows within
 * milliseconds. NULL from a host of ABI 1.1.
 */
#ifndef LOADHOST_RUN_CONTROL_H
#define LOADHOST_RUN_CONTROL_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LH_HOST_RUN_CONTROL_ID "loadhost.run-control/1"

typedef struct lh_host_run_control {
  uint32_t size; /* sizeof(lh_host_run_control) */

  /* [thread-safe] The exit code of the loadhost process (Locust's
   * environment.process_exit_code), taken modulo 256 as the system does.
   * It wins over every code loadhost would pick from the results (failed
   * requests, exceptions, --exit-code-on-error, a report not written); not
   * over a usage error or a test that could not run as given (exit 2). The
   * last call wins. */
  void (*set_exit_code)(const lh_host *host, int32_t code);

  /* [thread-safe] Changes the running test's user count and spawn rate
   * (users per second; 0 = all at once), as the web UI's edit does: the
   * most recent users stop first. Ignored (with a warning) when no test
   * is running here — between tests, on a master or a worker (the master
   * decides) — and while a load shape drives the test (its next tick
   * would undo it). */
  void (*set_user_count)(const lh_host *host, uint32_t users, double spawn_rate);

  /* [thread-safe] Users alive now on this process's loops (0 on a master:
   * its users run on the workers). */
  uint64_t (*user_count)(const lh_host *host);
} lh_host_run_control;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_RUN_CONTROL_H */
