/* SPDX-License-Identifier: Apache-2.0
 *
 * batch_log_processor.c: the batching LogRecordProcessor, and the queue
 * engine behind the simple one too. Records wait in a bounded ring; one
 * background thread exports them in batches of max_export_batch_size when
 * a batch is full, when schedule_delay_ms has passed since the first
 * waiting record, on flush and on shutdown. on_emit only takes a mutex
 * that no one holds across an export: it never waits for the exporter, and
 * a full queue drops the record and counts it.
 * Shutdown keeps its deadline: when it passes, the records still queued are
 * dropped (counted), the exporter is cancelled (its request and retries
 * end at once) and the worker is joined. An exporter without a cancel hook
 * is left to finish on its own thread, which frees the processor; its
 * provider then keeps the loggers and resource the records point to
 * (shutdown.c).
 * Spec: "Logs SDK", Batching processor, OTEL_BLRP_* variables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "logs_internal.h"

enum worker_state { WORKER_BUSY, WORKER_IDLE, WORKER_TIMED };

typedef struct bp {
  otel_log_exporter_t *exporter; /* owned */
  otel_batch_log_processor_options_t o;
  const char *name;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t wake;      /* worker waits here */
  pthread_cond_t done;      /* flush and shutdown wait here */
  /* Guarded by mu: */
  const otel_log_record_t **ring;
  size_t head, count;
  enum worker_state state;
  bool stop;                /* shutdown asked: drain, then exit */
  bool exited;              /* worker has left its loop */
  bool abandoned;           /* shutdown timed out: the worker cleans up */
  uint64_t flush_requested, flush_done;
  otel_log_processor_stats_t stats;
  uint64_t dropped_reported;
  /* Worker only: */
  const otel_log_record_t **batch;
} bp_t;

void otel_batch_log_processor_options_init(otel_batch_log_processor_options_t *o) {
  o->schedule_delay_ms = (uint32_t)otel__env_int("OTEL_BLRP_SCHEDULE_DELAY", 1000);
  o->max_queue_size = (size_t)otel__env_int("OTEL_BLRP_MAX_QUEUE_SIZE", 2048);
  o->max_export_batch_size = (size_t)otel__env_int("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", 512);
  o->export_timeout_ms = (uint32_t)otel__env_int("OTEL_BLRP_EXPORT_TIMEOUT", 30000);
}

static struct timespec deadline_in(uint32_t ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

static void bp_free(bp_t *bp) {
  while (bp->count) {
    otel_log_record_release(bp->ring[bp->head]);
    bp->head = (bp->head + 1) % bp->o.max_queue_size;
    bp->count--;
  }
  otel_log_exporter_destroy(bp->exporter);
  pthread_mutex_destroy(&bp->mu);
  pthread_cond_destroy(&bp->wake);
  pthread_cond_destroy(&bp->done);
  free(bp->ring);
  free(bp->batch);
  free(bp);
}

/* Exports up to one batch. Called and returns with mu held. */
static void export_one_batch(bp_t *bp) {
  size_t n = bp->count < bp->o.max_export_batch_size ? bp->count : bp->o.max_export_batch_size;
  for (size_t i = 0; i < n; i++) {
    bp->batch[i] = bp->ring[bp->head];
    bp->head = (bp->head + 1) % bp->o.max_queue_size;
  }
  bp->count -= n;
  pthread_mutex_unlock(&bp->mu);
  otel_err_t err = bp->exporter->type->export_records(bp->exporter->ctx, bp->batch, n);
  if (err) {
    otel__diag(OTEL_DIAG_WARN, "log_export", "%s log exporter: %zu records not exported: %s",
               bp->exporter->type->name, n, otel_strerror(err));
  }
  for (size_t i = 0; i < n; i++) otel_log_record_release(bp->batch[i]);
  pthread_mutex_lock(&bp->mu);
  if (err) bp->stats.export_failed += n;
  else bp->stats.exported += n;
  if (bp->stats.dropped != bp->dropped_reported) { /* one line a second at most (diag) */
    uint64_t d = bp->stats.dropped - bp->dropped_reported, all = bp->stats.dropped;
    bp->dropped_reported = all;
    pthread_mutex_unlock(&bp->mu);
    otel__diag(OTEL_DIAG_WARN, "log_dropped",
               "logs: %llu log records dropped (queue of %zu full: the exporter cannot keep up or "
               "the collector does not answer); %llu dropped in all",
               (unsigned long long)d, bp->o.max_queue_size, (unsigned long long)all);
    pthread_mutex_lock(&bp->mu);
  }
}

static void *worker(void *arg) {
  bp_t *bp = arg;
  pthread_mutex_lock(&bp->mu);
  for (;;) {
    while (bp->count == 0 && !bp->stop && bp->flush_requested == bp->flush_done) {
      bp->state = WORKER_IDLE;
      pthread_cond_wait(&bp->wake, &bp->mu);
    }
    struct timespec dl = deadline_in(bp->o.schedule_delay_ms);
    while (bp->count < bp->o.max_export_batch_size && !bp->stop &&
           bp->flush_requested == bp->flush_done) {
      bp->state = WORKER_TIMED;
      if (pthread_cond_timedwait(&bp->wake, &bp->mu, &dl) == ETIMEDOUT) break;
    }
    bp->state = WORKER_BUSY;
    uint64_t flush_target = bp->flush_requested;
    bool drain = bp->stop || flush_target != bp->flush_done;
    do {
      if (bp->count) export_one_batch(bp);
    } while (drain && bp->count);
    if (flush_target != bp->flush_done) {
      if (bp->exporter->type->force_flush) {
        pthread_mutex_unlock(&bp->mu);
        bp->exporter->type->force_flush(bp->exporter->ctx, bp->o.export_timeout_ms);
        pthread_mutex_lock(&bp->mu);
      }
      bp->flush_done = flush_target;
      pthread_cond_broadcast(&bp->done);
    }
    if (bp->stop && bp->count == 0) break;
  }
  bp->exited = true;
  pthread_cond_broadcast(&bp->done);
  bool abandoned = bp->abandoned;
  pthread_mutex_unlock(&bp->mu);
  if (abandoned) {
    bp_free(bp);
    otel__worker_finished();
  }
  return NULL;
}

static void bp_on_emit(void *ctx, const otel_log_record_t *rec) {
  bp_t *bp = ctx;
  pthread_mutex_lock(&bp->mu);
  if (bp->stop || bp->count == bp->o.max_queue_size) {
    bp->stats.dropped++;
    bool first = bp->stats.dropped == 1;
    pthread_mutex_unlock(&bp->mu);
    otel__diag(first ? OTEL_DIAG_WARN : OTEL_DIAG_DEBUG, "log_queue_full",
               "%s: log record dropped (queue full or shut down)", bp->name);
    return;
  }
  bp->ring[(bp->head + bp->count) % bp->o.max_queue_size] = otel_log_record_retain(rec);
  bp->count++;
  bp->stats.queued++;
  bool wake = bp->state == WORKER_IDLE ||
              (bp->state == WORKER_TIMED && bp->count >= bp->o.max_export_batch_size);
  if (wake) {
    bp->state = WORKER_BUSY; /* one signal is enough */
    pthread_cond_signal(&bp->wake);
  }
  pthread_mutex_unlock(&bp->mu);
}

static int wait_done(bp_t *bp, const struct timespec *dl) {
  return pthread_cond_timedwait(&bp->done, &bp->mu, dl);
}

static otel_err_t bp_force_flush(void *ctx, uint32_t timeout_ms) {
  bp_t *bp = ctx;
  struct timespec dl = deadline_in(timeout_ms);
  otel_err_t err = OTEL_OK;
  pthread_mutex_lock(&bp->mu);
  uint64_t mine = ++bp->flush_requested;
  pthread_cond_signal(&bp->wake);
  while (bp->flush_done < mine && !bp->exited) {
    if (wait_done(bp, &dl) == ETIMEDOUT) {
      err = OTEL_ETIMEDOUT;
      break;
    }
  }
  pthread_mutex_unlock(&bp->mu);
  return err;
}

/* Unreferences every queued record, counting it dropped. mu held. */
static size_t drop_queue(bp_t *bp) {
  size_t n = bp->count;
  while (bp->count) {
    otel_log_record_release(bp->ring[bp->head]);
    bp->head = (bp->head + 1) % bp->o.max_queue_size;
    bp->count--;
  }
  bp->stats.dropped += n;
  return n;
}

static otel_err_t bp_shutdown(void *ctx, uint32_t timeout_ms) {
  bp_t *bp = ctx;
  struct timespec dl = deadline_in(timeout_ms);
  pthread_mutex_lock(&bp->mu);
  bp->stop = true;
  pthread_cond_signal(&bp->wake);
  while (!bp->exited) {
    if (wait_done(bp, &dl) == ETIMEDOUT) break;
  }
  if (!bp->exited) {
    size_t left = drop_queue(bp); /* the worker exits after its export in flight */
    if (bp->exporter->type->cancel) {
      pthread_mutex_unlock(&bp->mu);
      bp->exporter->type->cancel(bp->exporter->ctx); /* that export returns now */
      otel__diag(OTEL_DIAG_WARN, "log_shutdown_timeout",
                 "%s: shutdown deadline (%u ms) passed: export cancelled, %zu queued records dropped",
                 bp->name, timeout_ms, left);
      pthread_join(bp->thread, NULL);
      bp_free(bp);
      return OTEL_ETIMEDOUT;
    }
    /* The exporter cannot be cancelled: let the worker free everything
     * when it is done, rather than freeing memory it still uses. */
    bp->abandoned = true;
    otel__worker_abandoned();
    pthread_mutex_unlock(&bp->mu);
    pthread_detach(bp->thread);
    otel__diag(OTEL_DIAG_WARN, "log_shutdown_timeout",
               "%s: shutdown timed out after %u ms; %zu queued records dropped (the exporter cannot "
               "be cancelled: its thread finishes alone)", bp->name, timeout_ms, left);
    return OTEL_ETIMEDOUT;
  }
  pthread_mutex_unlock(&bp->mu);
  pthread_join(bp->thread, NULL);
  bp_free(bp);
  return OTEL_OK;
}

static void bp_stats(void *ctx, otel_log_processor_stats_t *out) {
  bp_t *bp = ctx;
  pthread_mutex_lock(&bp->mu);
  *out = bp->stats;
  pthread_mutex_unlock(&bp->mu);
}

static const struct otel_log_processor_type batch_type = {
    .name = "batch",
    .on_emit = bp_on_emit,
    .force_flush = bp_force_flush,
    .shutdown = bp_shutdown,
    .get_stats = bp_stats,
};

/* Same engine, its own name, so a provider's processors can be told apart. */
static const struct otel_log_processor_type simple_type = {
    .name = "simple",
    .on_emit = bp_on_emit,
    .force_flush = bp_force_flush,
    .shutdown = bp_shutdown,
    .get_stats = bp_stats,
};

otel_err_t otel__log_queue_processor_create(otel_log_exporter_t *exporter,
                                            const otel_batch_log_processor_options_t *opts,
                                            const char *name, otel_log_processor_t **out) {
  otel_batch_log_processor_options_t o;
  if (opts) o = *opts;
  else otel_batch_log_processor_options_init(&o);
  bp_t *bp = NULL;
  otel_err_t err = OTEL_EINVAL;
  if (!out || !exporter) goto fail;
  if (o.max_queue_size == 0) o.max_queue_size = 2048;
  if (o.max_export_batch_size == 0 || o.max_export_batch_size > o.max_queue_size)
    o.max_export_batch_size = o.max_queue_size;
  err = OTEL_ENOMEM;
  bp = calloc(1, sizeof(*bp));
  if (!bp) goto fail;
  bp->ring = calloc(o.max_queue_size, sizeof(*bp->ring));
  bp->batch = calloc(o.max_export_batch_size, sizeof(*bp->batch));
  otel_log_processor_t *handle = otel_log_processor_create(
      o.max_export_batch_size == 1 && o.schedule_delay_ms == 0 ? &simple_type : &batch_type, bp);
  if (!bp->ring || !bp->batch || !handle) {
    free(handle);
    goto fail;
  }
  bp->o = o;
  bp->name = name;
  bp->exporter = exporter;
  pthread_mutex_init(&bp->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&bp->wake, &ca);
  pthread_cond_init(&bp->done, &ca);
  pthread_condattr_destroy(&ca);
  bp->state = WORKER_BUSY;
  if (pthread_create(&bp->thread, NULL, worker, bp) != 0) {
    free(handle);
    bp_free(bp);
    return OTEL_ENOMEM;
  }
  *out = handle;
  return OTEL_OK;
fail:
  if (bp) {
    free(bp->ring);
    free(bp->batch);
    free(bp);
  }
  otel_log_exporter_destroy(exporter);
  return err;
}

otel_err_t otel_batch_log_processor_create(otel_log_exporter_t *exporter,
                                           const otel_batch_log_processor_options_t *opts,
                                           otel_log_processor_t **out) {
  return otel__log_queue_processor_create(exporter, opts, "batch log processor", out);
}
