/* SPDX-License-Identifier: Apache-2.0
 *
 * propagator.c: TextMap propagators (tracecontext, baggage, composite),
 * OTEL_PROPAGATORS, the global propagator, and otel_context_cleanup for the
 * remote context that extraction fills.
 */
#include "otel/propagation.h"
#include "otel/trace.h"

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct otel_propagator {
  bool tracecontext;
  bool baggage;
  bool is_static;
};

static const otel_propagator_t tracecontext_prop = {true, false, true};
static const otel_propagator_t baggage_prop = {false, true, true};
static const otel_propagator_t none_prop = {false, false, true};

const otel_propagator_t *otel_propagator_tracecontext(void) { return &tracecontext_prop; }
const otel_propagator_t *otel_propagator_baggage(void) { return &baggage_prop; }
const otel_propagator_t *otel_propagator_none(void) { return &none_prop; }

otel_propagator_t *otel_propagator_composite_create(const otel_propagator_t *const *list, size_t n) {
  otel_propagator_t *p = calloc(1, sizeof(*p));
  for (size_t i = 0; p && list && i < n; i++) {
    if (!list[i]) continue;
    p->tracecontext |= list[i]->tracecontext;
    p->baggage |= list[i]->baggage;
  }
  return p;
}

otel_propagator_t *otel_propagator_from_env(void) {
  const char *v = otel__env_str("OTEL_PROPAGATORS");
  otel_propagator_t *p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  if (!v) {
    p->tracecontext = p->baggage = true;
    return p;
  }
  const char *s = v;
  while (*s) {
    size_t n = strcspn(s, ",");
    const char *b = s, *e = s + n;
    while (b < e && (*b == ' ' || *b == '\t')) b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t')) e--;
    size_t len = (size_t)(e - b);
    if (len == 12 && !strncasecmp(b, "tracecontext", 12)) p->tracecontext = true;
    else if (len == 7 && !strncasecmp(b, "baggage", 7)) p->baggage = true;
    else if (len == 4 && !strncasecmp(b, "none", 4)) { /* nothing */ }
    else if (len)
      otel__diag(OTEL_DIAG_WARN, "propagators_env",
                 "OTEL_PROPAGATORS: \"%.*s\" is not supported (tracecontext, baggage, none); skipped",
                 (int)len, b);
    s += n + (s[n] == ',');
  }
  return p;
}

void otel_propagator_destroy(otel_propagator_t *p) {
  if (p && !p->is_static) free(p);
}

otel_err_t otel_propagator_extract(const otel_propagator_t *p, otel_carrier_get_cb get, void *carrier,
                                   otel_context_t *out) {
  if (!p || !get || !out) return OTEL_EINVAL;
  if (p->tracecontext) {
    const char *tp = get(carrier, "traceparent");
    if (tp && otel_traceparent_parse(tp, &out->span_context)) {
      const char *ts = get(carrier, "tracestate");
      free(out->trace_state);
      out->trace_state = ts ? otel_tracestate_normalize(ts) : NULL;
    }
  }
  if (p->baggage) {
    const char *bg = get(carrier, "baggage");
    otel_baggage_t *b = bg ? otel_baggage_parse(bg) : NULL;
    if (b) {
      otel_baggage_destroy(out->baggage);
      out->baggage = b;
    }
  }
  return OTEL_OK;
}

void otel_propagator_inject(const otel_propagator_t *p, const otel_span_context_t *sc,
                            const char *trace_state, const otel_baggage_t *baggage,
                            otel_carrier_set_cb set, void *carrier) {
  if (!p || !set) return;
  if (p->tracecontext && otel_span_context_is_valid(sc)) {
    char tp[OTEL_TRACEPARENT_LEN + 1];
    otel_traceparent_format(sc, tp);
    set(carrier, "traceparent", tp);
    if (trace_state && trace_state[0]) set(carrier, "tracestate", trace_state);
  }
  if (p->baggage && baggage) {
    char *b = otel_baggage_format(baggage);
    if (b) set(carrier, "baggage", b);
    free(b);
  }
}

void otel_propagator_inject_current(const otel_propagator_t *p, otel_carrier_set_cb set,
                                    void *carrier) {
  otel_span_context_t sc;
  bool have = otel_current_span_context(&sc);
  otel_propagator_inject(p, have ? &sc : NULL, have ? otel_current_trace_state() : NULL,
                         otel_baggage_current(), set, carrier);
}

const char *const *otel_propagator_fields(const otel_propagator_t *p) {
  static const char *const all[] = {"traceparent", "tracestate", "baggage", NULL};
  static const char *const tc[] = {"traceparent", "tracestate", NULL};
  static const char *const bg[] = {"baggage", NULL};
  static const char *const none[] = {NULL};
  if (!p) return none;
  return p->tracecontext ? (p->baggage ? all : tc) : (p->baggage ? bg : none);
}

static _Atomic(const otel_propagator_t *) global_set;
static otel_propagator_t *global_env;
static pthread_once_t global_env_once = PTHREAD_ONCE_INIT;

static void make_global_env(void) { global_env = otel_propagator_from_env(); }

const otel_propagator_t *otel_propagation_get_global(void) {
  const otel_propagator_t *p = atomic_load(&global_set);
  if (p) return p;
  pthread_once(&global_env_once, make_global_env);
  return global_env ? global_env : &tracecontext_prop;
}

void otel_propagation_set_global(const otel_propagator_t *p) { atomic_store(&global_set, p); }

void otel_context_cleanup(otel_context_t *ctx) {
  if (!ctx) return;
  free(ctx->trace_state);
  otel_baggage_destroy(ctx->baggage);
  memset(ctx, 0, sizeof(*ctx));
}
