/* loadhost C ABI — which user's code runs on a loop, for the crash report.
 *
 * When a scenario crashes (a task dereferences NULL), the host's fatal-signal
 * handler prints, with async-signal-safe writes only, which user class and
 * task were running on the crashing thread, then lets the process die as the
 * signal says. The host knows the user when it calls into a scenario
 * (create, start, stop, a call's done callback); the scenario's own resumes
 * (a timer, a posted continuation) and its task names are the scenario's to
 * note, in its loop's slot:
 *
 *   const lh_host_running *r = host->get_extension(host, LH_HOST_RUNNING_ID);
 *   lh_running *slot = r ? r->slot(loop) : NULL;
 *   lh_running saved = *slot;
 *   slot->user = user; slot->task = "checkout";
 *   ... run the user's code ...
 *   *slot = saved;
 *
 * NULL from a host that does not offer it. Two stores per resume: no cost
 * worth measuring.
 */
#ifndef LOADHOST_RUNNING_H
#define LOADHOST_RUNNING_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LH_HOST_RUNNING_ID "loadhost.running/1"

/* What runs now on one loop. Written and read on the loop's thread only
 * (the reader is the host's signal handler, on that thread). */
typedef struct lh_running {
  lh_user *user;    /* the user whose code runs, or NULL; the host clears it
                     * when that user is destroyed */
  const char *task; /* its task's name, NUL-terminated, valid while it is
                     * here (replace it before freeing it), or NULL */
} lh_running;

typedef struct lh_host_running {
  uint32_t size; /* sizeof(lh_host_running) */
  /* [loop-thread] The slot of `loop`; valid until deinit. */
  lh_running *(*slot)(lh_loop *loop);
} lh_host_running;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_RUNNING_H */
