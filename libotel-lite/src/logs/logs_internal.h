/* SPDX-License-Identifier: Apache-2.0
 *
 * logs_internal.h: what the logs SDK files share and never export: the
 * record allocator, the logger/provider layout the emit path reads, the
 * one-line text format (stderr mirror, console exporter), the OTLP encoder
 * and the trace-context hook.
 */
#ifndef OTEL_LOGS_INTERNAL_H
#define OTEL_LOGS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "otel/logs.h"

#define OTEL__LOGS_MAX_PROCESSORS 8

struct otel_log_exporter {
  const struct otel_log_exporter_type *type;
  void *ctx;
};

struct otel_log_processor {
  const struct otel_log_processor_type *type;
  void *ctx;
};

struct otel_logger {
  otel_logger_provider_t *provider;
  char *name;
  char *version;          /* NULL if none */
  _Atomic int min_severity;
  struct otel_logger *next;
};

struct otel_logger_provider {
  otel_resource_t *resource;  /* owned reference, may be NULL */
  const char *service_name;   /* borrowed from resource, or NULL */
  otel_log_processor_t *processors[OTEL__LOGS_MAX_PROCESSORS]; /* owned */
  size_t n_processors;
  size_t max_body_bytes;
  size_t max_attributes;
  otel_severity_t min_severity;
  atomic_bool shut_down;
  atomic_long emits_in_flight; /* emits between their shut_down check and the end */
  pthread_mutex_t lock;       /* guards loggers */
  otel_logger_t *loggers;
};

/* What emit passes to the record allocator; strings borrowed. */
typedef struct otel__log_record_src {
  uint64_t timestamp_ns;
  uint64_t observed_timestamp_ns;
  otel_severity_t severity;
  const char *severity_text;   /* NULL = "" */
  const char *body;            /* NULL = no body */
  size_t body_len;             /* bytes of body to take (before the limit) */
  const char *event_name;
  const otel_attr_t *attrs;
  size_t attr_count;
  const otel_span_context_t *sc; /* NULL = no span */
} otel__log_record_src_t;

/* Allocates one record (a single block holding every copied byte) with one
 * reference. Applies max_body (UTF-8 safe cut) and max_attrs. NULL on OOM. */
otel_log_record_t *otel__log_record_create(const otel__log_record_src_t *src,
                                           const otel_logger_t *logger,
                                           const otel_resource_t *resource,
                                           size_t max_body, size_t max_attrs);

/* Whether every text of r (severity text, body, event name, attribute keys
 * and string values) is ASCII, so valid UTF-8: the OTLP encoder then
 * writes it without checking it again. Measured as the record is copied. */
bool otel__log_record_text_is_ascii(const otel_log_record_t *r);

/* Largest n <= len such that s[0..n) does not end inside a UTF-8 sequence. */
size_t otel__utf8_cut(const char *s, size_t len, size_t max);

/* Trace context hook: fills *out with the current thread's span context and
 * returns true, or returns false when there is none. Defaults to the
 * tracing SDK's otel_current_span_context when linked in. NULL restores
 * the default. Not thread-safe with emits: set it during setup or tests. */
bool otel__logs_current_context(otel_span_context_t *out);

/* Writes one line (no attributes), NUL-terminated, into buf (truncated to
 * cap - 1 bytes; a '\n' ends it when it fits). Returns the length written.
 * Format: "2026-11-22T14:32:05.123Z INFO  service [trace=<32 hex>
 * span=<16 hex>] body". service falls back to the logger's scope name; the
 * bracket part is left out when the record has no span. */
size_t otel__log_format_line(const otel_log_record_t *rec, const char *service,
                             bool with_attrs, char *buf, size_t cap);

/* The stderr mirror as a processor writing synchronously to stream
 * (borrowed). Errors: OTEL_ENOMEM. */
otel_err_t otel__log_mirror_processor_create(FILE *stream, const char *service,
                                             otel_log_processor_t **out);

/* Encodes n records as one ExportLogsServiceRequest (grouped by resource,
 * then scope). Returns owned bytes via *out_buf (free()), OTEL_ENOMEM. */
otel_err_t otel__otlp_encode_logs(const otel_log_record_t *const *recs, size_t n,
                                  uint8_t **out_buf, size_t *out_len);
/* The same without moving the bytes to the start of their buffer: the
 * request is [*data, *data + *len) inside *base (malloc'd: free() it). */
otel_err_t otel__otlp_encode_logs_at(const otel_log_record_t *const *recs, size_t n, uint8_t **base,
                                     uint8_t **data, size_t *len);

/* The batch engine behind both processors (see batch_log_processor.c). */
otel_err_t otel__log_queue_processor_create(otel_log_exporter_t *exporter,
                                            const otel_batch_log_processor_options_t *o,
                                            const char *name,
                                            otel_log_processor_t **out);

#endif /* OTEL_LOGS_INTERNAL_H */
