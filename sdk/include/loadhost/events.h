/* loadhost C ABI — the request event and the event hooks.
 *
 * Every protocol reports through one record, lh_request_event, so stats,
 * percentiles, CSV/JSON/HTML reports, thresholds and the distributed master
 * work for every plugin without the plugin doing anything more.
 */
#ifndef LOADHOST_EVENTS_H
#define LOADHOST_EVENTS_H

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One finished request (or any measured operation: a connect, a received
 * message). All lh_str fields are owned by the reporter and only need to
 * stay valid for the duration of the call that takes the event. */
typedef struct lh_request_event {
  uint32_t size;       /* sizeof(lh_request_event) of the reporter's headers */
  lh_str type;         /* stats key part 1: "GET", "grpc", "publish" ... */
  lh_str name;         /* stats key part 2: "/item/[id]", a method name */
  uint64_t start_ns;   /* host monotonic clock (lh_host.now_ns) at start */
  /* When the request should have started (host clock), or 0 = none: for a
   * call, the request's own, else start_ns minus its iteration's lateness
   * (an open-model slot, a paced user's schedule; docs/workload-models.md).
   * The stats keep a second, corrected histogram of the response time from
   * here (response_time_us + start_ns - intended_start_ns). */
  uint64_t intended_start_ns;
  uint64_t response_time_us; /* end - start, microseconds (the service time) */
  uint64_t bytes_sent;
  uint64_t bytes_received;   /* the "content size" of Locust's tables */
  int64_t status;            /* protocol status (HTTP code, gRPC code), or 0 */
  lh_str error;              /* NULL data = success; else one-line reason */
  lh_str user_class;         /* the reporting user's class, may be empty */
} lh_request_event;

/* Event hooks, fired at the points Locust fires them. */
typedef uint32_t lh_hook_kind;
enum {
  LH_HOOK_INIT = 1,              /* after plugins and scenario are loaded */
  LH_HOOK_TEST_START = 2,        /* a test begins (before spawning)       */
  LH_HOOK_TEST_STOPPING = 3,     /* stop requested, users still running   */
  LH_HOOK_TEST_STOP = 4,         /* all users stopped                     */
  LH_HOOK_REQUEST = 5,           /* each request event ([loop-thread])    */
  LH_HOOK_USER_ERROR = 6,        /* an error escaped a task               */
  LH_HOOK_SPAWNING_COMPLETE = 7, /* the target user count is reached      */
  LH_HOOK_RESET_STATS = 8,       /* stats were reset                      */
  LH_HOOK_QUITTING = 9,          /* the host is about to exit             */
  /* Since ABI 1.2. Locust 2.12 has no event for these two moments. */
  LH_HOOK_USER_ADD = 10,         /* a user was created, before on_start
                                  * ([loop-thread] of that user)          */
  LH_HOOK_USER_REMOVE = 11,      /* a user's life is over, before it is
                                  * destroyed ([loop-thread] of that user) */
  LH_HOOK_CPU_WARNING = 12       /* a loop thread was busy above the
                                  * threshold (Locust: 90 %) for a while;
                                  * fired on every check that finds it so  */
};

/* What a hook callback receives. Fields that do not apply to the kind are
 * zero / absent. Everything is valid only during the callback. Fields after
 * `user_count` exist since ABI 1.2: read them only when `size` covers them
 * (a host of ABI 1.1 passes a shorter struct). */
typedef struct lh_hook_args {
  uint32_t size;
  lh_hook_kind kind;
  const lh_request_event *request; /* LH_HOOK_REQUEST */
  lh_str user_class;               /* USER_ERROR, USER_ADD, USER_REMOVE */
  lh_str message;                  /* LH_HOOK_USER_ERROR: the error text */
  uint64_t user_count;             /* SPAWNING_COMPLETE, TEST_STOPPING,
                                    * RESET_STATS */
  /* LH_HOOK_USER_ERROR: where it escaped — the task's name (".name()" in
   * the C++ SDK, else "#N"), "on_start" or "on_stop"; absent when the
   * scenario did not say (running.h). */
  lh_str task;
  /* USER_ADD, USER_REMOVE: the user (host.h). Valid during the callback;
   * the loop's functions (user_loop) may be called with it. */
  struct lh_user *user;
  /* LH_HOOK_CPU_WARNING: the busiest loop thread's share of one core over
   * the check's window, in percent (0-100), and that loop's index. */
  double cpu_percent;
  uint32_t loop_index;
} lh_hook_args;

/* A hook callback. Thread: LH_HOOK_REQUEST, LH_HOOK_USER_ERROR,
 * LH_HOOK_USER_ADD and LH_HOOK_USER_REMOVE run on the loop thread of the
 * user concerned (keep them short: they are on the hot path of every loop);
 * every other kind runs on the control thread. A callback that wants to
 * change the run (stop it, change the user count, set the exit code) uses
 * lh_host.request_quit or the run-control extension (run_control.h), from
 * any of them. */
typedef void (*lh_hook_fn)(void *ud, const lh_hook_args *args);

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_EVENTS_H */
