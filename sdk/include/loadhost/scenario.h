/* loadhost C ABI — scenarios: user classes and their factory.
 *
 * A scenario is a plugin that provides user classes (usually written with the
 * C++ layer, sdk/include/loadhost/loadhost.hpp, which fills these tables).
 * The host decides how many users of each class run and on which loop; the
 * scenario runs each user's tasks.
 *
 *   get_factory(LH_SCENARIO_FACTORY_ID) -> lh_scenario
 */
#ifndef LOADHOST_SCENARIO_H
#define LOADHOST_SCENARIO_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LH_SCENARIO_FACTORY_ID "loadhost.scenario/1"

/* One task of a user class, as lh_user_class.describe_tasks reports it
 * (since ABI 1.2). Valid during the visit only. */
typedef struct lh_task_info {
  uint32_t size;
  uint32_t depth;     /* 0: the class's own tasks; 1: a TaskSet's; ... */
  lh_str name;        /* the task's name: .name(...), a TaskSet's type, else "#N" */
  uint32_t weight;    /* relative to the other tasks of the same holder */
  bool is_task_set;   /* its own tasks follow, at depth + 1 */
  /* The code the task runs (a non-virtual member function), or NULL: a host
   * may name a task whose name is a "#N" default after this function's
   * symbol. Never called through. */
  const void *function;
} lh_task_info;
typedef void (*lh_task_visit_fn)(void *ud, const lh_task_info *task);

/* One user class. All text static (valid until deinit). */
typedef struct lh_user_class lh_user_class;
struct lh_user_class {
  uint32_t size;
  const char *name;
  /* Relative weight among classes without fixed_count (Locust's `weight`). */
  uint32_t weight;
  /* When > 0, exactly this many users of the class run, whatever the
   * total (Locust's `fixed_count`); they are spawned first. */
  uint32_t fixed_count;
  /* The class's default target ("http://127.0.0.1:8080"), or NULL: the run
   * option "host" (-H) wins over it. */
  const char *default_host;

  /* [loop-thread] Creates one user. `user` is the host's handle, valid until
   * destroy returns. Returns the instance, or NULL (counted as a user error,
   * with the reason in *error, static or valid until the next create). */
  void *(*create)(const lh_user_class *cls, lh_user *user, lh_str *error);
  /* [loop-thread] Begins the user's life: on_start, then its tasks. Runs
   * asynchronously (timers, calls); the user calls lh_host.user_finished
   * when its life is over. */
  void (*start)(void *instance);
  /* [loop-thread] Asks the user to stop: it finishes its current task (or
   * stops waiting at once), runs on_stop, then calls user_finished. */
  void (*stop)(void *instance);
  /* [loop-thread] Frees the user, whatever state it is in (the host calls
   * it after user_finished, or after the stop timeout). The host has
   * cancelled the user's calls and closed its sessions first. */
  void (*destroy)(void *instance);

  /* ---- since ABI 1.2: the host reads these only when `size` covers them */

  /* [loop-thread] Optional (NULL = the host kills the user instead, with no
   * on_stop). Stops the user now, as Locust stops one when there is no stop
   * timeout (-s): its current task is interrupted, then on_stop runs, then
   * the user calls lh_host.user_finished. From this call on the host runs no
   * done callback of a call the user started before it (those calls still
   * complete and are counted), and the user must not resume the interrupted
   * task from its own timers or posts either; calls started from now on (by
   * on_stop) complete as usual. If user_finished has not come within the
   * host's bound (a few seconds: a hung on_stop cannot hold the test's
   * end), the host kills the user. Called at most once per user, and never
   * after stop. */
  void (*interrupt)(void *instance);

  /* [control-thread] Optional (NULL = the class cannot tell). Reports the
   * tasks a new user of this class would run, after --tags/--exclude-tags:
   * `visit` once per task, depth first (a TaskSet's own tasks follow its
   * entry at depth + 1). For `loadhost -l` and --show-task-ratio: the
   * scenario builds the user without the host (no lh_user, no session, no
   * timer) and drops it. Returns NULL, or why it could not (a constructor
   * threw; static or valid until the next call). */
  const char *(*describe_tasks)(const lh_user_class *cls, lh_task_visit_fn visit, void *ud);

  /* ---- since ABI 1.3: the host reads these only when `size` covers them
   * (docs/workload-models.md). */

  /* [loop-thread] Optional (NULL = the class can only run closed: the host
   * refuses an arrival rate for it). The open model: the host asks an idle
   * user — one that has called lh_host.iteration_done — to run ONE
   * iteration: a task picked by the usual weights, with no wait_time after
   * it; when it has ended (however: an error, RescheduleTask) the user calls
   * lh_host.iteration_done again. StopUser ends the user as in the closed
   * model. Never called while the user runs an iteration, nor after stop,
   * interrupt or user_finished. */
  void (*run_iteration)(void *instance);
  /* The class's own open-model defaults (a scenario's
   * `static constexpr double arrival_rate = 100;`): iterations started per
   * second, users started up front, and the pool's ceiling. arrival_rate 0
   * = the class is closed unless the command line makes it open (then the
   * other two are ignored); 0 in the others = the host's defaults. */
  double arrival_rate;
  uint32_t pre_allocated_users;
  uint32_t max_users;
};

/* A load shape: polled by the host once a second on the control thread.
 * The host zeroes the struct and sets `size` to its own sizeof before each
 * call; the scenario writes a field only when `size` covers it. */
typedef struct lh_shape_tick {
  uint32_t size;
  bool stop;           /* true: the test ends now (the others are ignored) */
  uint32_t users;      /* target user count */
  double spawn_rate;   /* users per second */
  /* Since ABI 1.2 (Locust's 3-tuple tick): the user classes of this stage,
   * by lh_user_class.name; class_count 0 = every class. Users of the other
   * classes stop; new users are of these classes, by weight. The array and
   * its strings are the scenario's, valid until the next shape_tick call
   * or deinit. A name the scenario does not define stops the test, failed,
   * with a line naming it. */
  uint32_t class_count;
  const char *const *class_names;
  /* Since ABI 1.3: > 0 makes the run open from this tick on — this many
   * iterations a second, shared by weight among the classes without a
   * fixed_count, as --arrival-rate (docs/workload-models.md); `users` and
   * `spawn_rate` then size only the closed classes. The first tick must
   * give it; later ticks change the rate from their moment (0: none). */
  double arrival_rate;
} lh_shape_tick;

struct lh_plugin_options; /* options.h */

typedef struct lh_scenario {
  uint32_t size;
  uint32_t class_count;
  const lh_user_class *const *classes;
  /* [control-thread] Optional (NULL = no shape): fills *tick for
   * `run_time_s` seconds since the test started. */
  void (*shape_tick)(double run_time_s, uint64_t user_count, lh_shape_tick *tick);

  /* ---- since ABI 1.2: the host reads these only when `size` covers them */

  /* The shape's name for the start line and the reports ("Spike"), or
   * NULL. Static, valid until deinit. */
  const char *shape_name;
  /* The scenario's own command-line options (Locust's
   * init_command_line_parser), or NULL: `loadhost -f shop.cpp --help` lists
   * them, and their values reach the scenario through lh_host.option, as
   * a plugin's do (options.h; `quick_user` is ignored here). The host reads
   * the table after init and before parsing the command line, so a
   * scenario must not rely on run options during init. Static, valid
   * until deinit. */
  const struct lh_plugin_options *options;

  /* ---- since ABI 1.3: the host reads these only when `size` covers them */

  /* Pass/fail thresholds the scenario declares (docs/thresholds.md), e.g.
   * "p(95)<300ms" or "GET /cart: fail_ratio<0.01 abort-on-fail": the host
   * adds them to those of --threshold and the config file, checks them all
   * before any user starts (a malformed one stops the run, exit 2) and
   * evaluates them at the end (and, with abort-on-fail, once a second); a
   * failed one makes loadhost exit 99. On a worker they are ignored (its
   * master evaluates them). NULL when threshold_count is 0. The array and
   * its strings are static, valid until deinit; read after init. */
  const char *const *thresholds;
  uint32_t threshold_count;
} lh_scenario;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_SCENARIO_H */
