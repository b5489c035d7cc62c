/* test_propagator.c: propagators (propagator.c): extract/inject through
 * carrier callbacks, a bad tracestate never spoils a good traceparent,
 * OTEL_PROPAGATORS, inject of the current span. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/propagation.h"
#include "otel/trace.h"

#define TP "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

/* A tiny header carrier: up to 8 name/value pairs. */
struct headers {
  const char *name[8];
  char *value[8];
  int n;
};

static const char *hget(void *c, const char *key) {
  struct headers *h = c;
  for (int i = 0; i < h->n; i++)
    if (!strcmp(h->name[i], key)) return h->value[i];
  return NULL;
}

static void hset(void *c, const char *key, const char *value) {
  struct headers *h = c;
  h->name[h->n] = key;
  h->value[h->n++] = strdup(value);
}

static void hfree(struct headers *h) {
  for (int i = 0; i < h->n; i++) free(h->value[i]);
  h->n = 0;
}

static void test_propagator_extract_all_three(void **state) {
  (void)state;
  char tp[] = TP, ts[] = "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7", bg[] = "user=alice";
  struct headers h = {{"traceparent", "tracestate", "baggage"}, {tp, ts, bg}, 3};
  otel_propagator_t *p = otel_propagator_from_env();
  otel_context_t ctx = OTEL_CONTEXT_INIT;
  assert_int_equal(otel_propagator_extract(p, hget, &h, &ctx), OTEL_OK);
  assert_true(otel_span_context_is_valid(&ctx.span_context));
  assert_true(ctx.span_context.is_remote);
  assert_string_equal(ctx.trace_state, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  assert_string_equal(otel_baggage_get(ctx.baggage, "user"), "alice");
  otel_context_cleanup(&ctx);
  assert_null(ctx.trace_state);
  otel_propagator_destroy(p);
}

static void test_propagator_bad_tracestate_keeps_traceparent(void **state) {
  (void)state;
  char tp[] = TP, ts[] = "BAD KEY=1";
  struct headers h = {{"traceparent", "tracestate"}, {tp, ts}, 2};
  otel_context_t ctx = OTEL_CONTEXT_INIT;
  otel_propagator_extract(otel_propagator_tracecontext(), hget, &h, &ctx);
  assert_true(otel_span_context_is_valid(&ctx.span_context));
  assert_null(ctx.trace_state);
  otel_context_cleanup(&ctx);
}

static void test_propagator_bad_traceparent_ignores_tracestate(void **state) {
  (void)state;
  char tp[] = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ts[] = "foo=1";
  struct headers h = {{"traceparent", "tracestate"}, {tp, ts}, 2};
  otel_context_t ctx = OTEL_CONTEXT_INIT;
  assert_int_equal(otel_propagator_extract(otel_propagator_tracecontext(), hget, &h, &ctx), OTEL_OK);
  assert_false(otel_span_context_is_valid(&ctx.span_context));
  assert_null(ctx.trace_state);
  otel_context_cleanup(&ctx);
}

static void test_propagator_inject_round_trip(void **state) {
  (void)state;
  otel_span_context_t sc;
  assert_true(otel_traceparent_parse(TP, &sc));
  otel_baggage_t *b = otel_baggage_parse("k=v");
  struct headers h = {0};
  otel_propagator_t *p = otel_propagator_from_env();
  otel_propagator_inject(p, &sc, "foo=1", b, hset, &h);
  assert_int_equal(h.n, 3);
  assert_string_equal(hget(&h, "traceparent"), TP);
  assert_string_equal(hget(&h, "tracestate"), "foo=1");
  assert_string_equal(hget(&h, "baggage"), "k=v");
  hfree(&h);
  otel_span_context_t invalid = {0};
  otel_propagator_inject(otel_propagator_tracecontext(), &invalid, "foo=1", NULL, hset, &h);
  assert_int_equal(h.n, 0);
  otel_baggage_destroy(b);
  otel_propagator_destroy(p);
}

static void test_propagator_env_selection(void **state) {
  (void)state;
  setenv("OTEL_PROPAGATORS", "baggage, none, xray", 1);
  otel_propagator_t *p = otel_propagator_from_env();
  const char *const *f = otel_propagator_fields(p);
  assert_string_equal(f[0], "baggage");
  assert_null(f[1]);
  otel_propagator_destroy(p);
  setenv("OTEL_PROPAGATORS", "none", 1);
  p = otel_propagator_from_env();
  assert_null(otel_propagator_fields(p)[0]);
  otel_propagator_destroy(p);
  unsetenv("OTEL_PROPAGATORS");
}

static void test_propagator_inject_current_span(void **state) {
  (void)state;
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.sampler = otel_sampler_always_on();
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&o, &tp), OTEL_OK);
  otel_tracer_t *t = otel_tracer_provider_get_tracer(tp, "prop", NULL);
  char tpv[] = TP, ts[] = "vendor=x";
  struct headers in = {{"traceparent", "tracestate"}, {tpv, ts}, 2};
  otel_context_t parent = OTEL_CONTEXT_INIT;
  otel_propagator_extract(otel_propagator_tracecontext(), hget, &in, &parent);
  otel_span_start_options_t so = {.kind = OTEL_SPAN_KIND_SERVER, .remote_parent = &parent};
  otel_span_t *s = otel_tracer_start_span(t, "server", &so);
  struct headers out = {0};
  otel_propagator_inject_current(otel_propagator_tracecontext(), hset, &out);
  const char *sent = hget(&out, "traceparent");
  assert_non_null(sent);
  assert_memory_equal(sent, TP, 36);           /* same trace id */
  assert_memory_not_equal(sent + 36, TP + 36, 16); /* new parent id: our span */
  assert_string_equal(hget(&out, "tracestate"), "vendor=x");
  hfree(&out);
  otel_span_end(s);
  otel_context_cleanup(&parent);
  otel_tracer_provider_destroy(tp);
}

static void quiet(otel_diag_level_t l, const char *m, void *u) { (void)l; (void)m; (void)u; }

int main(void) {
  otel_set_error_handler(quiet, NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_propagator_extract_all_three),
      cmocka_unit_test(test_propagator_bad_tracestate_keeps_traceparent),
      cmocka_unit_test(test_propagator_bad_traceparent_ignores_tracestate),
      cmocka_unit_test(test_propagator_inject_round_trip),
      cmocka_unit_test(test_propagator_env_selection),
      cmocka_unit_test(test_propagator_inject_current_span),
  };
  return cmocka_run_group_tests_name("propagator", tests, NULL, NULL);
}
