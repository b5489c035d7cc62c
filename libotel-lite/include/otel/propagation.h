/* SPDX-License-Identifier: Apache-2.0
 *
 * propagation.h: carrying context across process boundaries (specification:
 * "Propagators API"): the W3C Trace Context headers traceparent and
 * tracestate, and W3C Baggage. Transports plug in through two callbacks,
 * so the same propagator serves HTTP servers, clients and anything else.
 *
 *   // server: continue the caller's trace
 *   otel_context_t parent = OTEL_CONTEXT_INIT;
 *   otel_propagator_extract(otel_propagation_get_global(), get_header, conn, &parent);
 *   otel_span_start_options_t o = {.kind = OTEL_SPAN_KIND_SERVER, .remote_parent = &parent};
 *   otel_span_t *span = otel_tracer_start_span(tracer, "GET /", &o);
 *   otel_context_cleanup(&parent);
 *   // client: pass the current span on
 *   otel_propagator_inject_current(otel_propagation_get_global(), add_header, &headers);
 *
 * Invalid input never fails a request: a bad traceparent leaves the context
 * invalid (a new trace starts), a bad tracestate is dropped without
 * spoiling a good traceparent, and bad baggage members are skipped.
 */
#ifndef OTEL_PROPAGATION_H
#define OTEL_PROPAGATION_H

#include "otel/common.h"
#include "otel/span_context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the value of header `key` (lower-case) in carrier, borrowed until
 * the next call on that carrier, or NULL when absent. A carrier with the
 * header several times joins the values with ",", as HTTP allows. */
typedef const char *(*otel_carrier_get_cb)(void *carrier, const char *key);
/* Sets header key to value (both borrowed for the call). */
typedef void (*otel_carrier_set_cb)(void *carrier, const char *key, const char *value);

/* ---- W3C traceparent -------------------------------------------------------*/
#define OTEL_TRACEPARENT_LEN 55

/* Parses a traceparent value (W3C Trace Context levels 1 and 2). Returns
 * false, with *out zeroed, when the value is invalid (or out is NULL).
 * Sets is_remote. */
OTEL_API bool otel_traceparent_parse(const char *value, otel_span_context_t *out);
/* Formats version 00; out must hold OTEL_TRACEPARENT_LEN + 1 bytes. Only
 * the sampled and random flags are written. An invalid (or NULL) context
 * gives "". */
OTEL_API void otel_traceparent_format(const otel_span_context_t *sc,
                                      char out[OTEL_TRACEPARENT_LEN + 1]);

/* ---- W3C tracestate --------------------------------------------------------*/
#define OTEL_TRACESTATE_MAX_MEMBERS 32

/* Validates value and returns it normalised (members joined by ",", no
 * empty members, no surrounding spaces), owned (free()), or NULL when it is
 * empty or invalid (bad key or value, duplicate keys, over 32 members). */
OTEL_API char *otel_tracestate_normalize(const char *value);

/* ---- W3C Baggage -----------------------------------------------------------*/
#define OTEL_BAGGAGE_MAX_MEMBERS 64
#define OTEL_BAGGAGE_MAX_BYTES 8192

/* Returns an empty baggage, owned (otel_baggage_destroy), or NULL on OOM. */
OTEL_API otel_baggage_t *otel_baggage_create(void);
OTEL_API void otel_baggage_destroy(otel_baggage_t *b);
OTEL_API otel_baggage_t *otel_baggage_copy(const otel_baggage_t *b);
/* Sets key to value (metadata may be NULL); all copied. An existing key is
 * replaced. metadata is the member's properties, "k=v;flag": each a token
 * key, optionally "=" and a value of W3C baggage-octets, separated by ";"
 * (spaces around them are removed). OTEL_EINVAL for a key that is not an
 * HTTP token or properties that do not follow that grammar (a CR, LF,
 * comma, space or quote in them included), OTEL_EFULL past the limits. */
OTEL_API otel_err_t otel_baggage_set(otel_baggage_t *b, const char *key, const char *value,
                                     const char *metadata);
/* Returns the value (borrowed, valid until changed) or NULL. */
OTEL_API const char *otel_baggage_get(const otel_baggage_t *b, const char *key);
OTEL_API void otel_baggage_remove(otel_baggage_t *b, const char *key);
OTEL_API size_t otel_baggage_count(const otel_baggage_t *b);
/* The i-th entry (borrowed pointers); false past the end. */
OTEL_API bool otel_baggage_entry(const otel_baggage_t *b, size_t i, const char **key,
                                 const char **value, const char **metadata);
/* Parses a baggage header; invalid members are skipped. Returns owned
 * baggage, or NULL when no member was valid. */
OTEL_API otel_baggage_t *otel_baggage_parse(const char *header);
/* Returns the header value (values percent-encoded), owned (free()), or
 * NULL when b is empty. */
OTEL_API char *otel_baggage_format(const otel_baggage_t *b);

/* This thread's current baggage (borrowed) or NULL. */
OTEL_API const otel_baggage_t *otel_baggage_current(void);
/* Makes b the current baggage of this thread, taking ownership (the
 * previous one is destroyed). NULL clears it. */
OTEL_API void otel_baggage_set_current(otel_baggage_t *b);

/* ---- Propagators ------------------------------------------------------------*/
typedef struct otel_propagator otel_propagator_t;

/* Static propagators (never destroy them). */
OTEL_API const otel_propagator_t *otel_propagator_tracecontext(void);
OTEL_API const otel_propagator_t *otel_propagator_baggage(void);
OTEL_API const otel_propagator_t *otel_propagator_none(void);
/* A propagator doing what each of list does, in order. Owned. */
OTEL_API otel_propagator_t *otel_propagator_composite_create(const otel_propagator_t *const *list,
                                                             size_t n);
/* From OTEL_PROPAGATORS (tracecontext, baggage, none; default
 * "tracecontext,baggage"); unknown names are reported and skipped. Owned. */
OTEL_API otel_propagator_t *otel_propagator_from_env(void);
/* Frees a propagator made by _composite_create or _from_env; static ones
 * and NULL are ignored. */
OTEL_API void otel_propagator_destroy(otel_propagator_t *p);

/* Fills out (which must be OTEL_CONTEXT_INIT or cleaned) from the carrier.
 * Returns OTEL_OK even when nothing valid was found (out stays invalid);
 * OTEL_EINVAL only for NULL arguments. Release with otel_context_cleanup. */
OTEL_API otel_err_t otel_propagator_extract(const otel_propagator_t *p, otel_carrier_get_cb get,
                                            void *carrier, otel_context_t *out);
/* Writes headers for sc (nothing for an invalid one), trace_state and
 * baggage (either may be NULL). */
OTEL_API void otel_propagator_inject(const otel_propagator_t *p, const otel_span_context_t *sc,
                                     const char *trace_state, const otel_baggage_t *baggage,
                                     otel_carrier_set_cb set, void *carrier);
/* Injects this thread's current span and current baggage. */
OTEL_API void otel_propagator_inject_current(const otel_propagator_t *p, otel_carrier_set_cb set,
                                             void *carrier);
/* Header names the propagator reads and writes, NULL-terminated static list. */
OTEL_API const char *const *otel_propagator_fields(const otel_propagator_t *p);

/* The process-wide propagator: the one set, else one made from the
 * environment on first use. set_global borrows p (NULL restores the
 * default). Thread-safe. */
OTEL_API const otel_propagator_t *otel_propagation_get_global(void);
OTEL_API void otel_propagation_set_global(const otel_propagator_t *p);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_PROPAGATION_H */
