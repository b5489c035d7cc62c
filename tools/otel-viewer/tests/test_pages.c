/* SPDX-License-Identifier: Apache-2.0
 *
 * test_pages.c: the HTML pages (page_*.c), their escaping helpers
 * (html_escape.c) and the trace layout (trace_layout.c). The fixtures of
 * tests/fixtures/viewer/ go through the real ingest (OTLP/JSON decoded,
 * ingested into a store); the trace page, the trace list and the log page
 * are compared to golden files in tests/golden/ (regenerate with
 * UPDATE_GOLDEN=1, then read the diff). The hostile fixture's markup must
 * come out as text only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../viewer.h"

#define FIX "tests/fixtures/viewer/"
#define APP_TRACE "5b8efff798038103d269b633813fc60c"
#define EVIL_TRACE "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
  if (s) s[n] = '\0';
  fclose(f);
  return s;
}

static void ingest_file(vw_ingest_t *in, vw_signal_t sig, const char *path) {
  char *json = read_file(path);
  assert_non_null(json);
  const char *err = NULL;
  ProtobufCMessage *req = vw_json_to_pb(vw_request_descriptor(sig), json, strlen(json), SIZE_MAX, &err, NULL);
  assert_non_null(req);
  ProtobufCMessage *resp = vw_ingest_request(in, sig, req, NULL);
  assert_non_null(resp);
  protobuf_c_message_free_unpacked(resp, NULL);
  protobuf_c_message_free_unpacked(req, NULL);
  free(json);
}

static vw_store_t *fixture_store(void) {
  vw_store_t *s = vw_store_create(100, 100, 100);
  vw_ingest_t *in = vw_ingest_create(s, NULL);
  ingest_file(in, VW_TRACES, FIX "trace_app.json");
  ingest_file(in, VW_LOGS, FIX "logs_app.json");
  ingest_file(in, VW_TRACES, FIX "hostile_traces.json");
  ingest_file(in, VW_LOGS, FIX "hostile_logs.json");
  vw_ingest_destroy(in);
  return s;
}

static void golden(const char *html, const char *path) {
  assert_non_null(html);
  if (getenv("UPDATE_GOLDEN")) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(html, f);
    fclose(f);
  }
  char *want = read_file(path);
  assert_non_null(want);
  assert_string_equal(html, want);
  free(want);
}

typedef struct got { const char *selected; char *html; } got_t;

static void trace_cb(const vw_trace_t *t, const vw_log_t *const *logs, size_t n, void *ud) {
  got_t *g = ud;
  assert_non_null(t);
  g->html = vw_page_trace(t, logs, n, g->selected);
}

static char *trace_page(vw_store_t *s, const char *hex, const char *selected) {
  uint8_t id[16];
  assert_true(vw_parse_hex(hex, id, 16));
  got_t g = {selected, NULL};
  vw_store_read_trace(s, id, trace_cb, &g);
  return g.html;
}

/* ---- escaping -------------------------------------------------------------- */

static void test_escape_text_attr_url(void **state) {
  (void)state;
  vw_buf_t b = {0};
  vw_html_text(&b, "<a href=\"x\">&'\x01\x1b\x7f\ttab\n");
  char *s = vw_buf_take(&b);
  assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\xe2\x90\x81\xe2\x90\x9b"
                         "\xe2\x90\xa1\ttab\n");
  free(s);
  vw_html_attr(&b, "\" onload=\"x");
  s = vw_buf_take(&b);
  assert_string_equal(s, "&quot; onload=&quot;x");
  free(s);
  vw_url_part(&b, "a b&c=d/é~");
  s = vw_buf_take(&b);
  assert_string_equal(s, "a%20b%26c%3Dd%2F%C3%A9~");
  free(s);
  vw_html_text(&b, NULL); /* nothing, no crash */
  s = vw_buf_take(&b);
  assert_string_equal(s, "");
  free(s);
}

/* ---- layout ---------------------------------------------------------------- */

static void layout_cb(const vw_trace_t *t, const vw_log_t *const *logs, size_t n, void *ud) {
  (void)logs, (void)n;
  vw_trace_layout_t l;
  assert_true(vw_trace_layout(t, &l));
  /* draw order: depth first, children by start. Every span is on the
   * critical path: the gateway calls the geolocator, then the ISS service,
   * one after the other, so its end waited on both */
  static const char *const order[] = {"a000000000000001", "a000000000000002", "b000000000000001",
                                      "b000000000000002", "c000000000000001", "b000000000000003",
                                      "d000000000000001"};
  static const bool crit[] = {true, true, true, true, true, true, true};
  static const int depth[] = {0, 1, 2, 3, 4, 3, 4};
  assert_int_equal(l.n_seq, 7);
  for (size_t k = 0; k < 7; k++) {
    char sid[17];
    vw_hex(t->spans[l.seq[k]].span_id, 8, sid);
    assert_string_equal(sid, order[k]);
    assert_int_equal(l.critical[l.seq[k]], crit[k]);
    assert_int_equal(l.depth[l.seq[k]], depth[k]);
  }
  assert_int_equal(l.n_services, 4);
  assert_string_equal(l.services[0], "frontend");
  assert_string_equal(l.services[3], "iss-distance-service");
  assert_int_equal(l.t1 - l.t0, 120000000);
  *(bool *)ud = true;
  vw_trace_layout_free(&l);
}

static void test_layout_order_depth_critical_path(void **state) {
  (void)state;
  vw_store_t *s = fixture_store();
  uint8_t id[16];
  assert_true(vw_parse_hex(APP_TRACE, id, 16));
  bool ran = false;
  vw_store_read_trace(s, id, layout_cb, &ran);
  assert_true(ran);
  vw_store_destroy(s);
}

static vw_span_t mk(uint8_t id, uint8_t parent, uint64_t start, uint64_t end) {
  vw_span_t v = {0};
  memset(v.trace_id, 1, 16);
  v.span_id[7] = id;
  if (parent) { v.parent_id[7] = parent; v.has_parent = true; }
  v.start_ns = start;
  v.end_ns = end;
  assert_true(vw_span_fill(&v, "svc", "op", "", "", NULL, 0, NULL));
  return v;
}

/* Parallel children: root 0-100 waits on C (92-95), before it on B
 * (10-90), before it on nothing that starts earlier than 10 but A (0-5);
 * D (20-50) ran inside B's time and is not on the path, nor its child E. */
static void test_layout_critical_path_skips_overlapped(void **state) {
  (void)state;
  vw_span_t sp[6] = {mk(1, 0, 0, 100), mk(2, 1, 0, 5),   mk(3, 1, 10, 90),
                     mk(4, 1, 20, 50), mk(5, 4, 25, 45), mk(6, 1, 92, 95)};
  vw_trace_t t = {.spans = sp, .n_spans = 6, .root_seen = true};
  vw_trace_layout_t l;
  assert_true(vw_trace_layout(&t, &l));
  static const bool crit[6] = {true, true, true, false, false, true};
  for (int i = 0; i < 6; i++) assert_int_equal(l.critical[i], crit[i]);
  assert_int_equal(l.depth[4], 2);
  vw_trace_layout_free(&l);
  for (int i = 0; i < 6; i++) free(sp[i].mem);
}

/* ---- pages against golden files -------------------------------------------- */

static void test_trace_page_matches_golden(void **state) {
  (void)state;
  vw_store_t *s = fixture_store();
  char *html = trace_page(s, APP_TRACE, "d000000000000001");
  golden(html, "tests/golden/page_trace_app.html");
  /* the selected span's panel is the one shown, with its exception */
  assert_non_null(strstr(html, "<div class=\"detail on\" id=\"d-d000000000000001\">"));
  assert_non_null(strstr(html, "<div class=\"extype\">IssTimeout</div>"));
  free(html);
  vw_store_destroy(s);
}

typedef struct list { const vw_trace_filter_t *f; char *html; } list_t;

static void traces_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  list_t *l = ud;
  l->html = vw_page_traces(v, n, l->f);
}

static char *list_page(vw_store_t *s, const vw_trace_filter_t *f) {
  list_t l = {f, NULL};
  vw_store_read_traces(s, traces_cb, &l);
  assert_non_null(l.html);
  return l.html;
}

static void test_trace_list_matches_golden_and_filters(void **state) {
  (void)state;
  vw_store_t *s = fixture_store();
  vw_trace_filter_t f = {.now_unix_ns = 1763823600000000000ull + 60000000000ull};
  char *html = list_page(s, &f);
  golden(html, "tests/golden/page_traces.html");
  free(html);
  /* each filter: which of the two traces stays */
  struct { vw_trace_filter_t f; bool app, evil; } cases[] = {
      {{.service = "geolocator-service"}, true, false},
      {{.name = "span <img"}, false, true},
      {{.attr = "server.port=5001"}, true, false},
      {{.attr = "server.port=5002"}, false, false},
      {{.min_ms = 50}, true, false},
      {{.errors = true}, true, true},
      {{.last_min = 2, .now_unix_ns = 1763823600000000000ull + 60000000000ull}, true, true},
      {{.last_min = 2, .now_unix_ns = 1763823600000000000ull + 600000000000ull}, false, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cases[i].f.fragment = true;
    html = list_page(s, &cases[i].f);
    assert_int_equal(strstr(html, "data-trace=\"" APP_TRACE "\"") != NULL, cases[i].app);
    assert_int_equal(strstr(html, "data-trace=\"" EVIL_TRACE "\"") != NULL, cases[i].evil);
    free(html);
  }
  /* sort by duration: the 120 ms trace before the 10 ms one */
  vw_trace_filter_t by_dur = {.sort_duration = true, .fragment = true};
  html = list_page(s, &by_dur);
  assert_true(strstr(html, APP_TRACE) < strstr(html, EVIL_TRACE));
  free(html);
  vw_trace_filter_t by_start = {.fragment = true}; /* same start: newest arrival first */
  html = list_page(s, &by_start);
  assert_true(strstr(html, EVIL_TRACE) < strstr(html, APP_TRACE));
  free(html);
  vw_store_destroy(s);
}

typedef struct logs { const vw_log_filter_t *f; char *html; } logs_t;

static void logs_cb(const vw_log_t *const *v, size_t n, void *ud) {
  logs_t *l = ud;
  l->html = vw_page_logs(v, n, l->f);
}

static void test_log_page_matches_golden_and_filters(void **state) {
  (void)state;
  vw_store_t *s = fixture_store();
  vw_log_filter_t f = {0};
  logs_t l = {&f, NULL};
  vw_store_read_logs(s, logs_cb, &l);
  golden(l.html, "tests/golden/page_logs.html");
  /* a record links to its trace with its span selected */
  assert_non_null(strstr(l.html, "href=\"/trace/" APP_TRACE "?span=d000000000000001\""));
  free(l.html);
  struct { vw_log_filter_t f; int rows; } cases[] = {
      {{.service = "gateway"}, 1},
      {{.min_severity = 13}, 3},
      {{.min_severity = 17}, 2},
      {{.text = "Paris"}, 1},
      {{.trace_id = APP_TRACE}, 3},
      {{.trace_id = APP_TRACE, .span_id = "b000000000000003"}, 1},
      {{.span_id = "0000000000000000"}, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cases[i].f.fragment = true;
    l = (logs_t){&cases[i].f, NULL};
    vw_store_read_logs(s, logs_cb, &l);
    int rows = 0;
    for (const char *p = l.html; (p = strstr(p, "<tr class=\"log\"")); p++) rows++;
    assert_int_equal(rows, cases[i].rows);
    free(l.html);
  }
  vw_store_destroy(s);
}

/* Markup from telemetry never becomes an element: the only tags are ours. */
static void assert_inert(const char *html) {
  assert_null(strstr(html, "<img"));
  assert_null(strstr(html, "<b id"));
  assert_null(strstr(html, "<script>"));
  assert_null(strstr(html, "onerror=\""));
  assert_null(strstr(html, "\x1b"));
  assert_null(strstr(html, "\x01"));
  const char *p = html;
  int scripts = 0;
  while ((p = strstr(p, "<script"))) { scripts++; p++; }
  assert_int_equal(scripts, 1); /* /static/viewer.js */
}

static void test_hostile_fixture_only_text(void **state) {
  (void)state;
  vw_store_t *s = fixture_store();
  char *html = trace_page(s, EVIL_TRACE, NULL);
  assert_inert(html);
  /* and it is there, as text */
  assert_non_null(strstr(html, "span &lt;img id=&quot;pwn&quot;"));
  assert_non_null(strstr(html, "status &lt;img"));
  assert_non_null(strstr(html, "event &lt;img"));
  free(html);
  vw_trace_filter_t f = {0};
  html = list_page(s, &f);
  assert_inert(html);
  free(html);
  vw_log_filter_t lf = {0};
  logs_t l = {&lf, NULL};
  vw_store_read_logs(s, logs_cb, &l);
  assert_inert(l.html);
  assert_non_null(strstr(l.html, "body &lt;img"));
  free(l.html);
  vw_store_destroy(s);
}

static void map_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  vw_service_map_t m;
  assert_true(vw_service_map(v, n, &m));
  /* three calls: frontend -> gateway -> geolocator, gateway -> iss (ERROR) */
  assert_int_equal(m.n_edges, 3);
  assert_string_equal(m.edges[0].from, "frontend");
  assert_string_equal(m.edges[0].to, "gateway");
  assert_int_equal(m.edges[0].requests, 1);
  assert_int_equal(m.edges[0].errors, 0);
  assert_true(m.edges[0].p50_ms == 116.0 && m.edges[0].p99_ms == 116.0); /* the CLIENT span */
  assert_string_equal(m.edges[2].from, "gateway");
  assert_string_equal(m.edges[2].to, "iss-distance-service");
  assert_int_equal(m.edges[2].errors, 1);
  assert_int_equal(m.n_nodes, 5);
  assert_string_equal(m.nodes[3].name, "iss-distance-service");
  assert_int_equal(m.nodes[3].requests, 1);
  assert_int_equal(m.nodes[3].errors, 1);
  assert_true(m.nodes[3].p50_ms == 68.0);
  char *html = vw_page_map(&m);
  assert_non_null(html);
  assert_inert(html);
  assert_non_null(strstr(html, "href=\"/?service=gateway&amp;and_service=iss-distance-service\""));
  *(char **)ud = html;
  vw_service_map_free(&m);
}

static void test_service_map_edges_and_page(void **state) {
  (void)state;
  vw_store_t *s = fixture_store();
  char *html = NULL;
  vw_store_read_traces(s, map_cb, &html);
  golden(html, "tests/golden/page_map.html");
  free(html);
  vw_store_destroy(s);
}

/* ---- metric history and charts ------------------------------------------- */

typedef struct charts { char *html, *prom, *om; int streams; } charts_t;

static void series_cb(const vw_metric_t *const *v, size_t n, void *ud) {
  charts_t *c = ud;
  for (size_t i = 0; i < n; i++) {
    vw_series_point_t p[VW_RING];
    size_t k = vw_metric_series(v[i], p);
    if (strcmp(v[i]->name, "iss.requests") == 0) {
      /* cumulative 0, 10, 30, 60 every 10 s from a start 10 s before: 0, 1, 2, 3 /s */
      assert_int_equal(vw_series_kind(v[i]), VW_SERIES_RATE);
      assert_int_equal(k, 4);
      for (size_t j = 0; j < 4; j++) assert_true(p[j].v == (double)j);
      c->streams++;
    } else if (strcmp(v[i]->name, "http.server.request.duration") == 0) {
      /* 10 in (0, 0.1], then 10 in (0.1, 0.5], then nothing new */
      assert_int_equal(k, 2);
      assert_true(p[0].p50 == 0.1 && p[0].p99 == 0.1);
      assert_true(p[1].p50 > 0.2999 && p[1].p50 < 0.3001);
      assert_true(p[1].p95 > 0.4799 && p[1].p95 < 0.4801);
      assert_true(p[1].p99 > 0.4959 && p[1].p99 < 0.4961);
      assert_int_equal(p[1].point->n_exemplars, 1);
      c->streams++;
    } else if (strcmp(v[i]->name, "iss.altitude") == 0) {
      assert_int_equal(k, 4);
      assert_true(p[0].v == 405 && p[3].v == 409);
      c->streams++;
    }
  }
  c->html = vw_page_charts(v, n, NULL, NULL);
  c->prom = vw_prometheus_text(v, n, false);
  c->om = vw_prometheus_text(v, n, true);
}

static void test_metric_history_rates_quantiles_and_charts(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(10, 10, 10);
  FILE *f = fopen(FIX "metrics_app.jsonl", "r");
  assert_non_null(f);
  size_t replayed, skipped;
  assert_true(vw_replay_jsonl(s, f, &replayed, &skipped));
  fclose(f);
  assert_int_equal(replayed, 4);
  assert_int_equal(skipped, 0);
  charts_t c = {0};
  vw_store_read_metrics(s, series_cb, &c);
  assert_int_equal(c.streams, 3);
  golden(c.html, "tests/golden/page_charts.html");
  /* the exemplar links to its span */
  assert_non_null(strstr(c.html, "<a class=\"exemplar\" href=\"/trace/" APP_TRACE
                                 "?span=d000000000000001\">"));
  free(c.html);
  /* /metrics: names, labels, buckets as the Collector's exporter writes them */
  golden(c.prom, "tests/golden/metrics_prometheus.txt");
  golden(c.om, "tests/golden/metrics_openmetrics.txt");
  assert_non_null(strstr(c.prom, "\niss_requests_total{response_status=\"200\",service_name=\"iss-"
                                 "distance-service\",job=\"workshop/iss-distance-service\",instance="
                                 "\"iss-1\"} 60\n"));
  free(c.prom);
  free(c.om);
  vw_store_destroy(s);
}

static void workshop_cb(const vw_metric_t *const *m, size_t n, const vw_log_t *const *logs,
                        size_t n_logs, void *ud) {
  *(char **)ud = vw_page_workshop(m, n, logs, n_logs);
}

/* The dashboard's panels from the same history: requests per second of
 * the service 0, 1, 1, 0 (10 requests in each of the middle intervals),
 * p99 0.1 then 0.496 (intervals without requests have none), ISS requests
 * by status 0, 1, 2, 3 /s. */
static void test_workshop_view_panels(void **state) {
  (void)state;
  vw_store_t *s = vw_store_create(10, 10, 10);
  FILE *f = fopen(FIX "metrics_app.jsonl", "r");
  assert_non_null(f);
  size_t replayed, skipped;
  assert_true(vw_replay_jsonl(s, f, &replayed, &skipped));
  fclose(f);
  vw_ingest_t *in = vw_ingest_create(s, NULL);
  ingest_file(in, VW_LOGS, FIX "logs_app.json");
  vw_ingest_destroy(in);
  char *html = NULL;
  vw_store_read_metrics_logs(s, workshop_cb, &html);
  golden(html, "tests/golden/page_workshop.html");
  static const char *const want[] = {
      "<svg id=\"panel-rate\"", "data-line=\"iss-distance-service\" data-v=\"0\"",
      "data-line=\"iss-distance-service\" data-v=\"1\"", "<svg id=\"panel-p99\"",
      "data-line=\"iss-distance-service\" data-v=\"0.1\"",
      "data-line=\"iss-distance-service\" data-v=\"0.496\"", "<svg id=\"panel-iss\"",
      "data-line=\"200\" data-v=\"3\"", "ISS position unavailable: open-notify timed out"};
  const char *p = html;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) { /* in this order */
    const char *q = strstr(p, want[i]);
    if (!q) fail_msg("missing (in order): %s", want[i]);
    p = q;
  }
  free(html);
  vw_store_destroy(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape_text_attr_url),
      cmocka_unit_test(test_layout_order_depth_critical_path),
      cmocka_unit_test(test_layout_critical_path_skips_overlapped),
      cmocka_unit_test(test_trace_page_matches_golden),
      cmocka_unit_test(test_trace_list_matches_golden_and_filters),
      cmocka_unit_test(test_log_page_matches_golden_and_filters),
      cmocka_unit_test(test_hostile_fixture_only_text),
      cmocka_unit_test(test_service_map_edges_and_page),
      cmocka_unit_test(test_metric_history_rates_quantiles_and_charts),
      cmocka_unit_test(test_workshop_view_panels),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
