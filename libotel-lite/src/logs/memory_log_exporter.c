/* SPDX-License-Identifier: Apache-2.0
 *
 * memory_log_exporter.c: an exporter that keeps every record it is given,
 * for tests and the workshop (Go's tracetest.InMemoryExporter). Records are
 * shared, not copied: the store takes a reference on each.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "logs_internal.h"

struct otel_memory_log_exporter {
  atomic_int refs;
  pthread_mutex_t mu;
  const otel_log_record_t **recs;
  size_t n, cap;
};

otel_err_t otel_memory_log_exporter_create(otel_memory_log_exporter_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = calloc(1, sizeof(**out));
  if (!*out) return OTEL_ENOMEM;
  atomic_init(&(*out)->refs, 1);
  pthread_mutex_init(&(*out)->mu, NULL);
  return OTEL_OK;
}

static otel_err_t mem_export(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  otel_memory_log_exporter_t *m = ctx;
  otel_err_t err = OTEL_OK;
  pthread_mutex_lock(&m->mu);
  if (m->n + n > m->cap) {
    size_t cap = m->cap ? m->cap : 64;
    while (cap < m->n + n) cap *= 2;
    const otel_log_record_t **p = realloc(m->recs, cap * sizeof(*p));
    if (p) {
      m->recs = p;
      m->cap = cap;
    } else {
      err = OTEL_ENOMEM;
    }
  }
  if (!err) {
    for (size_t i = 0; i < n; i++) m->recs[m->n++] = otel_log_record_retain(recs[i]);
  }
  pthread_mutex_unlock(&m->mu);
  return err;
}

static void mem_shutdown(void *ctx) { otel_memory_log_exporter_destroy(ctx); }

static const struct otel_log_exporter_type memory_type = {
    .name = "memory",
    .export_records = mem_export,
    .shutdown = mem_shutdown,
};

otel_log_exporter_t *otel_memory_log_exporter_exporter(otel_memory_log_exporter_t *m) {
  if (!m) return NULL;
  otel_log_exporter_t *e = otel_log_exporter_create(&memory_type, m);
  if (e) atomic_fetch_add(&m->refs, 1);
  return e;
}

size_t otel_memory_log_exporter_count(otel_memory_log_exporter_t *m) {
  if (!m) return 0;
  pthread_mutex_lock(&m->mu);
  size_t n = m->n;
  pthread_mutex_unlock(&m->mu);
  return n;
}

const otel_log_record_t *otel_memory_log_exporter_get(otel_memory_log_exporter_t *m,
                                                      size_t i) {
  if (!m) return NULL;
  pthread_mutex_lock(&m->mu);
  const otel_log_record_t *r = i < m->n ? m->recs[i] : NULL;
  pthread_mutex_unlock(&m->mu);
  return r;
}

void otel_memory_log_exporter_reset(otel_memory_log_exporter_t *m) {
  if (!m) return;
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->n; i++) otel_log_record_release(m->recs[i]);
  m->n = 0;
  pthread_mutex_unlock(&m->mu);
}

void otel_memory_log_exporter_destroy(otel_memory_log_exporter_t *m) {
  if (!m || atomic_fetch_sub(&m->refs, 1) != 1) return;
  otel_memory_log_exporter_reset(m);
  free(m->recs);
  pthread_mutex_destroy(&m->mu);
  free(m);
}
