/* SPDX-License-Identifier: Apache-2.0
 *
 * span_pool.h: recycling of span memory. Spans are made on application
 * threads and freed on the exporter thread; through malloc that costs a
 * cross-thread free and arena lock contention per span. The pool keeps
 * freed blocks in per-thread magazines of 16 and trades full and empty
 * magazines through one global stack, so a span costs no malloc in the
 * steady state. Internal to libotel-lite.
 */
#ifndef OTEL_SPAN_POOL_H
#define OTEL_SPAN_POOL_H

#include <stddef.h>

/* Block sizes the pool serves (anything else goes to malloc): 0 to 2 for
 * spans (span.c), OTEL__SPAN_POOL_LOG_RECORD for log records
 * (log_record.c), which are made and freed on different threads the same
 * way. */
#define OTEL__SPAN_POOL_CLASSES 4
#define OTEL__SPAN_POOL_LOG_RECORD 3
/* Blocks per magazine: at most two magazines' worth sit idle on a thread. */
#define OTEL__SPAN_POOL_MAGAZINE 16

/* Returns a block of the size class (0 to OTEL__SPAN_POOL_CLASSES - 1) given at init, or NULL. */
void *otel__span_pool_get(int size_class);
/* Returns a block obtained from otel__span_pool_get(size_class). */
void otel__span_pool_put(int size_class, void *block);
/* Sets the block size of a class; call once before any get (span.c does). */
void otel__span_pool_set_size(int size_class, size_t size);

#endif /* OTEL_SPAN_POOL_H */
