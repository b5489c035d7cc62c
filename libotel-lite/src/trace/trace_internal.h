/* SPDX-License-Identifier: Apache-2.0
 *
 * trace_internal.h: the structures behind the opaque tracing handles,
 * shared by span.c, tracer_provider.c and the processors/exporters.
 * Internal to libotel-lite.
 */
#ifndef OTEL_TRACE_INTERNAL_H
#define OTEL_TRACE_INTERNAL_H

#include "otel/trace.h"

#include "arena.h"

#include <pthread.h>
#include <stdatomic.h>

#define OTEL__MAX_PROCESSORS 8

struct otel_tracer {
  otel_tracer_provider_t *provider;
  char *name;
  char *version;
  otel_tracer_t *next;
};

struct otel_span_processor {
  const struct otel_span_processor_type *type;
  void *ctx;
};

struct otel_span_exporter {
  const struct otel_span_exporter_type *type;
  void *ctx;
};

/* What a sampler decides from the parent alone, so that span start need
 * not call it (otel__sampler_shortcut): always, never, the parent's
 * sampled flag or else always (parentbased_always_on, the default), or
 * ask the sampler. */
typedef enum {
  OTEL__SAMPLER_ASK,
  OTEL__SAMPLER_ON,
  OTEL__SAMPLER_OFF,
  OTEL__SAMPLER_PARENT_OR_ON
} otel__sampler_shortcut_t;
otel__sampler_shortcut_t otel__sampler_shortcut(const otel_sampler_t *s);

struct otel_tracer_provider {
  otel_resource_t *resource;
  otel_sampler_t *sampler;
  otel__sampler_shortcut_t sampler_shortcut; /* of sampler, set with it */
  otel_span_limits_t limits;
  otel_span_processor_t *processors[OTEL__MAX_PROCESSORS];
  size_t processor_count;
  atomic_bool shut_down;
  /* span starts and ends between their shut_down check and their last
   * use of the processors: shutdown sets the flag, then waits for this to
   * reach 0 before it touches a processor (both seq_cst) */
  atomic_long ends_in_flight;
  atomic_bool has_on_start; /* a processor has on_start: span start then counts itself in flight too */
  pthread_mutex_t tracers_lock;
  otel_tracer_t *tracers;
};

/* Calls the exporter's export_spans, or returns OTEL_EINVAL without one. */
otel_err_t otel__span_exporter_export(otel_span_exporter_t *e,
                                      const otel_span_data_t *const *spans, size_t n);
otel_err_t otel__span_exporter_force_flush(otel_span_exporter_t *e, uint32_t timeout_ms);

/* For libotel-lite's own instrumentation (civetweb, curl), whose
 * attribute keys are string literals (ASCII, never freed): the keys are
 * kept as given, not checked nor copied. _static start: the start
 * attributes' keys are also distinct, so none is compared either.
 * Otherwise as otel_tracer_start_span and otel_span_set_attribute. */
otel_span_t *otel__tracer_start_span_static(otel_tracer_t *tracer, const char *name,
                                            const otel_span_start_options_t *opts);
void otel__span_set_attribute_static(otel_span_t *span, const otel_attr_t *attr);
/* otel__tracer_start_span_static where the start attributes whose bit is
 * set in literal_values (bit i for opts->attrs[i], i < 32) are strings
 * whose value is a string literal too (ASCII, never freed): kept as given,
 * not copied. */
otel_span_t *otel__tracer_start_span_literals(otel_tracer_t *tracer, const char *name,
                                              const otel_span_start_options_t *opts,
                                              uint32_t literal_values);
/* The number of attributes span holds (0 for a non-recording span). */
size_t otel__span_attr_count(otel_span_t *span);
/* otel__span_set_attribute_static for a key that none of the span's first
 * `known` attributes has (those its _static start set): when the span
 * still holds exactly those, attr is added without comparing keys;
 * otherwise (something set more meanwhile) keys are compared as usual. */
void otel__span_set_attribute_static_new(otel_span_t *span, const otel_attr_t *attr, size_t known);

/* Fills span_id and, unless NULL, trace_id with fresh random ids (never
 * all zeros): otel_generate_span_id and otel_generate_trace_id in one call. */
void otel__generate_span_ids(uint8_t trace_id[16], uint8_t span_id[8]);

/* Asks the CPU to start loading a finished span's memory (its struct and
 * inline attributes): an exporter reading a batch of spans that ended
 * long ago otherwise waits on a cache miss for each of them in turn. */
void otel__span_data_prefetch(const otel_span_data_t *d);

#endif /* OTEL_TRACE_INTERNAL_H */
