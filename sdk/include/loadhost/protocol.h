/* loadhost C ABI — protocol plugins.
 *
 * A protocol plugin turns generic requests (call.h) into traffic. It keeps
 * per-user state in sessions; it does I/O on the user's loop thread through
 * the host's transport (host.h: conn_*), or on threads of its own that hand
 * results back with a waker. It completes each call exactly once with
 * lh_host.call_complete; the host measures and reports.
 *
 *   get_factory(LH_PROTOCOL_FACTORY_ID) -> lh_protocol_factory
 */
#ifndef LOADHOST_PROTOCOL_H
#define LOADHOST_PROTOCOL_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LH_PROTOCOL_FACTORY_ID "loadhost.protocol/1"

/* Who the plugin is. All text static (valid until deinit). */
typedef struct lh_descriptor {
  uint32_t size;
  const char *id;          /* unique, [a-z0-9_-]: "http1", "grpc" */
  const char *name;        /* "HTTP/1.1" */
  const char *vendor;
  const char *version;     /* the plugin's own version */
  const char *description; /* one line */
  /* URL schemes this protocol serves, comma separated ("http,https"), or
   * NULL. A session whose base URL has one of them picks this protocol. */
  const char *url_schemes;
} lh_descriptor;

typedef struct lh_protocol lh_protocol;

/* What the host hands to session_create. Valid only during the call. */
typedef struct lh_session_config {
  uint32_t size;
  lh_loop *loop;          /* the loop the session lives on, for its life */
  lh_str base_url;        /* "https://shop.example:8443"; may be empty */
  const lh_kv *options;   /* protocol options, from the scenario */
  size_t option_count;
  lh_str user_class;      /* the owning user's class name */
} lh_session_config;

struct lh_protocol {
  const lh_descriptor *descriptor;

  /* [loop-thread] Creates a session: per-user state (connections, cookies).
   * No I/O is required here; connect lazily. Returns the plugin's session
   * object, or NULL with a one-line reason in *error (static or valid until
   * the next session_create on this loop). */
  void *(*session_create)(const lh_protocol *protocol,
                          const lh_session_config *config, lh_str *error);

  /* [loop-thread] Destroys a session. The host has cancelled (call_cancel)
   * every call in flight on it first. The plugin closes its connections and
   * frees everything; no callback for this session may run afterwards. */
  void (*session_destroy)(void *session);

  /* [loop-thread] Starts `request` on the session. The plugin completes it
   * later (or right away, for an immediate error) with
   * lh_host.call_complete(call, ...), exactly once, unless call_cancel comes
   * first. `request` and what it points to are valid only during this call.
   * `call` is valid until completed or cancelled. */
  void (*call_start)(void *session, lh_call *call, const lh_request *request);

  /* [loop-thread] The host gives up on `call` (timeout, user stopped). The
   * plugin forgets it and must not complete it. For a protocol that cannot
   * abandon one exchange alone (HTTP/1.1) this closes the connection. */
  void (*call_cancel)(void *session, lh_call *call);

  /* [control-thread] Extension by versioned id, or NULL. */
  const void *(*get_extension)(const lh_protocol *protocol, const char *id);
};

typedef struct lh_protocol_factory {
  uint32_t size;
  uint32_t count;                                   /* protocols provided */
  /* [control-thread] The index-th protocol, valid until deinit. */
  const lh_protocol *(*get)(uint32_t index);
} lh_protocol_factory;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_PROTOCOL_H */
