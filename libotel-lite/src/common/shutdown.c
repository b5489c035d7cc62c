/* SPDX-License-Identifier: Apache-2.0
 *
 * shutdown.c: what the providers and processors share to keep a shutdown
 * within its deadline: deadline arithmetic on the monotonic clock, and the
 * count of abandoned workers.
 *
 * A processor whose exporter cannot be cancelled (a custom exporter without
 * a `cancel` hook) and is still exporting at the deadline is left to finish
 * on its own: its thread frees the processor when it is done. The data it
 * is exporting still points to the provider's scopes and resource, so a
 * provider destroyed while such a worker lives hands its freeing to
 * otel__free_after_workers: it runs when the last such worker is done,
 * never while one may still read the memory.
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* Guards the count and the list together, so that a free is either run at
 * once (no worker) or run by the last worker to finish, never lost. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long abandoned_workers;
typedef struct deferred {
  void (*fn)(void *);
  void *arg;
  struct deferred *next;
} deferred_t;
static deferred_t *deferred;

uint64_t otel__deadline_after_ms(uint32_t timeout_ms) {
  return otel__monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
}

uint32_t otel__ms_until(uint64_t deadline_ns) {
  uint64_t now = otel__monotonic_ns();
  if (now >= deadline_ns) return 0;
  uint64_t ms = (deadline_ns - now + 999999u) / 1000000u;
  return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

void otel__deadline_timespec(uint64_t deadline_ns, struct timespec *ts) {
  ts->tv_sec = (time_t)(deadline_ns / 1000000000ull);
  ts->tv_nsec = (long)(deadline_ns % 1000000000ull);
}

void otel__worker_abandoned(void) {
  pthread_mutex_lock(&lock);
  abandoned_workers++;
  pthread_mutex_unlock(&lock);
}

void otel__worker_finished(void) {
  pthread_mutex_lock(&lock);
  deferred_t *d = NULL;
  if (--abandoned_workers == 0) {
    d = deferred;
    deferred = NULL;
  }
  pthread_mutex_unlock(&lock);
  while (d) {
    deferred_t *next = d->next;
    d->fn(d->arg);
    free(d);
    d = next;
  }
}

void otel__free_after_workers(void (*fn)(void *), void *arg) {
  pthread_mutex_lock(&lock);
  if (abandoned_workers == 0) {
    pthread_mutex_unlock(&lock);
    fn(arg);
    return;
  }
  deferred_t *d = malloc(sizeof(*d));
  if (d) { /* out of memory: kept for good, which is still safe */
    *d = (deferred_t){fn, arg, deferred};
    deferred = d;
  }
  pthread_mutex_unlock(&lock);
}
