/* loadhost C ABI — what the host offers to plugins and scenarios.
 *
 * The host passes one `const lh_host *` to lh_entry.init; it stays valid
 * until deinit returns. Every function takes it (or an object it made) first.
 *
 * Objects the host creates for a plugin (loops, timers, wakers, connections,
 * sessions, users, calls) are opaque and owned by the host; the functions
 * below say when each one is valid.
 */
#ifndef LOADHOST_HOST_H
#define LOADHOST_HOST_H

#include "call.h"
#include "events.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lh_loop lh_loop;       /* one event-loop thread */
typedef struct lh_timer lh_timer;     /* a re-armable one-shot timer */
typedef struct lh_waker lh_waker;     /* wakes a loop from any thread */
typedef struct lh_conn lh_conn;       /* a host-owned TCP or TLS connection */
typedef struct lh_session lh_session; /* a user's session with a protocol */
typedef struct lh_user lh_user;       /* one simulated user */

typedef uint32_t lh_log_level;
enum {
  LH_LOG_DEBUG = 10,
  LH_LOG_INFO = 20,
  LH_LOG_WARNING = 30,
  LH_LOG_ERROR = 40
};

/* Options of a host-owned connection. Pointers are valid only during
 * conn_open. */
typedef struct lh_conn_options {
  uint32_t size;            /* sizeof(lh_conn_options) */
  lh_str host;              /* name or address to resolve */
  uint16_t port;
  bool tls;                 /* TLS on top of TCP */
  bool tls_verify;          /* verify the peer's certificate and name */
  lh_str tls_sni;           /* server name to send; absent = host. No SNI is
                             * sent for an IP address (RFC 6066). */
  lh_str alpn;              /* ALPN protocols in wire format ("\x02h2"); absent = none */
  uint64_t connect_timeout_us; /* 0 = host default; covers DNS, TCP and TLS */
} lh_conn_options;

/* Callbacks of a host-owned connection; all run on the connection's loop
 * thread. The table must stay valid as long as the connection. A callback may
 * call conn_write or conn_close on its own connection. */
typedef struct lh_conn_callbacks {
  uint32_t size;
  /* The connection is up (or, with error.data != NULL, failed: then the
   * connection is already closed and its handle invalid after this returns;
   * on_closed is not called). `alpn` is the protocol the server selected,
   * valid during the call. */
  void (*on_connected)(void *ud, lh_conn *conn, lh_str alpn, lh_str error);
  /* Bytes arrived. `data` is the host's read buffer, valid during the call. */
  void (*on_data)(void *ud, const uint8_t *data, size_t size);
  /* The peer closed (error absent) or the connection failed (error set).
   * The handle is invalid after this returns. Not called after conn_close. */
  void (*on_closed)(void *ud, lh_str error);
} lh_conn_callbacks;

/* [loop-thread] one-shot function for post/timers/wakers. */
typedef void (*lh_task_fn)(void *ud);

/* The services. */
struct lh_host {
  lh_abi_version abi; /* the host's ABI version */
  const char *name;   /* "loadhost", static */
  const char *version;

  /* [thread-safe] Returns an extension table by versioned id, or NULL. The
   * table is valid until deinit. */
  const void *(*get_extension)(const lh_host *host, const char *id);

  /* ---- clock and log ------------------------------------------------- */

  /* [thread-safe] The host's monotonic clock, in nanoseconds. Every event's
   * start is on this clock. */
  uint64_t (*now_ns)(const lh_host *host);

  /* [thread-safe] Writes one line to the host's log. `message` is valid
   * during the call. */
  void (*log)(const lh_host *host, lh_log_level level, lh_str message);

  /* [thread-safe] A run option by name ("host", "tags", "exclude-tags",
   * "insecure", or a plugin-defined one), as text; absent (data NULL) when
   * not set. The text is valid until deinit. */
  lh_str (*option)(const lh_host *host, const char *name);

  /* [thread-safe] Asks the runner to stop the test (a scenario's
   * "stop everything"). `reason` is valid during the call. */
  void (*request_quit)(const lh_host *host, lh_str reason);

  /* ---- loops ----------------------------------------------------------- */

  /* [loop-thread] Index of a loop, 0 .. loop_count-1. */
  uint32_t (*loop_index)(const lh_loop *loop);

  /* [loop-thread] Runs fn(ud) on `loop` after the current callback returns
   * (never inside this call). */
  void (*post)(lh_loop *loop, lh_task_fn fn, void *ud);

  /* [loop-thread] Creates a stopped timer on `loop`. Owned by the caller
   * until timer_destroy. */
  lh_timer *(*timer_create)(lh_loop *loop, lh_task_fn fn, void *ud);
  /* [loop-thread] (Re)arms the timer to fire once, `delay_us` from now.
   * Arming an armed timer moves it. */
  void (*timer_arm)(lh_timer *timer, uint64_t delay_us);
  /* [loop-thread] Disarms; fn will not run for the disarmed arming. */
  void (*timer_disarm)(lh_timer *timer);
  /* [loop-thread] Disarms and frees; fn never runs after this returns. */
  void (*timer_destroy)(lh_timer *timer);

  /* [loop-thread] Creates a waker: a thread-safe way for a plugin's own
   * threads (gRPC completion queues, Paho, a blocking driver) to have
   * fn(ud) run on `loop`. Owned by the caller until waker_destroy. */
  lh_waker *(*waker_create)(lh_loop *loop, lh_task_fn fn, void *ud);
  /* [thread-safe] Schedules fn(ud) on the waker's loop. Wakes coalesce:
   * several wakes before fn runs give one run, so fn drains a queue. */
  void (*waker_wake)(lh_waker *waker);
  /* [loop-thread] Frees the waker; fn never runs after this returns. The
   * caller must ensure no thread calls waker_wake during or after it. */
  void (*waker_destroy)(lh_waker *waker);

  /* ---- host-owned transport --------------------------------------------
   * TCP and TLS done by the host (Boost.Asio + OpenSSL), so a protocol plugin
   * is a parser and a state machine, and TLS is not its special case. */

  /* [loop-thread] Opens a connection; on_connected runs later (never inside
   * this call). The handle is valid until on_connected reports an error,
   * on_closed returns, or conn_close is called. Returns NULL only when the
   * host is out of memory (treat it as a failed connect). */
  lh_conn *(*conn_open)(lh_loop *loop, const lh_conn_options *options,
                        const lh_conn_callbacks *callbacks, void *ud);
  /* [loop-thread] Queues bytes to send; the host copies them. No callback
   * runs inside this call: errors show up later as on_closed. Writes before
   * on_connected are sent once connected. */
  void (*conn_write)(lh_conn *conn, const uint8_t *data, size_t size);
  /* [loop-thread] Closes the connection and frees the handle. No callback
   * of this connection runs after this returns. */
  void (*conn_close)(lh_conn *conn);

  /* ---- calls (used by scenarios; implemented by protocol plugins) ------- */

  /* [loop-thread] Opens a session of `user` with a protocol: the protocol
   * named by `protocol` (a plugin id such as "http1"), or when absent the
   * one registered for the scheme of `base_url`. `options` are protocol
   * options. Pointers are valid only during the call. Returns NULL when no
   * plugin serves it, with the reason in *error (valid until the next call
   * on this loop). The session is owned by the caller until session_close,
   * and is closed by the host when the user is destroyed. */
  lh_session *(*session_open)(lh_user *user, lh_str protocol, lh_str base_url,
                              const lh_kv *options, size_t option_count,
                              lh_str *error);
  /* [loop-thread] Closes a session; calls in flight are cancelled without
   * their done callback, as call_cancel does. */
  void (*session_close)(lh_session *session);

  /* [loop-thread] Starts a request on a session. The host stamps the start,
   * enforces the timeout, reports the event (unless
   * LH_REQUEST_DEFER_REPORT) and runs done(ud, result) exactly once, never
   * inside this call, unless the call is cancelled first. The returned
   * handle is valid until done returns or call_cancel is called. */
  lh_call *(*call_start)(lh_session *session, const lh_request *request,
                         lh_call_done_fn done, void *ud);
  /* [loop-thread] Cancels a call in flight: done will not run, nothing is
   * reported, and the call no longer counts in the run's requests_sent (the
   * caller withdrew it). A call the host ends instead — a timeout, or the
   * test stopping before an answer ("interrupted: ...") — is reported. */
  void (*call_cancel)(lh_call *call);

  /* [loop-thread] For protocol plugins: completes a call that the plugin
   * got through lh_protocol.call_start. `response` is owned by the plugin
   * and read during this call only. Exactly once per call, unless the host
   * cancelled it (lh_protocol.call_cancel). */
  void (*call_complete)(lh_call *call, const lh_response *response);

  /* ---- reporting and users ------------------------------------------ */

  /* [loop-thread] Reports a request event into the stats of `loop` (a
   * plugin's own events: a message received, a frame; or a deferred call).
   * The event is read during this call only. */
  void (*report)(lh_loop *loop, const lh_request_event *event);

  /* [loop-thread] The loop a user lives on, for its whole life. */
  lh_loop *(*user_loop)(const lh_user *user);
  /* [loop-thread] Records an error that escaped a user's task (counted in
   * the exceptions table; fires LH_HOOK_USER_ERROR). `message` is read
   * during the call only. */
  void (*user_error)(lh_user *user, lh_str message);
  /* [loop-thread] The user has finished its life (after on_stop, or after
   * StopUser). The host destroys it later, never inside this call. */
  void (*user_finished)(lh_user *user);

  /* ---- event hooks ----------------------------------------------------- */

  /* [control-thread] Subscribes fn to one kind of hook. Returns an id > 0 for
   * hook_unsubscribe. `ud` must stay valid until unsubscribed or deinit.
   * Loop-thread kinds (REQUEST, USER_ERROR) subscribed while a test runs
   * take effect at the next test start. */
  uint64_t (*hook_subscribe)(const lh_host *host, lh_hook_kind kind,
                             lh_hook_fn fn, void *ud);
  /* [control-thread] No callback runs for `id` after this returns. */
  void (*hook_unsubscribe)(const lh_host *host, uint64_t id);

  /* ---- since ABI 1.3: read these only when abi.minor >= 3 -------------
   * The open workload model and corrected latency
   * (docs/workload-models.md). */

  /* [loop-thread] True when the host drives `user` by arrival rate (the
   * open model): after on_start the user calls iteration_done and waits for
   * lh_user_class.run_iteration instead of looping over its tasks. Fixed
   * for the user's life; read it after on_start. */
  bool (*user_is_open)(const lh_user *user);
  /* [loop-thread] An open-model user is idle: once after on_start, then
   * after each iteration run_iteration started. The host may call
   * run_iteration again only after this returns (never inside it). Ignored
   * for a closed user or one that is stopping. */
  void (*iteration_done)(lh_user *user);
  /* [loop-thread] A closed-model user with a paced wait time
   * (constant_pacing, constant_throughput) begins an iteration that should
   * have begun at `intended_start_ns` (host clock: the previous intended
   * start plus the period, never reset, as wrk2 does). Every call the user
   * starts until its next iteration_begins gets an intended start that late
   * (lh_request.intended_start_ns, when set, wins), so the stats measure
   * its latency from the intended start too. Open-model users need not call
   * it: the host knows their schedule. */
  void (*iteration_begins)(lh_user *user, uint64_t intended_start_ns);
  /* [loop-thread] A call of `user` started with LH_REQUEST_DEFER_REPORT
   * completed, but its report will never be made: the task that was to
   * judge it (catch_response) was interrupted by the stop before it saw the
   * result. The host takes the call back from the sent count, as it does a
   * call the scenario cancels, so requests_sent still equals the requests
   * counted. (Locust drops a catch_response block a stop cuts, too.) */
  void (*deferred_report_dropped)(lh_user *user);
};

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_HOST_H */
