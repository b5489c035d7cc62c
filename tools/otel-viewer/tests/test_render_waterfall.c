/* SPDX-License-Identifier: Apache-2.0
 *
 * test_render_waterfall.c: the waterfall view of a trace (render_waterfall.c)
 * and the log and metrics views. The three-service trace is compared to
 * tests/golden/waterfall_three_services.txt, so a change of layout is a
 * deliberate change of that file (regenerate with UPDATE_GOLDEN=1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../viewer.h"

#define GOLDEN "tests/golden/waterfall_three_services.txt"
#define T0 1763823600000000000ull /* 2025-11-22T15:00:00Z */
#define MS 1000000ull

static vw_span_t span(uint8_t id, uint8_t parent, const char *svc, const char *name,
                      int kind, uint64_t start_ms, uint64_t end_ms, int status,
                      const char *attrs) {
  vw_span_t s = {0};
  memset(s.trace_id, 0xab, 16);
  s.trace_id[15] = 0x01;
  s.span_id[7] = id;
  if (parent) { s.parent_id[7] = parent; s.has_parent = true; }
  s.service = (char *)svc;
  s.name = (char *)name;
  s.kind = kind;
  s.start_ns = T0 + start_ms * MS;
  s.end_ns = T0 + end_ms * MS;
  s.status_code = status;
  s.status_message = (char *)(status == 2 ? "upstream returned 503" : "");
  s.attrs = (char *)attrs;
  return s;
}

/* frontend -> gateway -> iss-distance-service, spans given out of order. */
static vw_trace_t three_services(vw_span_t *spans) {
  spans[0] = span(4, 3, "gateway", "GET", 3, 12, 110, 2,
                  "http.request.method=GET url.full=http://127.0.0.1:5003/distance");
  spans[1] = span(1, 0, "frontend", "GET /distance", 2, 0, 120, 0,
                  "http.request.method=GET http.route=/distance http.response.status_code=200");
  spans[2] = span(3, 2, "gateway", "GET /distance", 2, 10, 115, 0,
                  "http.request.method=GET http.route=/distance");
  spans[3] = span(2, 1, "frontend", "GET", 3, 5, 118, 0,
                  "http.request.method=GET server.address=127.0.0.1");
  spans[4] = span(5, 4, "iss-distance-service", "GET /distance", 2, 20, 105, 2,
                  "http.request.method=GET http.response.status_code=503");
  spans[5] = span(6, 5, "iss-distance-service", "sgp4.propagate", 1, 30, 60, 0, "");
  spans[6] = span(7, 3, "gateway", "validate query", 1, 10, 11, 0, "place=Paris");
  vw_trace_t t = {0};
  memcpy(t.trace_id, spans[0].trace_id, 16);
  t.spans = spans;
  t.n_spans = 7;
  t.root_seen = true;
  return t;
}

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

static void test_waterfall_three_services_matches_golden(void **state) {
  (void)state;
  vw_span_t spans[7];
  vw_trace_t t = three_services(spans);
  vw_render_opts_t o = {.color = false, .bar_width = 40};
  char *text = vw_render_waterfall(&t, &o);
  assert_non_null(text);
  if (getenv("UPDATE_GOLDEN")) {
    FILE *f = fopen(GOLDEN, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
  }
  char *golden = read_file(GOLDEN);
  assert_non_null(golden);
  assert_string_equal(text, golden);
  free(golden);
  free(text);
}

static void test_waterfall_same_input_same_output(void **state) {
  (void)state;
  vw_span_t spans[7];
  vw_trace_t t = three_services(spans);
  vw_render_opts_t o = {.color = false, .bar_width = 40};
  char *a = vw_render_waterfall(&t, &o), *b = vw_render_waterfall(&t, &o);
  assert_string_equal(a, b);
  free(a);
  free(b);
}

static void test_waterfall_color_has_escapes_plain_has_none(void **state) {
  (void)state;
  vw_span_t spans[7];
  vw_trace_t t = three_services(spans);
  vw_render_opts_t c = {.color = true, .bar_width = 40}, p = {.color = false, .bar_width = 40};
  char *ct = vw_render_waterfall(&t, &c), *pt = vw_render_waterfall(&t, &p);
  assert_non_null(strstr(ct, "\x1b["));
  assert_non_null(strstr(ct, "└─ "));
  assert_null(strchr(pt, '\x1b'));
  for (const char *q = pt; *q; q++) assert_true((unsigned char)*q < 0x80);
  free(ct);
  free(pt);
}

static void test_waterfall_bar_placed_on_trace_axis(void **state) {
  (void)state;
  vw_span_t spans[2] = {span(1, 0, "a", "root", 2, 0, 100, 0, ""),
                        span(2, 1, "a", "second-half", 1, 50, 100, 0, "")};
  vw_trace_t t = {.spans = spans, .n_spans = 2, .root_seen = true};
  vw_render_opts_t o = {.color = false, .bar_width = 10};
  char *text = vw_render_waterfall(&t, &o);
  assert_non_null(strstr(text, "|##########|"));
  assert_non_null(strstr(text, "|.....#####|"));
  free(text);
}

/* Found by fuzz/fuzz_otlp_json.c: a span whose start lies after every end
 * (its own end before its start) put its bar's column past what an int
 * holds; it is drawn at the end of the axis, the bar as wide as the rest. */
static void test_waterfall_span_starting_after_every_end(void **state) {
  (void)state;
  vw_span_t spans[2] = {span(1, 0, "a", "root", 2, 0, 10, 0, ""),
                        span(2, 1, "a", "late", 1, 3000000000ull, 5, 0, "")};
  vw_trace_t t = {.spans = spans, .n_spans = 2, .root_seen = true};
  vw_render_opts_t o = {.color = false, .bar_width = 10};
  char *text = vw_render_waterfall(&t, &o);
  assert_non_null(text);
  assert_non_null(strstr(text, "|.........#|"));
  free(text);
}

static void test_waterfall_missing_parent_drawn_as_root(void **state) {
  (void)state;
  vw_span_t spans[1] = {span(2, 9, "gateway", "orphan", 2, 0, 10, 0, "")};
  vw_trace_t t = {.spans = spans, .n_spans = 1, .root_seen = false};
  vw_render_opts_t o = {.color = false, .bar_width = 10};
  char *text = vw_render_waterfall(&t, &o);
  assert_non_null(strstr(text, "\ngateway orphan"));
  assert_non_null(strstr(text, "(root span not received yet)"));
  free(text);
}

static void test_waterfall_parent_cycle_terminates(void **state) {
  (void)state;
  vw_span_t spans[2] = {span(1, 2, "a", "x", 1, 0, 10, 0, ""), span(2, 1, "a", "y", 1, 0, 10, 0, "")};
  vw_trace_t t = {.spans = spans, .n_spans = 2};
  vw_render_opts_t o = {.color = false, .bar_width = 10};
  char *text = vw_render_waterfall(&t, &o);
  assert_non_null(strstr(text, "a x"));
  assert_non_null(strstr(text, "a y"));
  free(text);
}

static void test_log_line_has_time_severity_service_body_trace(void **state) {
  (void)state;
  vw_log_t l = {.time_ns = T0 + 1234 * MS, .severity_number = 17, .severity_text = "",
                .service = "gateway", .body = "upstream\nfailed", .has_trace = true};
  memset(l.trace_id, 0x11, 16);
  vw_render_opts_t o = {.color = false};
  char *text = vw_render_log(&l, &o);
  assert_string_equal(text, "15:00:01.234 ERROR gateway upstream failed "
                            "trace=11111111111111111111111111111111\n");
  free(text);
}

static void test_metrics_table_rows_sorted_with_quantiles(void **state) {
  (void)state;
  vw_metric_t h = {.service = "gateway", .name = "http.server.request.duration", .unit = "s",
                   .attrs = "http.route=/distance", .type = VW_METRIC_HISTOGRAM, .count = 10,
                   .sum = 1.5, .p50 = 0.1, .p99 = 0.5};
  vw_metric_t c = {.service = "frontend", .name = "requests", .unit = "", .attrs = "",
                   .type = VW_METRIC_SUM, .is_int = true, .int_value = 42};
  const vw_metric_t *rows[] = {&h, &c};
  vw_render_opts_t o = {.color = false};
  char *text = vw_render_metrics(rows, 2, &o);
  char *f = strstr(text, "frontend"), *g = strstr(text, "gateway ");
  assert_non_null(f);
  assert_non_null(g);
  assert_true(f < g);
  assert_non_null(strstr(text, " 42 "));
  assert_non_null(strstr(text, " 0.1 "));
  assert_non_null(strstr(text, " 0.5 "));
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_waterfall_three_services_matches_golden),
      cmocka_unit_test(test_waterfall_same_input_same_output),
      cmocka_unit_test(test_waterfall_color_has_escapes_plain_has_none),
      cmocka_unit_test(test_waterfall_bar_placed_on_trace_axis),
      cmocka_unit_test(test_waterfall_span_starting_after_every_end),
      cmocka_unit_test(test_waterfall_missing_parent_drawn_as_root),
      cmocka_unit_test(test_waterfall_parent_cycle_terminates),
      cmocka_unit_test(test_log_line_has_time_severity_service_body_trace),
      cmocka_unit_test(test_metrics_table_rows_sorted_with_quantiles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
