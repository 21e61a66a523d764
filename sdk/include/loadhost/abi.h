/* loadhost C ABI — basic types, version and the plugin entry.
 *
 * This header and its siblings are the whole contract between a loadhost host
 * and a plugin (.so). Rules that hold for every function in them:
 *
 *  - Only C types cross: fixed-width integers, bool, UTF-8 text as pointer +
 *    length (lh_str), enums as uint32_t, function pointers whose first
 *    argument is the object they act on, opaque pointers for the other side.
 *    No C++ types, no exceptions: a C++ plugin catches everything at the edge.
 *  - Whoever creates an object destroys it. The lifetime of every pointer is
 *    written next to it. Nothing is freed across the boundary.
 *  - Every function carries the thread it may be called on:
 *      [loop-thread]    the event-loop thread that owns the object (a user,
 *                       its session and its calls live on one loop for life);
 *      [control-thread] the host's single control thread (loading, runner);
 *      [thread-safe]    any thread, any time between init and deinit.
 *  - Published structs never change. Growth comes through new extension ids
 *    (get_extension returns a table or NULL) or through a leading `size`
 *    field that the reader checks before touching newer fields.
 *
 * Versioning: a host loads a plugin only when LH_ABI_VERSION_MAJOR matches.
 * A minor bump only adds (extension ids, fields behind `size`).
 *
 * Compiles as C11 and as C++ (-Wall -Wextra -pedantic -Werror).
 */
#ifndef LOADHOST_ABI_H
#define LOADHOST_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LH_ABI_VERSION_MAJOR 1u
#define LH_ABI_VERSION_MINOR 3u

/* The name of the one symbol every plugin exports (a `const lh_entry`). */
#define LH_ENTRY_SYMBOL "loadhost_entry"

#if defined(_WIN32)
#define LH_EXPORT __declspec(dllexport)
#else
#define LH_EXPORT __attribute__((visibility("default")))
#endif

typedef struct lh_abi_version {
  uint32_t major;
  uint32_t minor;
} lh_abi_version;

/* UTF-8 text or bytes, not NUL-terminated. `data == NULL` means "absent",
 * which differs from empty (`data != NULL, size == 0`) where a field says so
 * (an error text: absent = success). The owner and lifetime of `data` are
 * stated wherever an lh_str appears. */
typedef struct lh_str {
  const char *data;
  size_t size;
} lh_str;

/* One key/value pair: an HTTP header, gRPC metadata, an option. */
typedef struct lh_kv {
  lh_str key;
  lh_str value;
} lh_kv;

typedef struct lh_host lh_host; /* host.h */

/* The entry: `LH_EXPORT const lh_entry loadhost_entry = {...};`
 *
 * Lifecycle, driven by the host on its control thread:
 *   dlopen(RTLD_NOW | RTLD_LOCAL) -> check abi.major -> init(host)
 *   -> get_factory(...) any number of times -> (sessions, users, calls)
 *   -> deinit() -> dlclose.
 * The host calls deinit only when no timer, watch, wake, call or user of
 * this plugin can run any more; after deinit returns the plugin must have
 * joined every thread it started, and no plugin code may run again. */
typedef struct lh_entry {
  /* First field, always. Set to {LH_ABI_VERSION_MAJOR, LH_ABI_VERSION_MINOR}
   * of the headers the plugin was built with. */
  lh_abi_version abi;

  /* [control-thread] Called once after loading. `host` stays valid until
   * deinit returns. `plugin_path` is the file loaded, valid during the call.
   * Returns NULL on success, or a one-line reason the plugin cannot run
   * (static storage or valid until the library is unloaded); on failure
   * deinit is not called and the library is unloaded. */
  const char *(*init)(const lh_host *host, const char *plugin_path);

  /* [control-thread] Called once, last, if init succeeded. */
  void (*deinit)(void);

  /* [control-thread] Returns the factory table for `factory_id`, or NULL
   * when the plugin provides none of that kind. Known ids:
   *   LH_PROTOCOL_FACTORY_ID (protocol.h), LH_SCENARIO_FACTORY_ID
   *   (scenario.h). The table is owned by the plugin, valid until deinit. */
  const void *(*get_factory)(const char *factory_id);
} lh_entry;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_ABI_H */
