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
 * provider destroyed while such a worker lives keeps those (a deliberate,
 * bounded leak) rather than freeing memory that thread still reads.
 */
#include "internal.h"

#include <stdatomic.h>
#include <time.h>

static atomic_long abandoned_workers;

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

void otel__worker_abandoned(void) { atomic_fetch_add(&abandoned_workers, 1); }
void otel__worker_finished(void) { atomic_fetch_sub(&abandoned_workers, 1); }
bool otel__workers_abandoned(void) { return atomic_load(&abandoned_workers) > 0; }
