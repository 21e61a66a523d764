/* line_echo_quick.c — lineecho's own command-line option and quick mode, and
 * a user class written in plain C.
 *
 *   loadhost -u 5 -t 10s --echo-text hello lineecho://127.0.0.1:7000
 *
 * runs QuickEcho users that send the line in a loop with no wait: no scenario
 * file. What it shows a plugin author:
 *   - lh_plugin_options: an option (--echo-text) that `loadhost --help` lists
 *     and that reaches the plugin through lh_host.option;
 *   - a user class (lh_user_class) in C: sessions and calls through the host,
 *     continuing after a result from a fresh stack (lh_host.post), and
 *     stopping when asked.
 */
#include <stdlib.h>
#include <string.h>

#include "line_echo.h"

/* One simulated user: its session with the lineecho protocol. */
typedef struct quick_user {
  lh_user *user;
  lh_loop *loop;
  lh_session *session; /* opened on start; the host closes it on destroy */
  int stopping;        /* set by stop: finish after the call in flight */
} quick_user;

static void send_next(void *ud);

/* A call finished. Its result is only valid here, and no call may start
 * inside this callback: continue from a fresh stack. */
static void on_done(void *ud, const lh_call_result *result) {
  quick_user *u = ud;
  (void)result; /* measured and reported by the host already */
  g_host->post(u->loop, send_next, u);
}

/* The user's loop: one line after the other, until stopped. */
static void send_next(void *ud) {
  quick_user *u = ud;
  if (u->stopping) {
    g_host->user_finished(u->user); /* the host destroys us later */
    return;
  }
  lh_str line = g_host->option(g_host, "echo-text");
  lh_request request;
  memset(&request, 0, sizeof request);
  request.size = sizeof request;
  request.operation = str_of("send");
  request.target = str_of("quick");
  request.body = line;
  g_host->call_start(u->session, &request, on_done, u);
}

static void *quick_create(const lh_user_class *cls, lh_user *user, lh_str *error) {
  (void)cls;
  (void)error;
  quick_user *u = calloc(1, sizeof *u);
  if (u == NULL) return NULL; /* the host counts it as a user error */
  u->user = user;
  u->loop = g_host->user_loop(user);
  return u;
}

static void quick_start(void *instance) {
  quick_user *u = instance;
  lh_str no_protocol = {NULL, 0}; /* chosen by the URL's scheme */
  lh_str why = {NULL, 0};
  u->session = g_host->session_open(u->user, no_protocol, g_host->option(g_host, "quick-url"), NULL, 0, &why);
  if (u->session == NULL) {
    g_host->user_error(u->user, why);
    g_host->user_finished(u->user);
    return;
  }
  send_next(u);
}

/* Stop after the call in flight (send_next sees the flag). */
static void quick_stop(void *instance) {
  quick_user *u = instance;
  u->stopping = 1;
}

/* The host cancelled our calls and closed our session before this. */
static void quick_destroy(void *instance) { free(instance); }

static const lh_user_class k_quick_user = {
    .size = sizeof(lh_user_class),
    .name = "QuickEcho",
    .weight = 1,
    .create = quick_create,
    .start = quick_start,
    .stop = quick_stop,
    .destroy = quick_destroy};

static const lh_option_spec k_options[] = {
    {.size = sizeof(lh_option_spec),
     .name = "echo-text",
     .value_name = "TEXT",
     .help = "the line lineecho's quick mode sends",
     .default_value = "ping"}};

static const lh_plugin_options k_plugin_options = {
    .size = sizeof(lh_plugin_options),
    .option_count = 1,
    .options = k_options,
    .quick_user = &k_quick_user};

const lh_plugin_options *line_echo_options(void) { return &k_plugin_options; }
