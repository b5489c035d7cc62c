/* SPDX-License-Identifier: Apache-2.0
 *
 * span_context.h: the identity of a span as it crosses process boundaries
 * (W3C Trace Context): trace id, span id, trace flags, and the remote
 * context a propagator extracts (span context + tracestate + baggage).
 * Shared by the tracing SDK (trace.h) and the propagators (propagation.h).
 */
#ifndef OTEL_SPAN_CONTEXT_H
#define OTEL_SPAN_CONTEXT_H

#include "otel/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OTEL_TRACE_FLAG_SAMPLED 0x01u
#define OTEL_TRACE_FLAG_RANDOM 0x02u /* W3C Trace Context level 2 */

/* A plain value: copy it freely. All-zero ids mean "invalid". */
typedef struct otel_span_context {
  uint8_t trace_id[16];
  uint8_t span_id[8];
  uint8_t trace_flags;
  bool is_remote;
} otel_span_context_t;

/* True when both ids are non-zero. NULL is invalid. */
OTEL_API bool otel_span_context_is_valid(const otel_span_context_t *sc);
/* True when valid and the sampled flag is set. */
OTEL_API bool otel_span_context_is_sampled(const otel_span_context_t *sc);
/* Lower-case hex, NUL-terminated: out must hold 33 (trace) / 17 (span) bytes. */
OTEL_API void otel_trace_id_to_hex(const uint8_t id[16], char out[33]);
OTEL_API void otel_span_id_to_hex(const uint8_t id[8], char out[17]);

typedef struct otel_baggage otel_baggage_t; /* opaque, see propagation.h */

/* What a propagator extracts from an incoming request, and what a span is
 * started from when its parent is in another process.
 * Initialise with OTEL_CONTEXT_INIT (or memset 0); release with
 * otel_context_cleanup(), which frees trace_state and baggage. */
typedef struct otel_context {
  otel_span_context_t span_context; /* invalid when nothing (valid) came in */
  char *trace_state;                /* owned; validated W3C tracestate, NULL if none */
  otel_baggage_t *baggage;          /* owned; NULL if none */
} otel_context_t;

#define OTEL_CONTEXT_INIT {{{0}, {0}, 0, false}, NULL, NULL}

/* Frees what ctx owns and resets it to OTEL_CONTEXT_INIT. NULL is a no-op. */
OTEL_API void otel_context_cleanup(otel_context_t *ctx);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_SPAN_CONTEXT_H */
