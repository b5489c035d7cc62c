/* SPDX-License-Identifier: Apache-2.0
 *
 * render_logs.c: one log record as one terminal line, like the log pane of
 * otel-tui:  time  SEVERITY  service  body  [trace <id>]
 * The severity comes from severity_text, else from severity_number (the
 * spec's ranges TRACE 1-4 ... FATAL 21-24); it is coloured by level.
 * Telemetry strings go through term_escape.c (newlines in the body as
 * spaces, other control characters shown as text).
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

static const char *severity_name(int n) {
  static const char *const names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  if (n < 1 || n > 24) return "-";
  return names[(n - 1) / 4];
}

static const char *severity_colour(int n) {
  if (n >= 17) return "\x1b[1;31m";
  if (n >= 13) return "\x1b[33m";
  if (n >= 9) return "\x1b[32m";
  return "\x1b[2m";
}

char *vw_render_log(const vw_log_t *l, const vw_render_opts_t *o) {
  vw_buf_t b = {0};
  char clock[16];
  vw_format_clock(l->time_ns, clock, sizeof clock);
  const char *sev = l->severity_text[0] ? l->severity_text : severity_name(l->severity_number);
  char *sev_text = vw_term_escape(sev);
  if (!sev_text) return NULL;
  if (o->color) {
    vw_buf_printf(&b, "\x1b[2m%s\x1b[0m %s%-5s\x1b[0m \x1b[36m", clock,
                  severity_colour(l->severity_number), sev_text);
    vw_term_text(&b, l->service);
    vw_buf_put(&b, "\x1b[0m ");
  } else {
    vw_buf_printf(&b, "%s %-5s ", clock, sev_text);
    vw_term_text(&b, l->service);
    vw_buf_put(&b, " ");
  }
  free(sev_text);
  vw_term_line(&b, l->body); /* one line: newlines in the body are shown as spaces */
  if (l->has_trace) {
    char tid[33];
    vw_hex(l->trace_id, 16, tid);
    vw_buf_printf(&b, "%s trace=%s%s", o->color ? "\x1b[2m" : "", tid, o->color ? "\x1b[0m" : "");
  }
  vw_buf_put(&b, "\n");
  return vw_buf_take(&b);
}
