/* SPDX-License-Identifier: Apache-2.0
 *
 * sampler.c: the built-in samplers of the specification (always_on,
 * always_off, traceidratio, parentbased_*), custom samplers, and
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG.
 * TraceIdRatioBased decides from the trace id alone (its last 8 bytes), so
 * every service reaches the same decision for one trace.
 */
#include "trace_internal.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum sampler_kind {
  SAMPLER_ALWAYS_ON,
  SAMPLER_ALWAYS_OFF,
  SAMPLER_RATIO,
  SAMPLER_PARENT_BASED,
  SAMPLER_CUSTOM
} sampler_kind_t;

struct otel_sampler {
  sampler_kind_t kind;
  double ratio;
  uint64_t ratio_bound;   /* sample when (id >> 1) < bound */
  otel_sampler_t *root;   /* parent-based: owned */
  otel_sampler_cb cb;
  void *user_data;
  char description[96];
};

static otel_sampler_t *sampler_new(sampler_kind_t kind, const char *description) {
  otel_sampler_t *s = calloc(1, sizeof(*s));
  if (!s) return NULL;
  s->kind = kind;
  snprintf(s->description, sizeof(s->description), "%s", description);
  return s;
}

otel_sampler_t *otel_sampler_always_on(void) { return sampler_new(SAMPLER_ALWAYS_ON, "AlwaysOnSampler"); }
otel_sampler_t *otel_sampler_always_off(void) { return sampler_new(SAMPLER_ALWAYS_OFF, "AlwaysOffSampler"); }

otel_sampler_t *otel_sampler_traceidratio(double ratio) {
  if (!(ratio >= 0.0)) ratio = 0.0; /* also NaN */
  if (ratio > 1.0) ratio = 1.0;
  char desc[64];
  snprintf(desc, sizeof(desc), "TraceIdRatioBased{%f}", ratio);
  otel_sampler_t *s = sampler_new(SAMPLER_RATIO, desc);
  if (!s) return NULL;
  s->ratio = ratio;
  /* 2^63 * ratio, computed so that ratio 1 samples every id */
  s->ratio_bound = ratio >= 1.0 ? UINT64_MAX : (uint64_t)(ratio * 9223372036854775808.0);
  return s;
}

otel_sampler_t *otel_sampler_parentbased(otel_sampler_t *root) {
  if (!root) return NULL;
  char desc[96];
  snprintf(desc, sizeof(desc), "ParentBased{root=%.60s}", root->description);
  otel_sampler_t *s = sampler_new(SAMPLER_PARENT_BASED, desc);
  if (!s) {
    otel_sampler_destroy(root);
    return NULL;
  }
  s->root = root;
  return s;
}

otel_sampler_t *otel_sampler_custom(otel_sampler_cb cb, void *user_data, const char *description) {
  if (!cb) return NULL;
  otel_sampler_t *s = sampler_new(SAMPLER_CUSTOM, description ? description : "CustomSampler");
  if (!s) return NULL;
  s->cb = cb;
  s->user_data = user_data;
  return s;
}

static uint64_t trace_id_low(const uint8_t id[16]) {
  uint64_t x = 0;
  for (int i = 8; i < 16; i++) x = (x << 8) | id[i];
  return x;
}

otel_sampling_decision_t otel_sampler_should_sample(
    const otel_sampler_t *s, const otel_span_context_t *parent, const uint8_t trace_id[16],
    const char *name, otel_span_kind_t kind, const otel_attr_t *attrs, size_t n) {
  if (!s) return OTEL_SAMPLING_RECORD_AND_SAMPLE;
  switch (s->kind) {
  case SAMPLER_ALWAYS_ON: return OTEL_SAMPLING_RECORD_AND_SAMPLE;
  case SAMPLER_ALWAYS_OFF: return OTEL_SAMPLING_DROP;
  case SAMPLER_RATIO:
    if (s->ratio_bound == UINT64_MAX) return OTEL_SAMPLING_RECORD_AND_SAMPLE;
    return (trace_id_low(trace_id) >> 1) < s->ratio_bound ? OTEL_SAMPLING_RECORD_AND_SAMPLE
                                                          : OTEL_SAMPLING_DROP;
  case SAMPLER_PARENT_BASED:
    if (parent && otel_span_context_is_valid(parent))
      return (parent->trace_flags & OTEL_TRACE_FLAG_SAMPLED) ? OTEL_SAMPLING_RECORD_AND_SAMPLE
                                                            : OTEL_SAMPLING_DROP;
    return otel_sampler_should_sample(s->root, NULL, trace_id, name, kind, attrs, n);
  case SAMPLER_CUSTOM:
    return s->cb(s->user_data, parent && otel_span_context_is_valid(parent) ? parent : NULL,
                 trace_id, name, kind, attrs, n);
  }
  return OTEL_SAMPLING_DROP;
}

otel__sampler_shortcut_t otel__sampler_shortcut(const otel_sampler_t *s) {
  if (!s) return OTEL__SAMPLER_ON;
  switch (s->kind) {
  case SAMPLER_ALWAYS_ON: return OTEL__SAMPLER_ON;
  case SAMPLER_ALWAYS_OFF: return OTEL__SAMPLER_OFF;
  case SAMPLER_PARENT_BASED:
    if (s->root && s->root->kind == SAMPLER_ALWAYS_ON) return OTEL__SAMPLER_PARENT_OR_ON;
    return OTEL__SAMPLER_ASK;
  default: return OTEL__SAMPLER_ASK;
  }
}

const char *otel_sampler_description(const otel_sampler_t *s) {
  return s ? s->description : "AlwaysOnSampler";
}

void otel_sampler_destroy(otel_sampler_t *s) {
  if (!s) return;
  otel_sampler_destroy(s->root);
  free(s);
}

/* Reads OTEL_TRACES_SAMPLER_ARG as a ratio in [0, 1]; default 1.0. */
static double ratio_from_env(void) {
  double r = otel__env_double("OTEL_TRACES_SAMPLER_ARG", 1.0);
  if (r < 0.0 || r > 1.0) {
    otel__diag(OTEL_DIAG_WARN, "sampler_env",
               "OTEL_TRACES_SAMPLER_ARG=%g is not a ratio in [0, 1]; using 1.0", r);
    r = 1.0;
  }
  return r;
}

enum env_sampler { ENV_PB_ON, ENV_ON, ENV_OFF, ENV_RATIO, ENV_PB_OFF, ENV_PB_RATIO };

otel_sampler_t *otel_sampler_from_env(void) {
  static const otel__env_choice_t samplers[] = {
      {"parentbased_always_on", ENV_PB_ON},      {"always_on", ENV_ON},
      {"always_off", ENV_OFF},                   {"traceidratio", ENV_RATIO},
      {"parentbased_always_off", ENV_PB_OFF},    {"parentbased_traceidratio", ENV_PB_RATIO},
      {NULL, 0},
  };
  /* any case; an unknown one warns once and gives parentbased_always_on */
  switch (otel__env_enum("OTEL_TRACES_SAMPLER", samplers, ENV_PB_ON)) {
  case ENV_ON: return otel_sampler_always_on();
  case ENV_OFF: return otel_sampler_always_off();
  case ENV_RATIO: return otel_sampler_traceidratio(ratio_from_env());
  case ENV_PB_OFF: return otel_sampler_parentbased(otel_sampler_always_off());
  case ENV_PB_RATIO: return otel_sampler_parentbased(otel_sampler_traceidratio(ratio_from_env()));
  default: return otel_sampler_parentbased(otel_sampler_always_on());
  }
}
