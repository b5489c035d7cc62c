/* SPDX-License-Identifier: Apache-2.0
 *
 * test_store.c: the bounded stores (store.c): the oldest trace, log record
 * and metric stream are evicted at the limit, a resent span replaces its
 * copy, a new point of a stream replaces its value, and a trace is ready
 * once its root has arrived or it has been quiet long enough. The trace
 * index keeps finding traces through many colliding ids and evictions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../viewer.h"

static vw_span_t mk_span(uint8_t trace, uint8_t id, bool root) {
  vw_span_t s = {0};
  memset(s.trace_id, trace, 16);
  memset(s.span_id, id, 8);
  if (!root) { memset(s.parent_id, 0xee, 8); s.has_parent = true; }
  assert_true(vw_span_fill(&s, "svc", "op", "", "", NULL, 0, NULL));
  return s;
}

typedef struct seen { uint8_t first[16]; size_t n, spans; } seen_t;

static void count_trace(const vw_trace_t *t, void *ud) {
  seen_t *s = ud;
  if (s->n++ == 0) memcpy(s->first, t->trace_id, 16);
  s->spans += t->n_spans;
}

static void test_store_trace_limit_evicts_oldest(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(2, 10, 10);
  for (uint8_t t = 1; t <= 3; t++) {
    vw_span_t sp = mk_span(t, 1, true);
    vw_store_add_span(s, &sp);
  }
  seen_t seen = {0};
  vw_store_each_trace(s, count_trace, &seen);
  assert_int_equal(seen.n, 2);
  assert_int_equal(seen.first[0], 2);
  assert_int_equal(vw_store_stats(s).evicted_traces, 1);
  vw_store_destroy(s);
}

static void test_store_resent_span_replaces_copy(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(2, 10, 10);
  for (int i = 0; i < 3; i++) {
    vw_span_t sp = mk_span(1, 7, false);
    vw_store_add_span(s, &sp);
  }
  seen_t seen = {0};
  vw_store_each_trace(s, count_trace, &seen);
  assert_int_equal(seen.spans, 1);
  vw_store_destroy(s);
}

/* Trace number n gets a pseudo-random id whose last 4 bytes are n. With 8
 * traces in an index of 16 entries, probes and back-shifts on eviction
 * happen all the time. */
static vw_span_t mk_colliding_span(uint32_t trace, uint8_t id) {
  vw_span_t s = mk_span(0, id, true);
  uint64_t x = trace * 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  x *= 0xbf58476d1ce4e5b9ull;
  memcpy(s.trace_id, &x, 8);
  memcpy(s.trace_id + 12, &trace, 4);
  return s;
}

typedef struct ids { uint32_t id[16]; size_t spans[16]; size_t n; } ids_t;

static void collect_ids(const vw_trace_t *t, void *ud) {
  ids_t *x = ud;
  if (x->n < 16) {
    memcpy(&x->id[x->n], t->trace_id + 12, 4);
    x->spans[x->n++] = t->n_spans;
  }
}

static void test_store_index_finds_traces_through_collisions_and_evictions(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(8, 10, 10);
  for (uint32_t t = 1; t <= 1000; t++) {
    vw_span_t sp = mk_colliding_span(t, 1);
    vw_store_add_span(s, &sp);
    if (t > 3) { /* a second span of a trace 3 back: it must join that trace */
      vw_span_t late = mk_colliding_span(t - 3, 2);
      vw_store_add_span(s, &late);
    }
  }
  ids_t seen = {0};
  vw_store_each_trace(s, collect_ids, &seen);
  assert_int_equal(seen.n, 8);
  for (size_t i = 0; i < 8; i++) {
    assert_int_equal(seen.id[i], 993 + i); /* the last 8, oldest first */
    assert_int_equal(seen.spans[i], 993 + i <= 997 ? 2 : 1);
  }
  assert_int_equal(vw_store_stats(s).evicted_traces, 992);
  vw_store_destroy(s);
}

static void collect_body(const vw_log_t *l, void *ud) {
  char *out = ud;
  strcat(out, l->body);
}

static void test_store_log_ring_keeps_last_n_in_order(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(1, 3, 1);
  const char *bodies[] = {"a", "b", "c", "d", "e"};
  for (int i = 0; i < 5; i++) {
    vw_log_t l = {0};
    assert_true(vw_log_fill(&l, "", "svc", bodies[i], NULL, 0, NULL));
    vw_store_add_log(s, &l);
  }
  char got[16] = "";
  vw_store_each_log(s, collect_body, got);
  assert_string_equal(got, "cde");
  assert_int_equal(vw_store_stats(s).evicted_logs, 2);
  vw_store_destroy(s);
}

static vw_metric_t mk_metric(const char *name, const char *attrs, double v) {
  vw_metric_t m = {.service = strdup("svc"), .name = strdup(name), .unit = strdup(""),
                   .attrs = strdup(attrs), .type = VW_METRIC_GAUGE, .value = v};
  return m;
}

static void collect_metric(const vw_metric_t *m, void *ud) {
  char *out = ud;
  char line[64];
  snprintf(line, sizeof line, "%s{%s}=%g;", m->name, m->attrs, m->value);
  strcat(out, line);
}

static void test_store_metric_latest_value_per_stream_and_limit(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(1, 1, 2);
  vw_metric_t m;
  m = mk_metric("temp", "room=a", 1); vw_store_put_metric(s, &m);
  m = mk_metric("temp", "room=b", 2); vw_store_put_metric(s, &m);
  m = mk_metric("temp", "room=a", 3); vw_store_put_metric(s, &m); /* replaces */
  char got[256] = "";
  vw_store_each_metric(s, collect_metric, got);
  assert_string_equal(got, "temp{room=a}=3;temp{room=b}=2;");
  m = mk_metric("load", "", 4); vw_store_put_metric(s, &m);     /* evicts room=b */
  got[0] = '\0';
  vw_store_each_metric(s, collect_metric, got);
  assert_string_equal(got, "temp{room=a}=3;load{}=4;");
  vw_store_destroy(s);
}

typedef struct hist { size_t len; double first, last; bool ordered; } hist_t;

static void collect_history(const vw_metric_t *m, void *ud) {
  hist_t *h = ud;
  h->len = m->ring_len;
  h->ordered = true;
  for (size_t i = 0; i < m->ring_len; i++) {
    double v = m->ring[(m->ring_head + i) % VW_RING].value;
    if (i == 0) h->first = v;
    else if (v != h->last + 1) h->ordered = false;
    h->last = v;
  }
}

/* A stream keeps its last VW_RING points in order, growing its ring as
 * points come and dropping the oldest once full; a change of bucket
 * layout starts the history again. */
static void test_store_metric_history_ring(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(1, 1, 2);
  for (int i = 1; i <= VW_RING + 10; i++) {
    vw_metric_t m = mk_metric("temp", "", i);
    m.point.value = i;
    vw_store_put_metric(s, &m);
    if (i == 3 || i == VW_RING + 10) {
      hist_t h = {0};
      vw_store_each_metric(s, collect_history, &h);
      assert_int_equal(h.len, i == 3 ? 3 : VW_RING);
      assert_true(h.ordered);
      assert_true(h.first == (i == 3 ? 1 : 11) && h.last == i);
    }
  }
  vw_metric_t m = mk_metric("temp", "", 0);
  m.point.n_buckets = 2; /* another layout */
  m.point.buckets = calloc(2, sizeof *m.point.buckets);
  vw_store_put_metric(s, &m);
  hist_t h = {0};
  vw_store_each_metric(s, collect_history, &h);
  assert_int_equal(h.len, 1);
  vw_store_destroy(s);
}

static void test_store_trace_ready_on_root_or_quiet(void **state) {
  (void)state;
  vw_trace_t t = {.root_seen = false, .last_update_ns = 1000};
  assert_false(vw_trace_ready(&t, 1000 + 10, 500));
  assert_true(vw_trace_ready(&t, 1000 + 500, 500));
  t.root_seen = true;
  assert_true(vw_trace_ready(&t, 1000, 500));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_trace_limit_evicts_oldest),
      cmocka_unit_test(test_store_resent_span_replaces_copy),
      cmocka_unit_test(test_store_log_ring_keeps_last_n_in_order),
      cmocka_unit_test(test_store_metric_latest_value_per_stream_and_limit),
      cmocka_unit_test(test_store_metric_history_ring),
      cmocka_unit_test(test_store_trace_ready_on_root_or_quiet),
      cmocka_unit_test(test_store_index_finds_traces_through_collisions_and_evictions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
