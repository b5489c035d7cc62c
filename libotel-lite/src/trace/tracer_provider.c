/* SPDX-License-Identifier: Apache-2.0
 *
 * tracer_provider.c: TracerProvider (resource, sampler, limits,
 * processors), Tracers per instrumentation scope, span limits from the
 * environment, the global provider, and the generic exporter/processor
 * wrappers. Specification: "Tracing SDK".
 */
#include "trace_internal.h"

#include "internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

static _Atomic(otel_tracer_provider_t *) global_provider;

static uint32_t env_limit(const char *specific, const char *general, uint32_t def) {
  int64_t v = otel__env_int(general, def);
  v = otel__env_int(specific, v);
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void otel_span_limits_init(otel_span_limits_t *l) {
  l->attribute_count = env_limit("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT", 128);
  l->attribute_value_length = env_limit("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                                        "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", 0);
  l->event_count = env_limit("OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT", 128);
  l->link_count = env_limit("OTEL_SPAN_LINK_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT", 128);
  l->event_attribute_count = env_limit("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", 128);
  l->link_attribute_count = env_limit("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", 128);
}

void otel_tracer_provider_options_init(otel_tracer_provider_options_t *o) {
  memset(o, 0, sizeof(*o));
  otel_span_limits_init(&o->limits);
}

otel_err_t otel_tracer_provider_create(const otel_tracer_provider_options_t *o,
                                       otel_tracer_provider_t **out) {
  *out = NULL;
  otel_tracer_provider_options_t defaults;
  if (!o) {
    otel_tracer_provider_options_init(&defaults);
    o = &defaults;
  }
  otel_tracer_provider_t *tp = calloc(1, sizeof(*tp));
  if (!tp) {
    otel_sampler_destroy(o->sampler);
    return OTEL_ENOMEM;
  }
  pthread_mutex_init(&tp->tracers_lock, NULL);
  tp->limits = o->limits;
  tp->sampler = o->sampler ? o->sampler : otel_sampler_from_env();
  tp->sampler_shortcut = otel__sampler_shortcut(tp->sampler);
  otel_err_t err = OTEL_OK;
  if (o->resource) tp->resource = otel_resource_retain(o->resource);
  else err = otel_resource_create(NULL, 0, &tp->resource);
  if (!err && !tp->sampler) err = OTEL_ENOMEM;
  if (err) {
    otel_tracer_provider_destroy(tp);
    return err;
  }
  *out = tp;
  return OTEL_OK;
}

otel_err_t otel_tracer_provider_add_processor(otel_tracer_provider_t *tp, otel_span_processor_t *p) {
  if (!p) return OTEL_EINVAL;
  if (!tp || tp->processor_count == OTEL__MAX_PROCESSORS || atomic_load(&tp->shut_down)) {
    p->type->shutdown(p->ctx, 0);
    free(p);
    return OTEL_EINVAL;
  }
  tp->processors[tp->processor_count++] = p;
  if (p->type->on_start) atomic_store(&tp->has_on_start, true);
  return OTEL_OK;
}

static bool same(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

otel_tracer_t *otel_tracer_provider_get_tracer(otel_tracer_provider_t *tp, const char *name,
                                               const char *version) {
  if (!tp) return NULL;
  pthread_mutex_lock(&tp->tracers_lock);
  otel_tracer_t *t = tp->tracers;
  while (t && !(same(t->name, name) && same(t->version, version))) t = t->next;
  if (!t && (t = calloc(1, sizeof(*t)))) {
    t->provider = tp;
    t->name = strdup(name ? name : "");
    t->version = strdup(version ? version : "");
    if (!t->name || !t->version) {
      free(t->name);
      free(t->version);
      free(t);
      t = NULL;
    } else {
      t->next = tp->tracers;
      tp->tracers = t;
    }
  }
  pthread_mutex_unlock(&tp->tracers_lock);
  return t;
}

otel_err_t otel_tracer_provider_force_flush(otel_tracer_provider_t *tp, uint32_t timeout_ms) {
  if (!tp) return OTEL_EINVAL;
  otel_err_t first = OTEL_OK;
  for (size_t i = 0; i < tp->processor_count; i++) {
    otel_span_processor_t *p = tp->processors[i];
    otel_err_t err = p->type->force_flush ? p->type->force_flush(p->ctx, timeout_ms) : OTEL_OK;
    if (err && !first) first = err;
  }
  return first;
}

otel_err_t otel_tracer_provider_shutdown(otel_tracer_provider_t *tp, uint32_t timeout_ms) {
  if (!tp) return OTEL_EINVAL;
  if (atomic_exchange(&tp->shut_down, true)) return OTEL_ESHUTDOWN;
  uint64_t deadline = otel__deadline_after_ms(timeout_ms);
  /* an end that saw the flag unset is handing its span over: a few ns */
  while (atomic_load(&tp->ends_in_flight) > 0) sched_yield();
  otel_err_t first = OTEL_OK;
  for (size_t i = 0; i < tp->processor_count; i++) {
    otel_span_processor_t *p = tp->processors[i];
    otel_err_t err = p->type->shutdown(p->ctx, otel__ms_until(deadline)); /* one deadline for all */
    if (err && !first) first = err;
    free(p);
    tp->processors[i] = NULL;
  }
  tp->processor_count = 0;
  return first;
}

/* The freeing part of destroy; deferred while a processor's thread that
 * outlived its shutdown may still read the scopes and the resource of the
 * spans it exports (shutdown.c). */
static void tracer_provider_free(void *arg) {
  otel_tracer_provider_t *tp = arg;
  for (otel_tracer_t *t = tp->tracers, *next; t; t = next) {
    next = t->next;
    free(t->name);
    free(t->version);
    free(t);
  }
  otel_sampler_destroy(tp->sampler);
  otel_resource_release(tp->resource);
  pthread_mutex_destroy(&tp->tracers_lock);
  free(tp);
}

void otel_tracer_provider_destroy(otel_tracer_provider_t *tp) {
  if (!tp) return;
  if (!atomic_load(&tp->shut_down)) otel_tracer_provider_shutdown(tp, 5000); /* as the other providers: inside Docker's 10 s */
  otel_tracer_provider_t *expected = tp;
  atomic_compare_exchange_strong(&global_provider, &expected, NULL);
  otel__free_after_workers(tracer_provider_free, tp);
}

const otel_resource_t *otel_tracer_provider_resource(const otel_tracer_provider_t *tp) {
  return tp ? tp->resource : NULL;
}

void otel_tracer_provider_set_global(otel_tracer_provider_t *tp) { atomic_store(&global_provider, tp); }
otel_tracer_provider_t *otel_tracer_provider_get_global(void) { return atomic_load(&global_provider); }

/* ---- generic exporter and processor wrappers ---------------------------- */

otel_span_exporter_t *otel_span_exporter_create(const struct otel_span_exporter_type *type, void *ctx) {
  if (!type || !type->export_spans) return NULL;
  otel_span_exporter_t *e = calloc(1, sizeof(*e));
  if (!e) return NULL;
  e->type = type;
  e->ctx = ctx;
  return e;
}

void otel_span_exporter_destroy(otel_span_exporter_t *e) {
  if (!e) return;
  if (e->type->shutdown) e->type->shutdown(e->ctx);
  free(e);
}

otel_err_t otel__span_exporter_export(otel_span_exporter_t *e, const otel_span_data_t *const *spans,
                                      size_t n) {
  return e ? e->type->export_spans(e->ctx, spans, n) : OTEL_EINVAL;
}

otel_err_t otel__span_exporter_force_flush(otel_span_exporter_t *e, uint32_t timeout_ms) {
  return e && e->type->force_flush ? e->type->force_flush(e->ctx, timeout_ms) : OTEL_OK;
}

otel_span_processor_t *otel_span_processor_create(const struct otel_span_processor_type *type,
                                                  void *ctx) {
  if (!type || !type->on_end || !type->shutdown) return NULL;
  otel_span_processor_t *p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  p->type = type;
  p->ctx = ctx;
  return p;
}

void otel_span_processor_get_stats(otel_span_processor_t *p, otel_span_processor_stats_t *out) {
  memset(out, 0, sizeof(*out));
  if (p && p->type->get_stats) p->type->get_stats(p->ctx, out);
}
