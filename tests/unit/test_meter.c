/* test_meter.c: the metrics SDK (meter.c, metric_reader.c,
 * otlp_encode_metrics.c): aggregation per attribute set, cardinality
 * overflow, histogram buckets, cumulative and delta temporality over
 * several collections, observable instruments, names, OTLP encoding,
 * histogram exemplars (one per bucket, the span's ids, reported once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics_internal.h"
#include "otel/trace.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"

/* A capturing exporter: copies what one collection produced. */
typedef struct captured {
  char stream[64];
  char attrs[128];
  int temporality;
  double value;        /* sums and gauges */
  uint64_t count;      /* histograms */
  double sum, min, max;
  uint64_t buckets[16];
  size_t bucket_count;
  uint64_t start_ns, time_ns;
  size_t exemplar_count;
  otel_exemplar_t exemplars[16];
} captured_t;

static captured_t got[64];
static size_t n_got;
static uint8_t *encoded;
static size_t encoded_len;

static void attrs_text(const otel_metric_point_t *p, char *out, size_t cap) {
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < p->attr_count && n < cap; i++) {
    const otel_attr_t *a = &p->attrs[i];
    if (a->type == OTEL_ATTR_TYPE_STRING) n += (size_t)snprintf(out + n, cap - n, "%s=%s;", a->key, a->value.s);
    else if (a->type == OTEL_ATTR_TYPE_BOOL) n += (size_t)snprintf(out + n, cap - n, "%s=%d;", a->key, a->value.b);
    else n += (size_t)snprintf(out + n, cap - n, "%s=%lld;", a->key, (long long)a->value.i);
  }
}

static otel_err_t capture(void *ctx, const otel_metric_batch_t *b) {
  (void)ctx;
  n_got = 0;
  for (size_t i = 0; i < b->stream_count; i++)
    for (size_t j = 0; j < b->streams[i].point_count && n_got < 64; j++) {
      const otel_metric_stream_t *s = &b->streams[i];
      const otel_metric_point_t *p = &s->points[j];
      captured_t *c = &got[n_got++];
      memset(c, 0, sizeof(*c));
      snprintf(c->stream, sizeof c->stream, "%s", s->name);
      attrs_text(p, c->attrs, sizeof c->attrs);
      c->temporality = s->temporality;
      c->value = p->is_double ? p->as_double : (double)p->as_int;
      c->count = p->count, c->sum = p->sum, c->min = p->min, c->max = p->max;
      c->bucket_count = p->bucket_count;
      for (size_t k = 0; k < p->bucket_count && k < 16; k++) c->buckets[k] = p->bucket_counts[k];
      c->start_ns = p->start_time_ns, c->time_ns = p->time_ns;
      c->exemplar_count = p->exemplar_count;
      for (size_t k = 0; k < p->exemplar_count && k < 16; k++) c->exemplars[k] = p->exemplars[k];
    }
  free(encoded);
  otel__otlp_encode_metrics(b, &encoded, &encoded_len);
  return OTEL_OK;
}
static const struct otel_metric_exporter_type capture_type = {.name = "capture", .export_metrics = capture};

static const captured_t *find(const char *stream, const char *attrs) {
  for (size_t i = 0; i < n_got; i++)
    if (!strcmp(got[i].stream, stream) && !strcmp(got[i].attrs, attrs)) return &got[i];
  return NULL;
}

struct fixture {
  otel_meter_provider_t *mp;
  otel_meter_t *meter;
  otel_metric_exporter_t *cap;
};

static struct fixture *make(otel_temporality_preference_t pref, uint32_t limit) {
  struct fixture *f = calloc(1, sizeof(*f));
  otel_meter_provider_options_t o;
  otel_meter_provider_options_init(&o);
  o.temporality = pref;
  if (limit) o.cardinality_limit = limit;
  assert_int_equal(otel_meter_provider_create(&o, &f->mp), OTEL_OK);
  f->meter = otel_meter_provider_get_meter(f->mp, "test", "1.0");
  f->cap = otel_metric_exporter_create(&capture_type, NULL);
  return f;
}

static void destroy(struct fixture *f) {
  otel_metric_exporter_destroy(f->cap);
  otel_meter_provider_destroy(f->mp);
  free(f);
  free(encoded);
  encoded = NULL;
}

static void collect(struct fixture *f) { assert_int_equal(otel_meter_provider_collect(f->mp, f->cap), OTEL_OK); }

static void test_meter_attribute_order_is_one_series(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_instrument_t *c;
  assert_int_equal(otel_meter_create_counter(f->meter, "iss.requests", "{request}", "", &c), OTEL_OK);
  otel_attr_t ab[] = {OTEL_ATTR_STR("a", "1"), OTEL_ATTR_INT("b", 2)};
  otel_attr_t ba[] = {OTEL_ATTR_INT("b", 2), OTEL_ATTR_STR("a", "1")};
  otel_counter_add(c, 3, ab, 2);
  otel_counter_add(c, 4, ba, 2);
  otel_counter_add(c, 5, NULL, 0);
  otel_counter_add(c, -7, NULL, 0); /* ignored: counters only go up */
  collect(f);
  assert_int_equal(n_got, 2);
  assert_true(find("iss.requests", "a=1;b=2;")->value == 7);
  assert_true(find("iss.requests", "")->value == 5);
  destroy(f);
}

/* find_series compares a record's attributes with the series found last
 * before anything else: sets that look alike to that comparison (a value
 * changed, a key repeated, a type changed, one attribute fewer or more,
 * another order) must still go to their own series. */
static void test_meter_last_series_shortcut_keeps_sets_apart(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_instrument_t *c;
  assert_int_equal(otel_meter_create_counter(f->meter, "hits", "1", "", &c), OTEL_OK);
  otel_attr_t ab[] = {OTEL_ATTR_STR("a", "x"), OTEL_ATTR_INT("b", 2)};
  otel_attr_t ba[] = {OTEL_ATTR_INT("b", 2), OTEL_ATTR_STR("a", "x")};
  otel_attr_t ab3[] = {OTEL_ATTR_STR("a", "x"), OTEL_ATTR_INT("b", 3)};
  otel_attr_t aa[] = {OTEL_ATTR_STR("a", "x"), OTEL_ATTR_STR("a", "x")};
  otel_attr_t ax[] = {OTEL_ATTR_STR("a", "x"), OTEL_ATTR_BOOL("b", true)};
  otel_attr_t a_only[] = {OTEL_ATTR_STR("a", "x")};
  for (int i = 0; i < 3; i++) {
    otel_counter_add(c, 1, ab, 2);     /* a=x;b=2 */
    otel_counter_add(c, 10, ba, 2);    /* a=x;b=2 */
    otel_counter_add(c, 100, ab3, 2);  /* a=x;b=3 */
    otel_counter_add(c, 1000, aa, 2);  /* a=x (the last of a repeated key wins) */
    otel_counter_add(c, 10000, ax, 2); /* a=x;b=true */
    otel_counter_add(c, 100000, a_only, 1);
  }
  collect(f);
  assert_int_equal(n_got, 4);
  assert_true(find("hits", "a=x;b=2;")->value == 33);
  assert_true(find("hits", "a=x;b=3;")->value == 300);
  assert_true(find("hits", "a=x;")->value == 303000);
  assert_true(find("hits", "a=x;b=1;")->value == 30000);
  destroy(f);
}

static void test_meter_cardinality_limit_overflow_series(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 4);
  otel_instrument_t *c;
  otel_meter_create_counter(f->meter, "requests", "1", "", &c);
  for (int i = 0; i < 10; i++) {
    char v[16];
    snprintf(v, sizeof v, "%d", i);
    otel_counter_add(c, 1, &OTEL_ATTR_STR("k", v), 1);
  }
  collect(f);
  assert_int_equal(n_got, 4); /* 3 series + overflow = the limit */
  assert_non_null(find("requests", "k=0;"));
  assert_non_null(find("requests", "k=2;"));
  assert_null(find("requests", "k=3;"));
  assert_true(find("requests", "otel.metric.overflow=1;")->value == 7);
  destroy(f);
}

static void test_meter_histogram_buckets_upper_inclusive(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_instrument_t *h;
  const double bounds[] = {0.1, 0.5, 1.0};
  assert_int_equal(otel_meter_create_histogram(f->meter, "http.server.request.duration", "s", "", bounds, 3, &h), OTEL_OK);
  const double values[] = {0.05, 0.1, 0.2, 0.5, 0.9, 1.0, 3.0};
  for (size_t i = 0; i < 7; i++) otel_histogram_record(h, values[i], NULL, 0);
  collect(f);
  const captured_t *c = find("http.server.request.duration", "");
  assert_non_null(c);
  assert_int_equal(c->bucket_count, 4);
  assert_int_equal(c->buckets[0], 2); /* 0.05, 0.1 */
  assert_int_equal(c->buckets[1], 2); /* 0.2, 0.5 */
  assert_int_equal(c->buckets[2], 2); /* 0.9, 1.0 */
  assert_int_equal(c->buckets[3], 1); /* 3.0 */
  assert_int_equal(c->count, 7);
  assert_true(c->min == 0.05 && c->max == 3.0);
  assert_true(c->sum > 5.749 && c->sum < 5.751);
  otel_instrument_t *dflt;
  otel_meter_create_histogram(f->meter, "default.bounds", "ms", "", NULL, 0, &dflt);
  otel_histogram_record(dflt, 7, NULL, 0);
  collect(f);
  assert_int_equal(find("default.bounds", "")->bucket_count, 16);
  assert_int_equal(find("default.bounds", "")->buckets[2], 1); /* (5, 10] */
  destroy(f);
}

static void test_meter_cumulative_vs_delta_over_collections(void **state) {
  (void)state;
  for (int pref = 0; pref < 2; pref++) {
    struct fixture *f = make(pref ? OTEL_TEMPORALITY_PREFER_DELTA : OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
    otel_instrument_t *c, *h, *ud;
    otel_meter_create_counter(f->meter, "c", "1", "", &c);
    otel_meter_create_histogram(f->meter, "h", "1", "", NULL, 0, &h);
    otel_meter_create_up_down_counter(f->meter, "ud", "1", "", &ud);
    otel_counter_add(c, 2, NULL, 0);
    otel_histogram_record(h, 1, NULL, 0);
    otel_counter_add(ud, 5, NULL, 0);
    collect(f);
    uint64_t first_end = find("c", "")->time_ns;
    assert_true(find("c", "")->value == 2);
    otel_counter_add(c, 3, NULL, 0);
    otel_histogram_record(h, 2, NULL, 0);
    otel_counter_add(ud, -1, NULL, 0);
    collect(f);
    const captured_t *cc = find("c", ""), *hh = find("h", ""), *uu = find("ud", "");
    if (pref) { /* delta: only what happened since the last collection */
      assert_int_equal(cc->temporality, OTEL_TEMPORALITY_DELTA);
      assert_true(cc->value == 3);
      assert_int_equal(hh->count, 1);
      assert_true(cc->start_ns == first_end);
      assert_int_equal(uu->temporality, OTEL_TEMPORALITY_CUMULATIVE); /* up-down stays cumulative */
    } else {
      assert_true(cc->value == 5);
      assert_int_equal(hh->count, 2);
      assert_true(cc->start_ns < first_end);
    }
    assert_true(uu->value == 4);
    collect(f); /* nothing recorded: delta streams have no point */
    assert_true(pref ? find("c", "") == NULL : find("c", "")->value == 5);
    destroy(f);
  }
}

static int observed_calls;
static void observe_queue(otel_observer_t *o, void *ud) {
  observed_calls++;
  otel_observer_observe(o, *(double *)ud, &OTEL_ATTR_STR("queue", "spans"), 1);
}

static void test_meter_observable_gauge_and_counter(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_DELTA, 0);
  double level = 17, total = 100;
  otel_instrument_t *g, *oc;
  assert_int_equal(otel_meter_create_observable(f->meter, OTEL_INSTRUMENT_OBSERVABLE_GAUGE, "queue.size",
                                                "{span}", "", observe_queue, &level, &g), OTEL_OK);
  assert_int_equal(otel_meter_create_observable(f->meter, OTEL_INSTRUMENT_OBSERVABLE_COUNTER, "spans.total",
                                                "{span}", "", observe_queue, &total, &oc), OTEL_OK);
  collect(f);
  assert_true(find("queue.size", "queue=spans;")->value == 17);
  assert_true(find("spans.total", "queue=spans;")->value == 100);
  level = 3;
  total = 130;
  collect(f);
  assert_true(find("queue.size", "queue=spans;")->value == 3);
  assert_true(find("spans.total", "queue=spans;")->value == 30); /* delta of the observed total */
  assert_int_equal(observed_calls, 4);
  destroy(f);
}

static void test_meter_names_and_duplicates(void **state) {
  (void)state;
  static const struct { const char *name; bool valid; } cases[] = {
      {"incoming.requests", true}, {"http.server.request.duration", true}, {"a", true},
      {"a_b-c/d.e", true}, {"", false}, {"1abc", false}, {"_x", false}, {"has space", false},
      {"ünïcode", false}, {NULL, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (otel_instrument_name_is_valid(cases[i].name) != cases[i].valid) fail_msg("%s", cases[i].name ? cases[i].name : "NULL");
  char long_name[300];
  memset(long_name, 'a', 256);
  long_name[256] = '\0';
  assert_false(otel_instrument_name_is_valid(long_name));
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_instrument_t *a, *b, *c;
  assert_int_equal(otel_meter_create_counter(f->meter, "bad name", "1", "", &a), OTEL_EINVAL);
  assert_null(a);
  assert_int_equal(otel_meter_create_counter(f->meter, "requests", "1", "", &a), OTEL_OK);
  assert_int_equal(otel_meter_create_counter(f->meter, "Requests", "1", "", &b), OTEL_OK);
  assert_ptr_equal(a, b); /* the same instrument */
  assert_int_equal(otel_meter_create_gauge(f->meter, "requests", "1", "", &c), OTEL_EINVAL);
  otel_counter_add(NULL, 1, NULL, 0); /* no-ops */
  otel_histogram_record(a, 1.0, NULL, 0); /* wrong kind: ignored */
  destroy(f);
  otel_instrument_t *none;
  assert_int_equal(otel_meter_create_counter(NULL, "x", "1", "", &none), OTEL_OK);
  assert_null(none);
}

static void test_meter_otlp_encoding_round_trip(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_instrument_t *c, *h;
  otel_meter_create_counter(f->meter, "iss.requests", "{request}", "ISS API calls", &c);
  otel_meter_create_histogram(f->meter, "lat", "s", "", (const double[]){1, 2}, 2, &h);
  otel_counter_add(c, 9, &OTEL_ATTR_INT("response.status", 200), 1);
  otel_histogram_record(h, 1.5, NULL, 0);
  collect(f);
  Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *r =
      opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(NULL, encoded_len, encoded);
  assert_non_null(r);
  Opentelemetry__Proto__Metrics__V1__ScopeMetrics *sm = r->resource_metrics[0]->scope_metrics[0];
  assert_string_equal(sm->scope->name, "test");
  assert_int_equal(sm->n_metrics, 2);
  for (size_t i = 0; i < sm->n_metrics; i++) {
    Opentelemetry__Proto__Metrics__V1__Metric *m = sm->metrics[i];
    if (!strcmp(m->name, "iss.requests")) {
      assert_string_equal(m->unit, "{request}");
      assert_int_equal(m->data_case, OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM);
      assert_true(m->sum->is_monotonic);
      assert_int_equal(m->sum->aggregation_temporality, 2);
      assert_int_equal(m->sum->data_points[0]->as_int, 9);
      assert_string_equal(m->sum->data_points[0]->attributes[0]->key, "response.status");
    } else {
      assert_int_equal(m->data_case, OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM);
      Opentelemetry__Proto__Metrics__V1__HistogramDataPoint *p = m->histogram->data_points[0];
      assert_int_equal(p->count, 1);
      assert_true(p->has_sum && p->sum == 1.5 && p->has_min && p->min == 1.5);
      assert_int_equal(p->n_bucket_counts, 3);
      assert_int_equal(p->bucket_counts[1], 1);
      assert_int_equal(p->n_explicit_bounds, 2);
    }
  }
  opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(r, NULL);
  destroy(f);
}

/* Records v into h inside a span of tp's (sampled or not); returns its context. */
static otel_span_context_t record_in_span(otel_tracer_provider_t *tp, otel_instrument_t *h, double v) {
  otel_span_t *span = otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "t", NULL), "op", NULL);
  otel_span_context_t sc = otel_span_get_context(span);
  otel_histogram_record(h, v, NULL, 0);
  otel_span_end(span);
  return sc;
}

static otel_tracer_provider_t *tracer_provider(otel_sampler_t *sampler) {
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.sampler = sampler;
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&o, &tp), OTEL_OK);
  return tp;
}

static void test_meter_histogram_exemplars_trace_based(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_tracer_provider_t *on = tracer_provider(otel_sampler_always_on());
  otel_tracer_provider_t *off = tracer_provider(otel_sampler_always_off());
  otel_instrument_t *h;
  otel_meter_create_histogram(f->meter, "lat", "s", "", (const double[]){1, 2}, 2, &h);
  otel_histogram_record(h, 0.5, NULL, 0);                         /* no span: no exemplar */
  otel_span_context_t first = record_in_span(on, h, 1.5);         /* bucket 1 */
  otel_span_context_t last = record_in_span(on, h, 1.7);          /* bucket 1 again: replaces */
  record_in_span(off, h, 9);                                      /* not sampled: none */
  otel_span_context_t big = record_in_span(on, h, 5);             /* bucket 2 */
  assert_memory_not_equal(first.span_id, last.span_id, 8);
  collect(f);
  const captured_t *c = find("lat", "");
  assert_non_null(c);
  assert_int_equal(c->count, 5);
  assert_int_equal(c->exemplar_count, 2);
  assert_true(c->exemplars[0].value == 1.7 && c->exemplars[1].value == 5);
  assert_memory_equal(c->exemplars[0].trace_id, last.trace_id, 16);
  assert_memory_equal(c->exemplars[0].span_id, last.span_id, 8);
  assert_memory_equal(c->exemplars[1].span_id, big.span_id, 8);
  assert_true(c->exemplars[0].time_ns >= c->start_ns && c->exemplars[0].time_ns <= c->time_ns);

  Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *r =
      opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(NULL, encoded_len, encoded);
  assert_non_null(r);
  Opentelemetry__Proto__Metrics__V1__HistogramDataPoint *p =
      r->resource_metrics[0]->scope_metrics[0]->metrics[0]->histogram->data_points[0];
  assert_int_equal(p->n_exemplars, 2);
  assert_true(p->exemplars[1]->as_double == 5);
  assert_int_equal(p->exemplars[1]->trace_id.len, 16);
  assert_memory_equal(p->exemplars[1]->trace_id.data, big.trace_id, 16);
  assert_memory_equal(p->exemplars[1]->span_id.data, big.span_id, 8);
  opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(r, NULL);

  collect(f); /* cumulative: the counts stay, each exemplar is reported once */
  c = find("lat", "");
  assert_int_equal(c->count, 5);
  assert_int_equal(c->exemplar_count, 0);
  otel_tracer_provider_destroy(on);
  otel_tracer_provider_destroy(off);
  destroy(f);
}

static void test_meter_histogram_exemplar_filters(void **state) {
  (void)state;
  otel_tracer_provider_t *on = tracer_provider(otel_sampler_always_on());
  for (int filter = OTEL_EXEMPLAR_FILTER_ALWAYS_ON; filter <= OTEL_EXEMPLAR_FILTER_ALWAYS_OFF; filter++) {
    struct fixture *f = calloc(1, sizeof(*f));
    otel_meter_provider_options_t o;
    otel_meter_provider_options_init(&o);
    o.exemplar_filter = (otel_exemplar_filter_t)filter;
    assert_int_equal(otel_meter_provider_create(&o, &f->mp), OTEL_OK);
    f->meter = otel_meter_provider_get_meter(f->mp, "test", "1.0");
    f->cap = otel_metric_exporter_create(&capture_type, NULL);
    otel_instrument_t *h;
    otel_meter_create_histogram(f->meter, "lat", "s", "", (const double[]){1, 2}, 2, &h);
    otel_histogram_record(h, 0.5, NULL, 0); /* no span */
    record_in_span(on, h, 1.5);
    collect(f);
    const captured_t *c = find("lat", "");
    if (filter == OTEL_EXEMPLAR_FILTER_ALWAYS_ON) {
      assert_int_equal(c->exemplar_count, 2); /* the one without a span has zero ids */
      static const uint8_t zero[16];
      assert_memory_equal(c->exemplars[0].trace_id, zero, 16);
    } else {
      assert_int_equal(c->exemplar_count, 0);
    }
    destroy(f);
  }
  setenv("OTEL_METRICS_EXEMPLAR_FILTER", "ALWAYS_OFF", 1);
  otel_meter_provider_options_t o;
  otel_meter_provider_options_init(&o);
  assert_int_equal(o.exemplar_filter, OTEL_EXEMPLAR_FILTER_ALWAYS_OFF);
  setenv("OTEL_METRICS_EXEMPLAR_FILTER", "sometimes", 1);
  otel_meter_provider_options_init(&o);
  assert_int_equal(o.exemplar_filter, OTEL_EXEMPLAR_FILTER_TRACE_BASED);
  unsetenv("OTEL_METRICS_EXEMPLAR_FILTER");
  otel_tracer_provider_destroy(on);
}

struct adder {
  otel_instrument_t *c;
  int n;
};
static void *add_many(void *p) {
  struct adder *a = p;
  for (int i = 0; i < a->n; i++) otel_counter_add(a->c, 1, &OTEL_ATTR_STR("t", i % 2 ? "odd" : "even"), 1);
  return NULL;
}

static void test_meter_counter_threads_concurrent_safe(void **state) {
  (void)state;
  struct fixture *f = make(OTEL_TEMPORALITY_PREFER_CUMULATIVE, 0);
  otel_instrument_t *c;
  otel_meter_create_counter(f->meter, "n", "1", "", &c);
  pthread_t th[4];
  struct adder a = {c, 50000};
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, add_many, &a);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  collect(f);
  assert_true(find("n", "t=odd;")->value == 100000);
  assert_true(find("n", "t=even;")->value == 100000);
  destroy(f);
}

static void quiet(otel_diag_level_t l, const char *m, void *u) { (void)l, (void)m, (void)u; }

int main(void) {
  otel_set_error_handler(quiet, NULL);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_meter_attribute_order_is_one_series),
      cmocka_unit_test(test_meter_last_series_shortcut_keeps_sets_apart),
      cmocka_unit_test(test_meter_cardinality_limit_overflow_series),
      cmocka_unit_test(test_meter_histogram_buckets_upper_inclusive),
      cmocka_unit_test(test_meter_cumulative_vs_delta_over_collections),
      cmocka_unit_test(test_meter_observable_gauge_and_counter),
      cmocka_unit_test(test_meter_names_and_duplicates),
      cmocka_unit_test(test_meter_otlp_encoding_round_trip),
      cmocka_unit_test(test_meter_histogram_exemplars_trace_based),
      cmocka_unit_test(test_meter_histogram_exemplar_filters),
      cmocka_unit_test(test_meter_counter_threads_concurrent_safe),
  };
  return cmocka_run_group_tests_name("meter", tests, NULL, NULL);
}
