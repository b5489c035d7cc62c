/* SPDX-License-Identifier: Apache-2.0
 *
 * batch_span_processor.c: the Batch Span Processor of the specification.
 *
 * Ended, sampled spans go into a bounded lock-free ring (Vyukov's bounded
 * queue: each cell carries a sequence number saying whether it is free or
 * filled for a given lap). A producer claims a position with one
 * compare-and-swap and publishes the span with a plain release store; a
 * full ring drops and counts, never blocks. Producer and exporter thread
 * share no lock and no per-span counter, so ending a span costs no cache
 * line bouncing beyond the cell itself.
 *
 * One background thread drains the ring and exports batches of
 * max_export_batch_size (a smaller one only when schedule_delay_ms has
 * passed, or on a flush). It sleeps on a condition variable when the ring
 * holds less than a batch (or half the ring, if that is less, so that its
 * wake-up latency does not fill the ring under a burst), and is woken by
 * the producer that fills it to that mark, every schedule_delay_ms
 * otherwise, and by force_flush / shutdown, which export everything queued
 * before the call. The "sleeping"
 * flag and the ring's tail form a Dekker pair (both sequentially
 * consistent): either the producer sees the worker asleep and wakes it, or
 * the worker sees the producer's span before it sleeps.
 *
 * Shutdown keeps its deadline: the worker is asked to export what is
 * queued and exit; if it has not when the deadline passes, the rest of the
 * queue is dropped (counted), the exporter is cancelled (its request and
 * retries end at once) and the worker is joined, which then takes a few
 * ms. An exporter without a cancel hook is left to finish on its own
 * thread, which frees the processor (shutdown.c).
 *
 * Configuration: OTEL_BSP_SCHEDULE_DELAY (at least 1 ms: 0 would spin),
 * _MAX_QUEUE_SIZE, _MAX_EXPORT_BATCH_SIZE, _EXPORT_TIMEOUT.
 */
#include "trace_internal.h"

#include "internal.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct cell {
  atomic_size_t seq; /* == pos: free for pos; == pos + 1: holds the span of pos */
  const otel_span_data_t *span;
} cell_t;

typedef struct batch {
  /* written by producers */
  _Alignas(64) atomic_size_t tail; /* next position to claim; also the count queued */
  atomic_uint_fast64_t dropped;
  /* written by the worker */
  _Alignas(64) atomic_size_t head; /* next position to export, published per batch */
  atomic_bool sleeping;
  atomic_uint_fast64_t exported, failed;
  atomic_uint_fast64_t dropped_at_shutdown; /* part of `dropped` */
  atomic_bool abandon; /* the shutdown deadline passed: drop, do not export */
  /* read-mostly */
  _Alignas(64) cell_t *cells;
  size_t capacity;
  size_t mask; /* capacity - 1 when a power of two, else 0 (then: modulo) */
  size_t wake_threshold; /* min(max_export_batch_size, capacity / 2), at least 1 */
  atomic_bool stopping;
  otel_span_exporter_t *exporter;
  otel_batch_span_processor_options_t opts;
  const otel_span_data_t **batch; /* the worker's export buffer */
  /* the worker's sleep and the flush handshake */
  pthread_mutex_t lock;
  pthread_cond_t wake;    /* to the worker: work, a flush or the stop is waiting */
  pthread_cond_t flushed; /* from the worker: a flush generation is done */
  bool wake_sent;
  bool stop;
  uint64_t flush_requested;
  uint64_t flush_done;
  uint64_t dropped_reported; /* worker only: drops already reported */
  bool exited;   /* the worker has left its loop */
  bool detached; /* shutdown returned without it: the worker frees b */
  pthread_t thread;
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

static inline cell_t *cell_at(batch_t *b, size_t pos) {
  return &b->cells[b->mask ? pos & b->mask : pos % b->capacity];
}

/* ---- producer side --------------------------------------------------------- */

/* Claims a cell and publishes span in it. Returns the position, or
 * SIZE_MAX when the ring is full. */
static size_t ring_push(batch_t *b, const otel_span_data_t *span) {
  size_t pos = atomic_load_explicit(&b->tail, memory_order_relaxed);
  for (;;) {
    cell_t *c = cell_at(b, pos);
    size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);
    intptr_t lag = (intptr_t)(seq - pos);
    if (lag == 0) {
      /* seq_cst: ordered before the load of `sleeping` (see the top) */
      if (atomic_compare_exchange_weak_explicit(&b->tail, &pos, pos + 1, memory_order_seq_cst,
                                                memory_order_relaxed)) {
        c->span = span;
        atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
        return pos;
      }
    } else if (lag < 0) {
      return SIZE_MAX; /* the cell still holds the span of the previous lap */
    } else {
      pos = atomic_load_explicit(&b->tail, memory_order_relaxed); /* another producer won */
    }
  }
}

static void wake_worker(batch_t *b) {
  pthread_mutex_lock(&b->lock);
  bool signal = !b->wake_sent;
  b->wake_sent = true;
  pthread_mutex_unlock(&b->lock);
  if (signal) pthread_cond_signal(&b->wake);
}

static void batch_on_end(void *ctx, const otel_span_data_t *span) {
  batch_t *b = ctx;
  if (!(span->context.trace_flags & OTEL_TRACE_FLAG_SAMPLED) ||
      atomic_load_explicit(&b->stopping, memory_order_relaxed)) {
    if (span->context.trace_flags & OTEL_TRACE_FLAG_SAMPLED)
      atomic_fetch_add_explicit(&b->dropped, 1, memory_order_relaxed);
    otel_span_data_release(span);
    return;
  }
  size_t pos = ring_push(b, span);
  if (pos == SIZE_MAX) {
    atomic_fetch_add_explicit(&b->dropped, 1, memory_order_relaxed);
    otel_span_data_release(span);
    return;
  }
  if (atomic_load_explicit(&b->sleeping, memory_order_seq_cst) &&
      pos + 1 - atomic_load_explicit(&b->head, memory_order_relaxed) >= b->wake_threshold)
    wake_worker(b);
}

/* ---- worker side ------------------------------------------------------------- */

static void batch_free(batch_t *b);

/* Releases the spans published up to `until` (everything queued when
 * SIZE_MAX), counting them as dropped at shutdown. */
static void drop_queued(batch_t *b, size_t until) {
  size_t head = atomic_load_explicit(&b->head, memory_order_relaxed), n = 0;
  if (until == SIZE_MAX) until = atomic_load_explicit(&b->tail, memory_order_acquire);
  while (head != until) {
    cell_t *c = cell_at(b, head);
    if (atomic_load_explicit(&c->seq, memory_order_acquire) != head + 1) {
      sched_yield(); /* claimed, published any moment (ends have stopped) */
      continue;
    }
    otel_span_data_release(c->span);
    atomic_store_explicit(&c->seq, head + b->capacity, memory_order_release);
    head++;
    n++;
  }
  atomic_store_explicit(&b->head, head, memory_order_relaxed);
  atomic_fetch_add_explicit(&b->dropped, n, memory_order_relaxed);
  atomic_fetch_add_explicit(&b->dropped_at_shutdown, n, memory_order_relaxed);
}

static void export_batch(batch_t *b, size_t n) {
  otel_err_t err = otel__span_exporter_export(b->exporter, b->batch, n);
  if (err) {
    atomic_fetch_add_explicit(&b->failed, n, memory_order_relaxed);
    otel__diag(OTEL_DIAG_WARN, "bsp_export", "batch span processor: exporting %zu spans failed: %s",
               n, otel_strerror(err));
  } else {
    atomic_fetch_add_explicit(&b->exported, n, memory_order_relaxed);
  }
  for (size_t i = 0; i < n; i++) otel_span_data_release(b->batch[i]);
}

static size_t pending(batch_t *b) {
  return atomic_load_explicit(&b->tail, memory_order_seq_cst) -
         atomic_load_explicit(&b->head, memory_order_relaxed);
}

/* Exports the published spans in batches. With `until` != SIZE_MAX, goes
 * on up to that position, waiting for spans claimed but not yet published
 * (a producer between its two instructions). Otherwise, unless `partial`,
 * only while a whole batch (wake_threshold) is pending: exporting whatever
 * arrived during the previous export would chase the producers with
 * batches of one or two spans, each paying a whole request (in the app,
 * that was most of the exporter's and the receiver's work). Returns the
 * spans exported. */
static size_t drain(batch_t *b, size_t until, bool partial) {
  size_t head = atomic_load_explicit(&b->head, memory_order_relaxed), total = 0;
  for (;;) {
    if (atomic_load_explicit(&b->abandon, memory_order_relaxed)) {
      drop_queued(b, until);
      return total;
    }
    if (until == SIZE_MAX && !partial && pending(b) < b->wake_threshold) return total;
    size_t n = 0;
    while (n < b->opts.max_export_batch_size && head != until) {
      cell_t *c = cell_at(b, head);
      if (atomic_load_explicit(&c->seq, memory_order_acquire) != head + 1) {
        if (until == SIZE_MAX) break;
        sched_yield(); /* claimed before `until` was read: published any moment */
        continue;
      }
      b->batch[n++] = c->span;
      atomic_store_explicit(&c->seq, head + b->capacity, memory_order_release);
      head++;
    }
    atomic_store_explicit(&b->head, head, memory_order_relaxed);
    if (n == 0) return total;
    export_batch(b, n);
    total += n;
  }
}

/* One line (rate-limited by otel__diag to one a second) when spans were
 * dropped since the last report: the signal, the count and the reason. */
static void report_drops(batch_t *b) {
  uint64_t dropped = atomic_load_explicit(&b->dropped, memory_order_relaxed);
  if (dropped == b->dropped_reported) return;
  uint64_t at_shutdown = atomic_load_explicit(&b->dropped_at_shutdown, memory_order_relaxed);
  otel__diag(OTEL_DIAG_WARN, "bsp_dropped",
             "traces: %llu spans dropped (queue of %zu full: the exporter cannot keep up or the "
             "collector does not answer; or the shutdown deadline passed); %llu dropped in all, "
             "%llu of them at the shutdown deadline",
             (unsigned long long)(dropped - b->dropped_reported), b->capacity,
             (unsigned long long)dropped, (unsigned long long)at_shutdown);
  b->dropped_reported = dropped;
}

static void *worker(void *arg) {
  batch_t *b = arg;
  bool delay_expired = false;
  for (;;) {
    drain(b, SIZE_MAX, delay_expired);
    report_drops(b);
    pthread_mutex_lock(&b->lock);
    uint64_t flush_target = b->flush_requested;
    bool stop = b->stop;
    if (flush_target != b->flush_done || stop) {
      pthread_mutex_unlock(&b->lock);
      /* everything ended before the request has claimed its cell by now */
      drain(b, atomic_load_explicit(&b->tail, memory_order_acquire), true);
      if (!atomic_load(&b->abandon))
        otel__span_exporter_force_flush(b->exporter, b->opts.export_timeout_ms);
      pthread_mutex_lock(&b->lock);
      b->flush_done = flush_target;
      if (stop) b->exited = true;
      bool detached = b->detached;
      pthread_cond_broadcast(&b->flushed);
      pthread_mutex_unlock(&b->lock);
      if (!stop) continue;
      if (detached) { /* shutdown returned long ago: clean up after it */
        otel_span_exporter_destroy(b->exporter);
        batch_free(b);
        otel__worker_finished();
      }
      return NULL;
    }
    struct timespec deadline;
    deadline_after(&deadline, b->opts.schedule_delay_ms);
    atomic_store_explicit(&b->sleeping, true, memory_order_seq_cst);
    delay_expired = false;
    while (!b->stop && b->flush_requested == b->flush_done && pending(b) < b->wake_threshold) {
      /* reset on every round: a producer that saw an earlier round's flag
       * may have signalled before this one began waiting */
      b->wake_sent = false;
      if (pthread_cond_timedwait(&b->wake, &b->lock, &deadline) == ETIMEDOUT) {
        delay_expired = true; /* export what is there, whole batch or not */
        break;
      }
    }
    atomic_store_explicit(&b->sleeping, false, memory_order_relaxed);
    pthread_mutex_unlock(&b->lock);
  }
}

/* ---- flush, shutdown, stats --------------------------------------------------- */

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
  free(b->cells);
  free(b->batch);
  free(b);
}

static otel_err_t batch_shutdown(void *ctx, uint32_t timeout_ms) {
  batch_t *b = ctx;
  uint64_t deadline = otel__deadline_after_ms(timeout_ms);
  struct timespec ts;
  otel__deadline_timespec(deadline, &ts);
  /* The provider lets no span end reach us from now on (its in-flight
   * count); `stopping` covers a processor shut down on its own. */
  atomic_store(&b->stopping, true);
  pthread_mutex_lock(&b->lock);
  b->stop = true; /* the worker exports everything queued and exits */
  pthread_cond_signal(&b->wake);
  int rc = 0;
  while (!b->exited && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&b->flushed, &b->lock, &ts);
  bool exited = b->exited;
  pthread_mutex_unlock(&b->lock);
  otel_err_t err = OTEL_OK;
  if (!exited) {
    err = OTEL_ETIMEDOUT;
    size_t queued = pending(b);
    atomic_store(&b->abandon, true); /* the rest is dropped, not exported */
    if (!b->exporter->type->cancel) {
      pthread_mutex_lock(&b->lock);
      exited = b->exited;
      b->detached = !exited;
      pthread_mutex_unlock(&b->lock);
      if (!exited) {
        otel__worker_abandoned();
        pthread_detach(b->thread);
        otel__diag(OTEL_DIAG_WARN, "bsp_shutdown_timeout",
                   "batch span processor: shutdown deadline (%u ms) passed with %zu spans queued; "
                   "they are dropped (the exporter cannot be cancelled: its thread finishes alone)",
                   timeout_ms, queued);
        return err;
      }
    } else {
      b->exporter->type->cancel(b->exporter->ctx); /* the export in flight returns now */
    }
    otel__diag(OTEL_DIAG_WARN, "bsp_shutdown_timeout",
               "batch span processor: shutdown deadline (%u ms) passed: export cancelled, "
               "%zu queued spans dropped", timeout_ms, queued);
  }
  pthread_join(b->thread, NULL);
  otel_span_exporter_destroy(b->exporter);
  batch_free(b);
  return err;
}

static void batch_stats(void *ctx, otel_span_processor_stats_t *out) {
  batch_t *b = ctx;
  out->queued = atomic_load(&b->tail);
  out->dropped = atomic_load(&b->dropped);
  out->exported = atomic_load(&b->exported);
  out->export_failed = atomic_load(&b->failed);
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
  batch_t *b = aligned_alloc(64, (sizeof(batch_t) + 63) & ~(size_t)63);
  if (!b) {
    otel_span_exporter_destroy(exporter);
    return OTEL_ENOMEM;
  }
  memset(b, 0, sizeof(*b));
  if (opts) b->opts = *opts;
  else otel_batch_span_processor_options_init(&b->opts);
  if (b->opts.max_queue_size == 0) b->opts.max_queue_size = 2048;
  if (b->opts.schedule_delay_ms == 0) b->opts.schedule_delay_ms = 1; /* 0 would spin */
  if (b->opts.max_export_batch_size == 0 || b->opts.max_export_batch_size > b->opts.max_queue_size)
    b->opts.max_export_batch_size = b->opts.max_queue_size;
  b->capacity = b->opts.max_queue_size;
  b->mask = (b->capacity & (b->capacity - 1)) == 0 ? b->capacity - 1 : 0;
  /* a full batch: each wake-up (a futex call and a cross-core interrupt,
   * costly in a VM) is paid once per batch rather than four times */
  b->wake_threshold = b->opts.max_export_batch_size;
  if (b->wake_threshold > b->capacity / 2) b->wake_threshold = b->capacity / 2;
  if (b->wake_threshold == 0) b->wake_threshold = 1;
  b->exporter = exporter;
  pthread_mutex_init(&b->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&b->wake, &ca);
  pthread_cond_init(&b->flushed, &ca);
  pthread_condattr_destroy(&ca);
  b->cells = malloc(b->capacity * sizeof(*b->cells));
  b->batch = malloc(b->opts.max_export_batch_size * sizeof(*b->batch));
  if (b->cells)
    for (size_t i = 0; i < b->capacity; i++) atomic_init(&b->cells[i].seq, i);
  otel_span_processor_t *p = b->cells && b->batch ? otel_span_processor_create(&batch_type, b) : NULL;
  if (!p || pthread_create(&b->thread, NULL, worker, b) != 0) {
    free(p);
    otel_span_exporter_destroy(exporter);
    batch_free(b);
    return OTEL_ENOMEM;
  }
  *out = p;
  return OTEL_OK;
}
