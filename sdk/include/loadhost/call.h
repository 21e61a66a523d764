/* loadhost C ABI — the generic request a protocol plugin serves.
 *
 * A scenario asks the host to start a call on a session (host.h); the host
 * stamps the start, hands the request to the protocol plugin (protocol.h),
 * the plugin completes it with a response, the host stamps the end, reports
 * the request event and gives the result back to the scenario.
 */
#ifndef LOADHOST_CALL_H
#define LOADHOST_CALL_H

#include "events.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lh_call lh_call; /* one request in flight, owned by the host */

/* Request flags. */
enum {
  /* The host does not report the event at completion: the caller decides
   * success or failure (Locust's catch_response) and reports the event it
   * got in lh_call_result through lh_host.report. */
  LH_REQUEST_DEFER_REPORT = 1u << 0,
  /* Do not follow redirects (protocols that have them). */
  LH_REQUEST_NO_REDIRECTS = 1u << 1,
  /* The caller does not need the body: the plugin may drop it as it reads
   * (bytes are still counted). */
  LH_REQUEST_DISCARD_BODY = 1u << 2
};

/* A generic request. Every pointer is owned by the caller and valid only
 * during the call that takes the request (lh_host.call_start,
 * lh_protocol.call_start): a plugin copies what it keeps. */
typedef struct lh_request {
  uint32_t size;       /* sizeof(lh_request) */
  uint32_t flags;      /* LH_REQUEST_* */
  lh_str operation;    /* protocol verb: "GET", "publish", "query" ... */
  lh_str target;       /* path, full URL, topic, method name ... */
  const lh_kv *metadata; /* headers / metadata, in order */
  size_t metadata_count;
  lh_str body;
  lh_str name;         /* stats name; absent or empty = target */
  uint64_t timeout_us; /* 0 = the session's default */
  /* When this request should have started (host clock), for the latency
   * from the intended start; 0 = the host's own: the iteration's intended
   * start shifted to this call (docs/workload-models.md), or none. Only
   * copied into the event. */
  uint64_t intended_start_ns;
} lh_request;

/* A generic response, filled by the plugin. Every pointer is owned by the
 * plugin and valid only during lh_host.call_complete. */
typedef struct lh_response {
  uint32_t size;       /* sizeof(lh_response) */
  int64_t status;      /* HTTP status, gRPC code ... 0 when none */
  /* NULL data = success; else a one-line reason ("connection refused",
   * "HTTP 503 Service Unavailable"). Protocol rule for what is a failure is
   * the plugin's (HTTP: status >= 400, as in Locust). */
  lh_str error;
  const lh_kv *metadata; /* response headers, then trailers, in order */
  size_t metadata_count;
  lh_str body;           /* empty when LH_REQUEST_DISCARD_BODY was set */
  lh_str url;            /* final URL after redirects; may be absent */
  uint64_t bytes_sent;     /* on the wire for this request */
  uint64_t bytes_received; /* body bytes received (Locust's content size) */
  /* Since ABI 1.1 (the host reads it only when `size` covers it):
   * LH_RESPONSE_* flags. */
  uint32_t flags;
} lh_response;

/* Response flags. */
enum {
  /* The call failed because no connection to its target could be made
   * (refused, unreachable, timed out connecting, no descriptor left); the
   * error says which. The host paces the user's next attempts after
   * consecutive ones (docs/cli.md, --no-connect-backoff), so that a dead
   * target does not burn a core and fill memory with failure records. Not
   * for a server that answered with an error. */
  LH_RESPONSE_NOT_CONNECTED = 1u << 0
};

/* What the caller of lh_host.call_start gets back. Valid only during the
 * done callback. `event` is the request event as the host built it (and
 * reported, unless LH_REQUEST_DEFER_REPORT). */
typedef struct lh_call_result {
  uint32_t size;
  const lh_response *response;
  const lh_request_event *event;
} lh_call_result;

/* [loop-thread] Completion callback of lh_host.call_start. It runs inside
 * the plugin's completion: it must not start or cancel calls, close the
 * session or destroy the user. Copy what you need and continue later with
 * lh_host.post. */
typedef void (*lh_call_done_fn)(void *ud, const lh_call_result *result);

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_CALL_H */
