/* loadhost C ABI — plugin-defined command-line options and quick modes.
 *
 * A protocol plugin may add its own flags to `loadhost` (Locust's
 * init_command_line_parser) and a default user driven by them, so that
 *
 *   loadhost --plugin grpc --headless -u 50 -t 30s --proto greeter.proto \
 *            --call helloworld.Greeter/SayHello -d '{"name":"x"}' grpc://127.0.0.1:50051
 *
 * runs a load test with no scenario file. `loadhost --help` lists the options
 * of every loaded plugin.
 *
 *   lh_protocol.get_extension(protocol, LH_PLUGIN_OPTIONS_ID)
 *     -> const lh_plugin_options *, or NULL when the plugin adds none.
 *
 * The values reach the plugin (and any scenario) through lh_host.option(name):
 * the text given, the default when not given, absent when neither; "1" for a
 * flag that is set; the values of a repeatable option joined with '\n'.
 */
#ifndef LOADHOST_OPTIONS_H
#define LOADHOST_OPTIONS_H

#include "scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LH_PLUGIN_OPTIONS_ID "loadhost.plugin-options/1"

enum {
  LH_OPTION_FLAG = 1u << 0,      /* takes no value: --insecure-grpc */
  LH_OPTION_REPEATABLE = 1u << 1 /* may be given more than once: -M k:v -M k2:v2 */
};

/* One option. All text static (valid until deinit). */
typedef struct lh_option_spec {
  uint32_t size;             /* sizeof(lh_option_spec) */
  const char *name;          /* long name without dashes: "proto" -> --proto */
  const char *short_name;    /* one letter without the dash ("d"), or NULL */
  const char *value_name;    /* shown in --help ("FILE"); NULL for flags */
  const char *help;          /* one line for --help */
  const char *default_value; /* NULL = none */
  uint32_t flags;            /* LH_OPTION_* */
} lh_option_spec;

typedef struct lh_plugin_options {
  uint32_t size;                 /* sizeof(lh_plugin_options) */
  uint32_t option_count;
  const lh_option_spec *options; /* option_count entries, static */
  /* Quick mode: the user class run by `loadhost [options] URL` without -f,
   * when the URL's scheme is one of this protocol's url_schemes; NULL = no
   * quick mode. The URL is the run option "quick-url"; the class reads its
   * settings with lh_host.option. Static, valid until deinit. */
  const lh_user_class *quick_user;
} lh_plugin_options;

#ifdef __cplusplus
}
#endif
#endif /* LOADHOST_OPTIONS_H */
