/* SPDX-License-Identifier: Apache-2.0
 *
 * console_log_exporter.c: an exporter writing each record as one line on a
 * stream (stdout by default): the stderr mirror's format followed by the
 * attributes as key=value. For development and OTEL_LOGS_EXPORTER=console;
 * the format is for people, not for parsing.
 */
#include <stdlib.h>
#include <string.h>

#include "logs_internal.h"

typedef struct console {
  FILE *stream;
} console_t;

static const char *service_of(const otel_log_record_t *rec) {
  const otel_attr_t *a = rec->resource ? otel_resource_get(rec->resource, "service.name") : NULL;
  return a && a->type == OTEL_ATTR_TYPE_STRING ? a->value.s : NULL;
}

static otel_err_t console_export(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  console_t *c = ctx;
  otel_err_t err = OTEL_OK;
  for (size_t i = 0; i < n; i++) {
    char stack[2048];
    char *line = stack;
    const char *service = service_of(recs[i]);
    size_t len = otel__log_format_line(recs[i], service, true, stack, sizeof(stack));
    if (len >= sizeof(stack)) {
      line = malloc(len + 1);
      if (!line) {
        line = stack;
        len = sizeof(stack) - 1;
      } else {
        otel__log_format_line(recs[i], service, true, line, len + 1);
      }
    }
    if (fwrite(line, 1, len, c->stream) != len) err = OTEL_EIO;
    if (line != stack) free(line);
  }
  return err;
}

static otel_err_t console_flush(void *ctx, uint32_t timeout_ms) {
  (void)timeout_ms;
  console_t *c = ctx;
  return fflush(c->stream) == 0 ? OTEL_OK : OTEL_EIO;
}

static void console_shutdown(void *ctx) {
  console_t *c = ctx;
  fflush(c->stream);
  free(c);
}

static const struct otel_log_exporter_type console_type = {
    .name = "console",
    .export_records = console_export,
    .force_flush = console_flush,
    .shutdown = console_shutdown,
};

otel_log_exporter_t *otel_console_log_exporter_create(FILE *stream) {
  console_t *c = calloc(1, sizeof(*c));
  if (!c) return NULL;
  c->stream = stream ? stream : stdout;
  otel_log_exporter_t *e = otel_log_exporter_create(&console_type, c);
  if (!e) free(c);
  return e;
}
