/* SPDX-License-Identifier: Apache-2.0
 *
 * memory_span_exporter.c: an exporter that keeps every span it is given,
 * for tests and for the workshop's checks (like opentelemetry-go's
 * tracetest.InMemoryExporter). It retains the span data it stores.
 */
#include "trace_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct memory {
  pthread_mutex_t lock;
  const otel_span_data_t **spans;
  size_t count;
  size_t cap;
} memory_t;

static otel_err_t memory_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  memory_t *m = ctx;
  pthread_mutex_lock(&m->lock);
  if (m->count + n > m->cap) {
    size_t cap = m->cap ? m->cap : 64;
    while (cap < m->count + n) cap *= 2;
    const otel_span_data_t **grown = realloc(m->spans, cap * sizeof(*grown));
    if (!grown) {
      pthread_mutex_unlock(&m->lock);
      return OTEL_ENOMEM;
    }
    m->spans = grown;
    m->cap = cap;
  }
  for (size_t i = 0; i < n; i++) m->spans[m->count++] = otel_span_data_retain(spans[i]);
  pthread_mutex_unlock(&m->lock);
  return OTEL_OK;
}

static void memory_clear(memory_t *m) {
  for (size_t i = 0; i < m->count; i++) otel_span_data_release(m->spans[i]);
  m->count = 0;
}

static void memory_shutdown(void *ctx) {
  memory_t *m = ctx;
  memory_clear(m);
  free(m->spans);
  pthread_mutex_destroy(&m->lock);
  free(m);
}

static const struct otel_span_exporter_type memory_type = {
    .name = "memory", .export_spans = memory_export, .shutdown = memory_shutdown};

otel_span_exporter_t *otel_memory_span_exporter_create(void) {
  memory_t *m = calloc(1, sizeof(*m));
  if (!m) return NULL;
  pthread_mutex_init(&m->lock, NULL);
  otel_span_exporter_t *e = otel_span_exporter_create(&memory_type, m);
  if (!e) memory_shutdown(m);
  return e;
}

static memory_t *as_memory(otel_span_exporter_t *e) {
  return e && e->type == &memory_type ? e->ctx : NULL;
}

size_t otel_memory_span_exporter_count(otel_span_exporter_t *e) {
  memory_t *m = as_memory(e);
  if (!m) return 0;
  pthread_mutex_lock(&m->lock);
  size_t n = m->count;
  pthread_mutex_unlock(&m->lock);
  return n;
}

const otel_span_data_t *otel_memory_span_exporter_get(otel_span_exporter_t *e, size_t i) {
  memory_t *m = as_memory(e);
  if (!m) return NULL;
  pthread_mutex_lock(&m->lock);
  const otel_span_data_t *s = i < m->count ? m->spans[i] : NULL;
  pthread_mutex_unlock(&m->lock);
  return s;
}

const otel_span_data_t *otel_memory_span_exporter_find(otel_span_exporter_t *e, const char *name) {
  memory_t *m = as_memory(e);
  if (!m || !name) return NULL;
  const otel_span_data_t *found = NULL;
  pthread_mutex_lock(&m->lock);
  for (size_t i = 0; i < m->count && !found; i++)
    if (strcmp(m->spans[i]->name, name) == 0) found = m->spans[i];
  pthread_mutex_unlock(&m->lock);
  return found;
}

void otel_memory_span_exporter_reset(otel_span_exporter_t *e) {
  memory_t *m = as_memory(e);
  if (!m) return;
  pthread_mutex_lock(&m->lock);
  memory_clear(m);
  pthread_mutex_unlock(&m->lock);
}
