/* line_echo.h — what the two files of the lineecho example share. */
#ifndef LINE_ECHO_H
#define LINE_ECHO_H

#include <loadhost/loadhost.h>

#include <string.h>

/* An lh_str over a NUL-terminated C string. */
static inline lh_str str_of(const char *text) {
  lh_str s;
  s.data = text;
  s.size = strlen(text);
  return s;
}

/* The host's services: set by init, valid until deinit. */
extern const lh_host *g_host;

/* The plugin's command-line options and quick-mode user (line_echo_quick.c). */
const lh_plugin_options *line_echo_options(void);

#endif
