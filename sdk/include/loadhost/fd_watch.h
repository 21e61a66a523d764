/* loadhost C ABI — watching a plugin's own file descriptor on a loop.
 *
 * For libraries that own their sockets and offer a non-blocking API (libpq,
 * c-ares, a vendor's client library): the plugin asks to be told, on the
 * loop thread, when its descriptor is readable or writable, and does the I/O
 * itself — no threads, no blocking. (Protocols that only need TCP/TLS use the
 * host-owned transport instead: lh_host.conn_*.)
 *
 *   const lh_host_fd_watch *w = host->get_extension(host, LH_HOST_FD_WATCH_ID);
 *   NULL from a host that does not offer it.
 */
#ifndef LOADHOST_FD_WATCH_H
#define LOADHOST_FD_WATCH_H

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LH_HOST_FD_WATCH_ID "loadhost.fd-watch/1"

typedef struct lh_fd_watch lh_fd_watch;

typedef uint32_t lh_fd_events;
enum {
  LH_FD_READABLE = 1u << 0,
  LH_FD_WRITABLE = 1u << 1,
  LH_FD_ERROR = 1u << 2 /* the descriptor failed; stop using it */
};

/* [loop-thread] The descriptor is ready for `ready` (one or more bits). */
typedef void (*lh_fd_fn)(void *ud, lh_fd_events ready);

typedef struct lh_host_fd_watch {
  uint32_t size; /* sizeof(lh_host_fd_watch) */

  /* [loop-thread] Watches `fd` on `loop`. The descriptor stays the plugin's:
   * the host never reads, writes or closes it. Returns NULL when the
   * descriptor cannot be watched. Owned by the caller until destroy. */
  lh_fd_watch *(*create)(lh_loop *loop, int fd, lh_fd_fn fn, void *ud);

  /* [loop-thread] One-shot: fn runs once, later (never inside this call),
   * when fd is ready for any of `events`; arm again to wait again. Arming an
   * armed watch replaces the events it waits for. */
  void (*arm)(lh_fd_watch *watch, lh_fd_events events);

  /* [loop-thread] Stops and frees the watch; fn never runs after this
   * returns. Call it before closing the descriptor. */
  void (*destroy)(lh_fd_watch *watch);
} lh_host_fd_watch;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_FD_WATCH_H */
