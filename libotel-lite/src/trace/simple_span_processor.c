/* SPDX-License-Identifier: Apache-2.0
 *
 * simple_span_processor.c: the Simple Span Processor of the specification:
 * each sampled span is exported when it ends, on the ending thread, with
 * exports serialised by a mutex. Meant for tests, debugging and the console
 * exporter; services use the batch processor.
 */
#include "trace_internal.h"

#include "internal.h"

#include <stdlib.h>

typedef struct simple {
  otel_span_exporter_t *exporter;
  pthread_mutex_t lock;
  atomic_uint_fast64_t queued, exported, failed;
} simple_t;

static void simple_on_end(void *ctx, const otel_span_data_t *span) {
  simple_t *s = ctx;
  if (span->context.trace_flags & OTEL_TRACE_FLAG_SAMPLED) {
    atomic_fetch_add(&s->queued, 1);
    pthread_mutex_lock(&s->lock);
    otel_err_t err = otel__span_exporter_export(s->exporter, &span, 1);
    pthread_mutex_unlock(&s->lock);
    if (err) {
      atomic_fetch_add(&s->failed, 1);
      otel__diag(OTEL_DIAG_WARN, "ssp_export", "simple span processor: export failed: %s",
                 otel_strerror(err));
    } else {
      atomic_fetch_add(&s->exported, 1);
    }
  }
  otel_span_data_release(span);
}

static otel_err_t simple_force_flush(void *ctx, uint32_t timeout_ms) {
  simple_t *s = ctx;
  pthread_mutex_lock(&s->lock);
  otel_err_t err = otel__span_exporter_force_flush(s->exporter, timeout_ms);
  pthread_mutex_unlock(&s->lock);
  return err;
}

static otel_err_t simple_shutdown(void *ctx, uint32_t timeout_ms) {
  simple_t *s = ctx;
  otel_err_t err = simple_force_flush(s, timeout_ms);
  otel_span_exporter_destroy(s->exporter);
  pthread_mutex_destroy(&s->lock);
  free(s);
  return err;
}

static void simple_stats(void *ctx, otel_span_processor_stats_t *out) {
  simple_t *s = ctx;
  out->queued = atomic_load(&s->queued);
  out->exported = atomic_load(&s->exported);
  out->export_failed = atomic_load(&s->failed);
}

static const struct otel_span_processor_type simple_type = {
    .name = "simple",
    .on_end = simple_on_end,
    .force_flush = simple_force_flush,
    .shutdown = simple_shutdown,
    .get_stats = simple_stats,
};

otel_err_t otel_simple_span_processor_create(otel_span_exporter_t *exporter,
                                             otel_span_processor_t **out) {
  *out = NULL;
  if (!exporter) return OTEL_EINVAL;
  simple_t *s = calloc(1, sizeof(*s));
  otel_span_processor_t *p = s ? otel_span_processor_create(&simple_type, s) : NULL;
  if (!p) {
    free(s);
    otel_span_exporter_destroy(exporter);
    return OTEL_ENOMEM;
  }
  s->exporter = exporter;
  pthread_mutex_init(&s->lock, NULL);
  *out = p;
  return OTEL_OK;
}
