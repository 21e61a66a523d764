/* line_echo.c — a loadhost protocol plugin in plain C11: the teaching example.
 *
 * The protocol is the smallest one that still has everything a real one has:
 * the client sends a line ending in '\n', the server sends the same line back
 * (the demo target serves it: `loadhost-demo-target --echo-port 0`).
 *
 *   id "lineecho", URL scheme lineecho://HOST:PORT, one operation "send"
 *   whose request body is the line (without '\n'); the response body is the
 *   echoed line, status 0.
 *
 * What it shows a plugin author:
 *   - the one exported symbol (loadhost_entry) and the factory behind it;
 *   - a session per user, connecting lazily through the host's transport
 *     (lh_host.conn_open): the host does TCP, timeouts and measuring, the
 *     plugin is only a parser and a small state machine;
 *   - completing each call exactly once (lh_host.call_complete), with a clear
 *     error text when the connection fails, and nothing after a cancel.
 *
 * line_echo_quick.c adds a command-line option and a quick mode (a user class
 * written in C).
 *
 * Everything here runs on the session's loop thread, so there are no locks.
 * Built with clang while the host is built with gcc: only C crosses the ABI.
 * See examples/plugins/CMakeLists.txt for the exact compiler flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line_echo.h"

/* Lines longer than this are refused (the demo server has the same limit). */
#define LINEECHO_MAX_LINE (64 * 1024)

/* The host's services: set by init, valid until deinit. */
const lh_host *g_host;

/* Everything one user holds: its connection and its call in flight. */
typedef struct line_echo_session {
  lh_loop *loop;          /* the loop this session lives on */
  char host[256];         /* from the base URL, NUL-terminated */
  uint16_t port;
  lh_conn *conn;          /* NULL until the first call, and after a close */
  lh_call *pending;       /* the call waiting for its echo, or NULL */
  uint64_t bytes_sent;    /* bytes the pending call wrote */
  char *inbox;            /* bytes received that are not a full line yet */
  size_t inbox_size;
  size_t inbox_capacity;
  char error_text[512];   /* the error of the call being completed */
} line_echo_session;

/* Completes `call` with `response`; the host measures and reports it. */
static void complete(lh_call *call, lh_str error, lh_str body, uint64_t sent, uint64_t received) {
  lh_response response;
  memset(&response, 0, sizeof response);
  /* The leading size tells the host which fields this plugin knows. */
  response.size = sizeof response;
  response.status = 0;
  response.error = error;
  response.body = body;
  response.bytes_sent = sent;
  response.bytes_received = received;
  g_host->call_complete(call, &response);
}

/* Completes the pending call with the error text in session->error_text. */
static void fail_pending(line_echo_session *session) {
  lh_call *call = session->pending;
  lh_str no_body = {NULL, 0};
  if (call == NULL) return;
  /* Forget the call first: after call_complete its handle is invalid. */
  session->pending = NULL;
  complete(call, str_of(session->error_text), no_body, session->bytes_sent, 0);
}

/* The connection is gone: drop its handle and any half-received line. */
static void forget_connection(line_echo_session *session) {
  session->conn = NULL;
  session->inbox_size = 0;
}

/* ---- connection callbacks (the host calls these on the loop thread) ---- */

/* The TCP connection is up, or could not be made. */
static void on_connected(void *ud, lh_conn *conn, lh_str alpn, lh_str error) {
  line_echo_session *session = ud;
  (void)conn;
  (void)alpn;
  /* Success: the line queued by call_start is on its way; wait for data. */
  if (error.data == NULL) return;
  /* Failure: the host has already closed the connection. */
  forget_connection(session);
  /* The queued line never reached the wire. */
  session->bytes_sent = 0;
  snprintf(session->error_text, sizeof session->error_text,
           "lineecho: cannot connect to %s:%u: %.*s", session->host, (unsigned)session->port,
           (int)error.size, error.data);
  fail_pending(session);
}

/* Bytes arrived: collect them until a '\n' completes the pending call. */
static void on_data(void *ud, const uint8_t *data, size_t size) {
  line_echo_session *session = ud;
  char *newline;
  /* Refuse a line that would grow without bound. */
  if (session->inbox_size + size > LINEECHO_MAX_LINE) {
    g_host->conn_close(session->conn);
    forget_connection(session);
    snprintf(session->error_text, sizeof session->error_text,
             "lineecho: answer longer than %d bytes without a newline", LINEECHO_MAX_LINE);
    fail_pending(session);
    return;
  }
  /* Grow the inbox when needed (the host's buffer is only lent to us). */
  if (session->inbox_size + size > session->inbox_capacity) {
    size_t capacity = session->inbox_capacity ? session->inbox_capacity * 2 : 256;
    char *grown;
    while (capacity < session->inbox_size + size) capacity *= 2;
    grown = realloc(session->inbox, capacity);
    if (grown == NULL) {
      g_host->conn_close(session->conn);
      forget_connection(session);
      snprintf(session->error_text, sizeof session->error_text, "lineecho: out of memory");
      fail_pending(session);
      return;
    }
    session->inbox = grown;
    session->inbox_capacity = capacity;
  }
  memcpy(session->inbox + session->inbox_size, data, size);
  session->inbox_size += size;

  /* Each complete line answers the pending call; one without a call is dropped. */
  while ((newline = memchr(session->inbox, '\n', session->inbox_size)) != NULL) {
    size_t line_length = (size_t)(newline - session->inbox);
    lh_call *call = session->pending;
    if (call != NULL) {
      lh_str line = {session->inbox, line_length};
      lh_str success = {NULL, 0};
      /* Forget the call before completing it, as in fail_pending. */
      session->pending = NULL;
      /* The body points into our inbox: valid for the duration of the call. */
      complete(call, success, line, session->bytes_sent, line_length + 1);
    }
    /* Drop the line (and its '\n') from the inbox. */
    session->inbox_size -= line_length + 1;
    memmove(session->inbox, newline + 1, session->inbox_size);
  }
}

/* The server closed the connection, or it failed. */
static void on_closed(void *ud, lh_str error) {
  line_echo_session *session = ud;
  forget_connection(session);
  if (error.data != NULL) {
    snprintf(session->error_text, sizeof session->error_text,
             "lineecho: connection to %s:%u failed: %.*s", session->host,
             (unsigned)session->port, (int)error.size, error.data);
  } else {
    snprintf(session->error_text, sizeof session->error_text,
             "lineecho: %s:%u closed the connection before answering", session->host,
             (unsigned)session->port);
  }
  /* A call still waiting will never get its echo: fail it. */
  fail_pending(session);
}

/* The callback table must outlive every connection: a static one does. */
static const lh_conn_callbacks k_conn_callbacks = {
    .size = sizeof(lh_conn_callbacks),
    .on_connected = on_connected,
    .on_data = on_data,
    .on_closed = on_closed};

/* ---- the protocol (the host calls these on the session's loop thread) ---- */

/* Reads "lineecho://HOST:PORT" (a trailing '/' allowed) into the session. */
static int parse_base_url(lh_str url, line_echo_session *session) {
  static const char scheme[] = "lineecho://";
  const size_t scheme_length = sizeof scheme - 1;
  size_t end = url.size;
  size_t colon;
  unsigned long port = 0;
  size_t i;
  /* The scheme must be ours. */
  if (url.data == NULL || url.size <= scheme_length || memcmp(url.data, scheme, scheme_length) != 0) {
    return 0;
  }
  /* Ignore one trailing '/'. */
  if (url.data[end - 1] == '/') end--;
  /* The port follows the last ':'. */
  colon = end;
  while (colon > scheme_length && url.data[colon - 1] != ':') colon--;
  if (colon <= scheme_length + 1 || colon == end) return 0;
  for (i = colon; i < end; i++) {
    if (url.data[i] < '0' || url.data[i] > '9') return 0;
    port = port * 10 + (unsigned long)(url.data[i] - '0');
    if (port > 65535) return 0;
  }
  /* The host is between the scheme and that ':'. */
  if (port == 0 || colon - 1 - scheme_length >= sizeof session->host) return 0;
  memcpy(session->host, url.data + scheme_length, colon - 1 - scheme_length);
  session->host[colon - 1 - scheme_length] = '\0';
  session->port = (uint16_t)port;
  return 1;
}

/* A user opens a session: remember where to connect; connect later. */
static void *session_create(const lh_protocol *protocol, const lh_session_config *config,
                            lh_str *error) {
  line_echo_session *session = calloc(1, sizeof *session);
  (void)protocol;
  /* Errors are static text: valid as long as the ABI asks. */
  if (session == NULL) {
    *error = str_of("lineecho: out of memory");
    return NULL;
  }
  if (!parse_base_url(config->base_url, session)) {
    free(session);
    *error = str_of("lineecho: base URL must be lineecho://HOST:PORT");
    return NULL;
  }
  /* Every connection of this session lives on the session's loop. */
  session->loop = config->loop;
  return session;
}

/* The user is gone: close the connection and free everything. */
static void session_destroy(void *ud) {
  line_echo_session *session = ud;
  /* The host cancelled our calls first; after conn_close no callback runs. */
  if (session->conn != NULL) g_host->conn_close(session->conn);
  free(session->inbox);
  free(session);
}

/* A request: write the line, complete when it comes back. */
static void call_start(void *ud, lh_call *call, const lh_request *request) {
  line_echo_session *session = ud;
  lh_str no_body = {NULL, 0};
  /* One line in flight per session: the answers carry no request id. */
  if (session->pending != NULL) {
    complete(call, str_of("lineecho: one request at a time"), no_body, 0, 0);
    return;
  }
  /* The only operation is "send". */
  if (request->operation.size != 4 || memcmp(request->operation.data, "send", 4) != 0) {
    complete(call, str_of("lineecho: unknown operation (the only one is \"send\")"), no_body, 0, 0);
    return;
  }
  /* The body is one line: a '\n' inside would make two requests of it. */
  if (request->body.size > 0 && memchr(request->body.data, '\n', request->body.size) != NULL) {
    complete(call, str_of("lineecho: the body must be one line, without '\\n'"), no_body, 0, 0);
    return;
  }
  /* Connect lazily, on the first call or after the last connection closed. */
  if (session->conn == NULL) {
    lh_conn_options options;
    memset(&options, 0, sizeof options);
    options.size = sizeof options;
    options.host = str_of(session->host);
    options.port = session->port;
    /* Plain TCP, the host's default connect timeout. */
    session->conn = g_host->conn_open(session->loop, &options, &k_conn_callbacks, session);
    if (session->conn == NULL) {
      complete(call, str_of("lineecho: the host could not open a connection"), no_body, 0, 0);
      return;
    }
  }
  /* Remember the call: on_data completes it when the echo arrives. */
  session->pending = call;
  session->bytes_sent = request->body.size + 1;
  /* Writes before on_connected are queued by the host and sent once connected. */
  if (request->body.size > 0) {
    g_host->conn_write(session->conn, (const uint8_t *)request->body.data, request->body.size);
  }
  g_host->conn_write(session->conn, (const uint8_t *)"\n", 1);
}

/* The host gives up on a call (timeout, user stopping): never complete it. */
static void call_cancel(void *ud, lh_call *call) {
  line_echo_session *session = ud;
  if (session->pending != call) return;
  session->pending = NULL;
  /* Its echo may still come and would answer the next call: hang up instead. */
  if (session->conn != NULL) {
    g_host->conn_close(session->conn);
    forget_connection(session);
  }
}

/* One extension: command-line options and a quick mode (line_echo_quick.c). */
static const void *get_extension(const lh_protocol *protocol, const char *id) {
  (void)protocol;
  return strcmp(id, LH_PLUGIN_OPTIONS_ID) == 0 ? line_echo_options() : NULL;
}

/* ---- what the plugin offers, and its entry ---- */

static const lh_descriptor k_descriptor = {
    .size = sizeof(lh_descriptor),
    .id = "lineecho",
    .name = "Line echo",
    .vendor = "loadhost examples",
    .version = "1.0.0",
    .description = "sends one line, waits for the same line back (teaching example in C)",
    .url_schemes = "lineecho"};

static const lh_protocol k_protocol = {
    .descriptor = &k_descriptor,
    .session_create = session_create,
    .session_destroy = session_destroy,
    .call_start = call_start,
    .call_cancel = call_cancel,
    .get_extension = get_extension};

/* The factory's only protocol. */
static const lh_protocol *factory_get(uint32_t index) { return index == 0 ? &k_protocol : NULL; }

static const lh_protocol_factory k_factory = {
    .size = sizeof(lh_protocol_factory), .count = 1, .get = factory_get};

/* Loaded: keep the host's services; nothing else to set up. */
static const char *plugin_init(const lh_host *host, const char *plugin_path) {
  (void)plugin_path;
  g_host = host;
  return NULL;
}

/* About to be unloaded: no session is left, no thread of ours to join. */
static void plugin_deinit(void) { g_host = NULL; }

/* The host asks for the kinds of factory it knows; we have a protocol one. */
static const void *plugin_get_factory(const char *factory_id) {
  return strcmp(factory_id, LH_PROTOCOL_FACTORY_ID) == 0 ? &k_factory : NULL;
}

/* The one exported symbol. Its first field is the ABI we were built against. */
LH_EXPORT const lh_entry loadhost_entry = {
    .abi = {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR},
    .init = plugin_init,
    .deinit = plugin_deinit,
    .get_factory = plugin_get_factory};
