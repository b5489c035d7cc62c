/* SPDX-License-Identifier: Apache-2.0
 *
 * propagation_carrier.h: a carrier of three headers for the propagation
 * fuzz targets, read through otel_propagator_extract as a server reads a
 * request's headers.
 */
#ifndef PROPAGATION_CARRIER_H
#define PROPAGATION_CARRIER_H

#include <string.h>

#include "otel/propagation.h"

typedef struct fuzz_carrier {
  const char *traceparent, *tracestate, *baggage;
} fuzz_carrier_t;

static const char *fuzz_carrier_get(void *carrier, const char *key) {
  const fuzz_carrier_t *c = carrier;
  if (strcmp(key, "traceparent") == 0) return c->traceparent;
  if (strcmp(key, "tracestate") == 0) return c->tracestate;
  if (strcmp(key, "baggage") == 0) return c->baggage;
  return NULL;
}

/* Extracts with the tracecontext and baggage propagators, as the services
 * do (OTEL_PROPAGATORS default), and frees the result. */
static void fuzz_extract(const fuzz_carrier_t *c) {
  const otel_propagator_t *list[2] = {otel_propagator_tracecontext(), otel_propagator_baggage()};
  otel_propagator_t *p = otel_propagator_composite_create(list, 2);
  otel_context_t ctx = OTEL_CONTEXT_INIT;
  otel_propagator_extract(p, fuzz_carrier_get, (void *)c, &ctx);
  otel_context_cleanup(&ctx);
  otel_propagator_destroy(p);
}

#endif /* PROPAGATION_CARRIER_H */
