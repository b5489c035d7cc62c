/* test_sampler.c: built-in samplers and OTEL_TRACES_SAMPLER (sampler.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/trace.h"

static otel_sampling_decision_t decide(otel_sampler_t *s, const otel_span_context_t *parent,
                                       const uint8_t id[16]) {
  return otel_sampler_should_sample(s, parent, id, "x", OTEL_SPAN_KIND_INTERNAL, NULL, 0);
}

static void id_with_low(uint8_t id[16], uint64_t low) {
  memset(id, 0x11, 8);
  for (int i = 15; i >= 8; i--, low >>= 8) id[i] = (uint8_t)low;
}

static void test_sampler_ratio_bounds(void **state) {
  (void)state;
  uint8_t lo[16], hi[16], mid_below[16], mid_above[16];
  id_with_low(lo, 0);
  id_with_low(hi, UINT64_MAX);
  id_with_low(mid_below, 0x7ffffffffffffffeull); /* >> 1 is just below 2^62 */
  id_with_low(mid_above, 0x8000000000000000ull); /* >> 1 is 2^62 */
  otel_sampler_t *zero = otel_sampler_traceidratio(0.0);
  otel_sampler_t *one = otel_sampler_traceidratio(1.0);
  otel_sampler_t *half = otel_sampler_traceidratio(0.5);
  assert_int_equal(decide(zero, NULL, lo), OTEL_SAMPLING_DROP);
  assert_int_equal(decide(one, NULL, hi), OTEL_SAMPLING_RECORD_AND_SAMPLE);
  assert_int_equal(decide(half, NULL, mid_below), OTEL_SAMPLING_RECORD_AND_SAMPLE);
  assert_int_equal(decide(half, NULL, mid_above), OTEL_SAMPLING_DROP);
  assert_string_equal(otel_sampler_description(half), "TraceIdRatioBased{0.500000}");
  otel_sampler_t *clamped = otel_sampler_traceidratio(7.0);
  assert_int_equal(decide(clamped, NULL, hi), OTEL_SAMPLING_RECORD_AND_SAMPLE);
  otel_sampler_destroy(zero);
  otel_sampler_destroy(one);
  otel_sampler_destroy(half);
  otel_sampler_destroy(clamped);
}

static void test_sampler_ratio_fraction_close_to_ratio(void **state) {
  (void)state;
  otel_sampler_t *s = otel_sampler_traceidratio(0.25);
  int sampled = 0;
  for (int i = 0; i < 40000; i++) {
    uint8_t id[16];
    otel_generate_trace_id(id);
    sampled += decide(s, NULL, id) == OTEL_SAMPLING_RECORD_AND_SAMPLE;
  }
  /* binomial sd is ~87; 10 sd of slack keeps this deterministic in practice */
  assert_in_range(sampled, 10000 - 870, 10000 + 870);
  otel_sampler_destroy(s);
}

static void test_sampler_parentbased_follows_parent(void **state) {
  (void)state;
  otel_sampler_t *pb = otel_sampler_parentbased(otel_sampler_always_off());
  uint8_t id[16];
  otel_generate_trace_id(id);
  otel_span_context_t parent = {.trace_flags = OTEL_TRACE_FLAG_SAMPLED, .is_remote = true};
  memcpy(parent.trace_id, id, 16);
  memset(parent.span_id, 1, 8);
  assert_int_equal(decide(pb, &parent, id), OTEL_SAMPLING_RECORD_AND_SAMPLE);
  parent.is_remote = false;
  assert_int_equal(decide(pb, &parent, id), OTEL_SAMPLING_RECORD_AND_SAMPLE);
  parent.trace_flags = 0;
  assert_int_equal(decide(pb, &parent, id), OTEL_SAMPLING_DROP);
  assert_int_equal(decide(pb, NULL, id), OTEL_SAMPLING_DROP); /* root: always_off */
  otel_span_context_t invalid = {0};
  assert_int_equal(decide(pb, &invalid, id), OTEL_SAMPLING_DROP);
  otel_sampler_destroy(pb);
  pb = otel_sampler_parentbased(otel_sampler_always_on());
  assert_int_equal(decide(pb, NULL, id), OTEL_SAMPLING_RECORD_AND_SAMPLE);
  assert_string_equal(otel_sampler_description(pb), "ParentBased{root=AlwaysOnSampler}");
  otel_sampler_destroy(pb);
}

struct env_case {
  const char *name;
  const char *sampler;
  const char *arg;
  const char *want_description;
};

static void test_sampler_from_env_table(void **state) {
  (void)state;
  static const struct env_case cases[] = {
      {"unset", NULL, NULL, "ParentBased{root=AlwaysOnSampler}"},
      {"always_on", "always_on", NULL, "AlwaysOnSampler"},
      {"always_off", "always_off", NULL, "AlwaysOffSampler"},
      {"ratio", "traceidratio", "0.1", "TraceIdRatioBased{0.100000}"},
      {"ratio without arg", "traceidratio", NULL, "TraceIdRatioBased{1.000000}"},
      {"ratio bad arg", "traceidratio", "abc", "TraceIdRatioBased{1.000000}"},
      {"ratio out of range", "traceidratio", "1.5", "TraceIdRatioBased{1.000000}"},
      {"parentbased ratio", "parentbased_traceidratio", "0.5",
       "ParentBased{root=TraceIdRatioBased{0.500000}}"},
      {"parentbased off", "parentbased_always_off", NULL, "ParentBased{root=AlwaysOffSampler}"},
      {"unknown name", "sometimes", NULL, "ParentBased{root=AlwaysOnSampler}"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct env_case *c = &cases[i];
    if (c->sampler) setenv("OTEL_TRACES_SAMPLER", c->sampler, 1);
    else unsetenv("OTEL_TRACES_SAMPLER");
    if (c->arg) setenv("OTEL_TRACES_SAMPLER_ARG", c->arg, 1);
    else unsetenv("OTEL_TRACES_SAMPLER_ARG");
    otel_sampler_t *s = otel_sampler_from_env();
    if (strcmp(otel_sampler_description(s), c->want_description))
      fail_msg("%s: got %s", c->name, otel_sampler_description(s));
    otel_sampler_destroy(s);
  }
  unsetenv("OTEL_TRACES_SAMPLER");
  unsetenv("OTEL_TRACES_SAMPLER_ARG");
}

static void quiet(otel_diag_level_t l, const char *m, void *u) { (void)l; (void)m; (void)u; }

int main(void) {
  otel_set_error_handler(quiet, NULL); /* the env table reports bad values on purpose */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sampler_ratio_bounds),
      cmocka_unit_test(test_sampler_ratio_fraction_close_to_ratio),
      cmocka_unit_test(test_sampler_parentbased_follows_parent),
      cmocka_unit_test(test_sampler_from_env_table),
  };
  return cmocka_run_group_tests_name("sampler", tests, NULL, NULL);
}
