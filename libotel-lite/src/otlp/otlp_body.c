/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_body.c: an encoded OTLP request shared between its exporter and a
 * transport that may still reference it after its send returned
 * (otlp_client.h). gRPC takes the body as a slice that points at these
 * bytes instead of copying them (a copy of every batch cost about 375
 * instructions per request in geolocator-service, bench_instructions.sh);
 * its writes can outlive the call (a cancelled call's write still queued
 * on the connection), so the slice holds a reference and the bytes go
 * with the last one.
 */
#include "otlp_client.h"

#include <stdlib.h>

/* ThreadSanitizer annotations (see otel__otlp_body_ref) */
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define BODY_TSAN_ACQUIRE(b) __tsan_acquire(b)
#define BODY_TSAN_RELEASE(b) __tsan_release(b)
#else
#define BODY_TSAN_ACQUIRE(b) ((void)0)
#define BODY_TSAN_RELEASE(b) ((void)0)
#endif

otel__otlp_body_t *otel__otlp_body_adopt(uint8_t *base, uint8_t *data, size_t len) {
  otel__otlp_body_t *b = malloc(sizeof(*b));
  if (!b) {
    free(base);
    return NULL;
  }
  atomic_init(&b->refs, 1);
  b->base = base;
  b->data = data;
  b->len = len;
  return b;
}

/* The reference goes to a gRPC thread through gRPC's own synchronisation,
 * which ThreadSanitizer does not see (Debian's libgrpc is not built with
 * it, and its threads are started from a library .ci/tsan.supp ignores):
 * `make tsan` reported the last release in a gRPC thread as racing with
 * the body's malloc, though the slice holding the reference is made after
 * it. The annotations state that order (a release before the hand-over,
 * an acquire before each release); the atomics' own orders are what
 * every other build relies on. */
void otel__otlp_body_ref(otel__otlp_body_t *b) {
  BODY_TSAN_RELEASE(b);
  atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void otel__otlp_body_release(otel__otlp_body_t *b) {
  if (!b) return;
  BODY_TSAN_ACQUIRE(b);
  if (atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) != 1) return;
  free(b->base);
  free(b);
}
