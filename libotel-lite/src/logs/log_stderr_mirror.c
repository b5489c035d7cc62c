/* SPDX-License-Identifier: Apache-2.0
 *
 * log_stderr_mirror.c: the one-line text form of a log record and the
 * stderr mirror that prints it at emit time (OTEL_LOGS_MIRROR_STDERR=true),
 * so a developer sees logs in the terminal while they also go to OTLP:
 *   2026-11-22T14:32:05.123Z INFO  iss-distance-service [trace=4bf92f35...
 *   span=00f067aa0ba902b7] received request from IP address: 127.0.0.1
 * Control characters in the body are escaped so one record is one line.
 * The console exporter (console_log_exporter.c) uses the same format.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logs_internal.h"

/* Bounded appender: counts every byte it would write, keeps what fits. */
typedef struct out {
  char *buf;
  size_t cap, len;
} out_t;

static void put(out_t *o, const char *s, size_t n) {
  if (o->len < o->cap) {
    size_t room = o->cap - 1 - o->len;
    memcpy(o->buf + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void puts_(out_t *o, const char *s) { put(o, s, strlen(s)); }

static void putf(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(out_t *o, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n > 0) put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Text with control characters escaped (\n, \t, \xNN). */
static void put_escaped(out_t *o, const char *s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != 0x7f) continue;
    put(o, s + start, i - start);
    if (c == '\n') puts_(o, "\\n");
    else if (c == '\t') puts_(o, "\\t");
    else if (c == '\r') puts_(o, "\\r");
    else putf(o, "\\x%02x", c);
    start = i + 1;
  }
  put(o, s + start, n - start);
}

static void put_str_value(out_t *o, const char *s) {
  if (!s) s = "";
  bool quote = !*s || strpbrk(s, " \"=") != NULL;
  if (quote) puts_(o, "\"");
  put_escaped(o, s, strlen(s));
  if (quote) puts_(o, "\"");
}

static void put_attr(out_t *o, const otel_attr_t *a) {
  puts_(o, " ");
  puts_(o, a->key);
  puts_(o, "=");
  size_t n = a->value.array.len;
  switch (a->type) {
  case OTEL_ATTR_TYPE_STRING: put_str_value(o, a->value.s); return;
  case OTEL_ATTR_TYPE_BOOL: puts_(o, a->value.b ? "true" : "false"); return;
  case OTEL_ATTR_TYPE_INT: putf(o, "%" PRId64, a->value.i); return;
  case OTEL_ATTR_TYPE_DOUBLE: putf(o, "%g", a->value.d); return;
  default: break;
  }
  puts_(o, "[");
  for (size_t i = 0; i < n; i++) {
    if (i) puts_(o, ",");
    if (a->type == OTEL_ATTR_TYPE_STRING_ARRAY)
      put_str_value(o, ((const char *const *)a->value.array.items)[i]);
    else if (a->type == OTEL_ATTR_TYPE_BOOL_ARRAY)
      puts_(o, ((const bool *)a->value.array.items)[i] ? "true" : "false");
    else if (a->type == OTEL_ATTR_TYPE_INT_ARRAY)
      putf(o, "%" PRId64, ((const int64_t *)a->value.array.items)[i]);
    else
      putf(o, "%g", ((const double *)a->value.array.items)[i]);
  }
  puts_(o, "]");
}

static bool nonzero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return true;
  return false;
}

size_t otel__log_format_line(const otel_log_record_t *rec, const char *service,
                             bool with_attrs, char *buf, size_t cap) {
  out_t o = {buf, cap, 0};
  uint64_t ns = rec->timestamp_ns ? rec->timestamp_ns : rec->observed_timestamp_ns;
  time_t secs = (time_t)(ns / 1000000000u);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char ts[40];
  strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  putf(&o, "%s.%03uZ ", ts, (unsigned)(ns / 1000000u % 1000u));
  const char *sev = rec->severity_text && *rec->severity_text ? rec->severity_text
                                                              : otel_severity_name(rec->severity);
  putf(&o, "%-5s ", sev);
  if (!service) service = otel_logger_scope_name(rec->logger);
  puts_(&o, service ? service : "unknown_service");
  if (nonzero(rec->span_id, 8)) {
    char t[33], s[17];
    otel_trace_id_to_hex(rec->trace_id, t);
    otel_span_id_to_hex(rec->span_id, s);
    putf(&o, " [trace=%s span=%s]", t, s);
  }
  if (rec->event_name) {
    puts_(&o, " event=");
    put_str_value(&o, rec->event_name);
  }
  if (rec->body) {
    puts_(&o, " ");
    put_escaped(&o, rec->body, rec->body_len);
  }
  if (with_attrs) {
    for (size_t i = 0; i < rec->attr_count; i++) put_attr(&o, &rec->attrs[i]);
  }
  puts_(&o, "\n");
  if (cap) buf[o.len < cap ? o.len : cap - 1] = '\0';
  return o.len;
}

/* ---- The mirror, as a synchronous processor ------------------------------ */
typedef struct mirror {
  FILE *stream;
  const char *service; /* borrowed from the provider's resource */
} mirror_t;

static void mirror_on_emit(void *ctx, const otel_log_record_t *rec) {
  mirror_t *m = ctx;
  char stack[1024];
  char *line = stack;
  size_t n = otel__log_format_line(rec, m->service, false, stack, sizeof(stack));
  if (n >= sizeof(stack)) {
    char *big = malloc(n + 1);
    if (big) {
      otel__log_format_line(rec, m->service, false, big, n + 1);
      line = big;
    } else {
      n = sizeof(stack) - 1;
    }
  }
  fwrite(line, 1, n, m->stream); /* one call: lines of threads do not mix */
  if (line != stack) free(line);
}

static otel_err_t mirror_flush(void *ctx, uint32_t timeout_ms) {
  (void)timeout_ms;
  mirror_t *m = ctx;
  return fflush(m->stream) == 0 ? OTEL_OK : OTEL_EIO;
}

static otel_err_t mirror_shutdown(void *ctx, uint32_t timeout_ms) {
  otel_err_t err = mirror_flush(ctx, timeout_ms);
  free(ctx);
  return err;
}

static const struct otel_log_processor_type mirror_type = {
    .name = "stderr_mirror",
    .on_emit = mirror_on_emit,
    .force_flush = mirror_flush,
    .shutdown = mirror_shutdown,
};

otel_err_t otel__log_mirror_processor_create(FILE *stream, const char *service,
                                             otel_log_processor_t **out) {
  mirror_t *m = calloc(1, sizeof(*m));
  if (!m) return OTEL_ENOMEM;
  m->stream = stream;
  m->service = service;
  *out = otel_log_processor_create(&mirror_type, m);
  if (!*out) {
    free(m);
    return OTEL_ENOMEM;
  }
  return OTEL_OK;
}
