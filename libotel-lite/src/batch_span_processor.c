/* SPDX-License-Identifier: Apache-2.0
 *
 * batch_span_processor.c: the Batch Span Processor of the specification.
 * Ended, sampled spans go into a bounded ring under a mutex (a few ns
 * uncontended); a full ring drops and counts, never blocks. One background
 * thread exports batches of up to max_export_batch_size, woken when the
 * ring holds a quarter of that (so that its wake-up latency never fills
 * the ring under a burst), every schedule_delay_ms otherwise, and on force_flush /
 * shutdown, which export everything queued before returning.
 * Configuration: OTEL_BSP_SCHEDULE_DELAY, _MAX_QUEUE_SIZE,
 * _MAX_EXPORT_BATCH_SIZE, _EXPORT_TIMEOUT.
 */
#include "trace_internal.h"

#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct batch {
  otel_span_exporter_t *exporter;
  otel_batch_span_processor_options_t opts;
  pthread_mutex_t lock;
  pthread_cond_t wake;     /* to the worker: work or a flush is waiting */
  pthread_cond_t flushed;  /* from the worker: a flush generation is done */
  const otel_span_data_t **ring;
  size_t head;
  size_t count;
  size_t wake_threshold;   /* max_export_batch_size / 4, at least 1 */
  bool wake_sent;
  bool stop;
  uint64_t flush_requested;
  uint64_t flush_done;
  pthread_t thread;
  uint64_t queued_locked, dropped_locked; /* counted under `lock` (no extra atomics) */
  atomic_uint_fast64_t dropped, exported, failed;
} batch_t;

void otel_batch_span_processor_options_init(otel_batch_span_processor_options_t *o) {
  int64_t v;
  o->max_queue_size = (uint32_t)((v = otel__env_int("OTEL_BSP_MAX_QUEUE_SIZE", 2048)) > 0 ? v : 2048);
  o->schedule_delay_ms = (uint32_t)otel__env_int("OTEL_BSP_SCHEDULE_DELAY", 5000);
  o->max_export_batch_size =
      (uint32_t)((v = otel__env_int("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512)) > 0 ? v : 512);
  o->export_timeout_ms = (uint32_t)otel__env_int("OTEL_BSP_EXPORT_TIMEOUT", 30000);
}

static void deadline_after(struct timespec *ts, uint32_t ms) {
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

/* Exports everything queued, batch by batch. Called with the lock held;
 * releases it while the exporter runs. */
static void export_queued(batch_t *b) {
  const otel_span_data_t **spans = malloc(b->opts.max_export_batch_size * sizeof(*spans));
  while (b->count > 0) {
    size_t n = 0;
    while (b->count > 0 && n < b->opts.max_export_batch_size) {
      const otel_span_data_t *s = b->ring[b->head];
      b->head = (b->head + 1) % b->opts.max_queue_size;
      b->count--;
      if (spans) spans[n++] = s;
      else otel_span_data_release(s); /* out of memory: drop */
    }
    if (!spans) {
      atomic_fetch_add(&b->dropped, 1);
      continue;
    }
    pthread_mutex_unlock(&b->lock);
    otel_err_t err = otel__span_exporter_export(b->exporter, spans, n);
    if (err) {
      atomic_fetch_add(&b->failed, n);
      otel__diag(OTEL_DIAG_WARN, "bsp_export", "batch span processor: exporting %zu spans failed: %s",
                 n, otel_strerror(err));
    } else {
      atomic_fetch_add(&b->exported, n);
    }
    for (size_t i = 0; i < n; i++) otel_span_data_release(spans[i]);
    pthread_mutex_lock(&b->lock);
  }
  free(spans);
}

static void *worker(void *arg) {
  batch_t *b = arg;
  pthread_mutex_lock(&b->lock);
  for (;;) {
    struct timespec deadline;
    deadline_after(&deadline, b->opts.schedule_delay_ms);
    b->wake_sent = false; /* a producer may signal again from now on */
    while (!b->stop && b->flush_requested == b->flush_done &&
           b->count < b->wake_threshold) {
      if (pthread_cond_timedwait(&b->wake, &b->lock, &deadline) == ETIMEDOUT) break;
    }
    uint64_t flush_target = b->flush_requested;
    export_queued(b);
    if (flush_target != b->flush_done) {
      otel__span_exporter_force_flush(b->exporter, b->opts.export_timeout_ms);
      b->flush_done = flush_target;
      pthread_cond_broadcast(&b->flushed);
    }
    if (b->stop && b->count == 0) break;
  }
  pthread_mutex_unlock(&b->lock);
  return NULL;
}

static void batch_on_end(void *ctx, const otel_span_data_t *span) {
  batch_t *b = ctx;
  if (!(span->context.trace_flags & OTEL_TRACE_FLAG_SAMPLED)) {
    otel_span_data_release(span);
    return;
  }
  pthread_mutex_lock(&b->lock);
  if (b->stop || b->count == b->opts.max_queue_size) {
    b->dropped_locked++;
    pthread_mutex_unlock(&b->lock);
    otel_span_data_release(span);
    return;
  }
  b->ring[(b->head + b->count) % b->opts.max_queue_size] = span;
  b->count++;
  bool signal = b->count >= b->wake_threshold && !b->wake_sent;
  if (signal) b->wake_sent = true;
  b->queued_locked++;
  pthread_mutex_unlock(&b->lock);
  if (signal) pthread_cond_signal(&b->wake);
}

static otel_err_t batch_force_flush(void *ctx, uint32_t timeout_ms) {
  batch_t *b = ctx;
  struct timespec deadline;
  deadline_after(&deadline, timeout_ms);
  pthread_mutex_lock(&b->lock);
  uint64_t mine = ++b->flush_requested;
  pthread_cond_signal(&b->wake);
  int rc = 0;
  while (b->flush_done < mine && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&b->flushed, &b->lock, &deadline);
  bool done = b->flush_done >= mine;
  pthread_mutex_unlock(&b->lock);
  return done ? OTEL_OK : OTEL_ETIMEDOUT;
}

static void batch_free(batch_t *b) {
  pthread_mutex_destroy(&b->lock);
  pthread_cond_destroy(&b->wake);
  pthread_cond_destroy(&b->flushed);
  free(b->ring);
  free(b);
}

static otel_err_t batch_shutdown(void *ctx, uint32_t timeout_ms) {
  batch_t *b = ctx;
  otel_err_t err = batch_force_flush(b, timeout_ms);
  pthread_mutex_lock(&b->lock);
  b->stop = true;
  pthread_cond_signal(&b->wake);
  pthread_mutex_unlock(&b->lock);
  pthread_join(b->thread, NULL);
  otel_span_exporter_destroy(b->exporter);
  batch_free(b);
  return err;
}

static void batch_stats(void *ctx, otel_span_processor_stats_t *out) {
  batch_t *b = ctx;
  pthread_mutex_lock(&b->lock);
  out->queued = b->queued_locked;
  out->dropped = b->dropped_locked + atomic_load(&b->dropped);
  pthread_mutex_unlock(&b->lock);
  out->exported = atomic_load(&b->exported);
  out->failed = atomic_load(&b->failed);
}

static const struct otel_span_processor_type batch_type = {
    .name = "batch",
    .on_end = batch_on_end,
    .force_flush = batch_force_flush,
    .shutdown = batch_shutdown,
    .get_stats = batch_stats,
};

otel_err_t otel_batch_span_processor_create(otel_span_exporter_t *exporter,
                                            const otel_batch_span_processor_options_t *opts,
                                            otel_span_processor_t **out) {
  *out = NULL;
  if (!exporter) return OTEL_EINVAL;
  batch_t *b = calloc(1, sizeof(*b));
  if (!b) {
    otel_span_exporter_destroy(exporter);
    return OTEL_ENOMEM;
  }
  if (opts) b->opts = *opts;
  else otel_batch_span_processor_options_init(&b->opts);
  if (b->opts.max_queue_size == 0) b->opts.max_queue_size = 2048;
  if (b->opts.max_export_batch_size == 0 || b->opts.max_export_batch_size > b->opts.max_queue_size)
    b->opts.max_export_batch_size = b->opts.max_queue_size;
  b->wake_threshold = b->opts.max_export_batch_size / 4 ? b->opts.max_export_batch_size / 4 : 1;
  b->exporter = exporter;
  pthread_mutexattr_t ma; /* spin briefly before sleeping: critical sections are tiny */
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init(&b->lock, &ma);
  pthread_mutexattr_destroy(&ma);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&b->wake, &ca);
  pthread_cond_init(&b->flushed, &ca);
  pthread_condattr_destroy(&ca);
  b->ring = calloc(b->opts.max_queue_size, sizeof(*b->ring));
  otel_span_processor_t *p = b->ring ? otel_span_processor_create(&batch_type, b) : NULL;
  if (!p || pthread_create(&b->thread, NULL, worker, b) != 0) {
    free(p);
    otel_span_exporter_destroy(exporter);
    batch_free(b);
    return OTEL_ENOMEM;
  }
  *out = p;
  return OTEL_OK;
}
