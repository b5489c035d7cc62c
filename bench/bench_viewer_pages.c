/* bench_viewer_pages.c: what otel-viewer's pages cost to render (make bench).
 *
 * A store of 1000 traces, each of 7 spans across 4 services shaped like the
 * workshop app's (the trace_app fixture's shape, HTTP attributes, an event),
 * as the viewer keeps them at its default --max-traces. Printed, median of
 * 15 runs (wall clock, so a noisy figure on a shared machine):
 *   the trace list ("/": all 1000 rows), and the same filtered by an
 *     attribute (every span unpacked);
 *   one trace page ("/trace/<id>");
 *   the service map ("/map", all traces).
 * Deterministic instruction counts: valgrind --tool=callgrind
 *   --toggle-collect=vw_page_traces build/bench/bench_viewer_pages 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tools/otel-viewer/viewer.h"

#define TRACES 1000
#define RUNS 15

typedef Opentelemetry__Proto__Common__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Common__V1__AnyValue AnyValue;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One span, packed as the viewer keeps it, stored. */
static void add_span(vw_store_t *s, uint32_t trace, uint8_t id, uint8_t parent, const char *svc,
                     const char *name, int kind, uint64_t start, uint64_t end, int status) {
  static const uint64_t T0 = 1763823600000000000ull, MS = 1000000ull;
  Opentelemetry__Proto__Trace__V1__Span sp;
  opentelemetry__proto__trace__v1__span__init(&sp);
  uint8_t tid[16] = {0}, sid[8] = {0}, pid[8] = {0};
  memcpy(tid, &trace, 4);
  tid[15] = 0x77;
  sid[7] = id;
  pid[7] = parent;
  sp.trace_id = (ProtobufCBinaryData){16, tid};
  sp.span_id = (ProtobufCBinaryData){8, sid};
  if (parent) sp.parent_span_id = (ProtobufCBinaryData){8, pid};
  sp.name = (char *)name;
  sp.kind = kind;
  sp.start_time_unix_nano = T0 + trace * 1000 * MS + start * MS;
  sp.end_time_unix_nano = T0 + trace * 1000 * MS + end * MS;
  KeyValue kv[3], *kvp[3] = {&kv[0], &kv[1], &kv[2]};
  AnyValue av[3];
  static const char *const keys[3] = {"http.request.method", "http.route", "server.port"};
  static const char *const vals[3] = {"GET", "/", "5003"};
  for (int i = 0; i < 3; i++) {
    opentelemetry__proto__common__v1__key_value__init(&kv[i]);
    opentelemetry__proto__common__v1__any_value__init(&av[i]);
    kv[i].key = (char *)keys[i];
    kv[i].value = &av[i];
    av[i].value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    av[i].string_value = (char *)vals[i];
  }
  sp.attributes = kvp;
  sp.n_attributes = 3;
  vw_packed_t pb = vw_pack(&sp.base);
  vw_span_t v = {0};
  memcpy(v.trace_id, tid, 16);
  memcpy(v.span_id, sid, 8);
  if (parent) { memcpy(v.parent_id, pid, 8); v.has_parent = true; }
  v.kind = kind;
  v.start_ns = sp.start_time_unix_nano;
  v.end_ns = sp.end_time_unix_nano;
  v.status_code = status;
  if (!vw_span_fill(&v, svc, name, status ? "upstream returned 503" : "",
                    "http.request.method=GET http.route=/", pb.data, pb.len, NULL)) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  free(pb.data);
  vw_store_add_span(s, &v);
}

typedef struct res { double ms; size_t bytes; const vw_trace_filter_t *f; } res_t;

static void list_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  res_t *r = ud;
  double t0 = now_ms();
  char *html = vw_page_traces(v, n, r->f);
  r->ms = now_ms() - t0;
  r->bytes = html ? strlen(html) : 0;
  free(html);
}

static void map_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  res_t *r = ud;
  double t0 = now_ms();
  vw_service_map_t m;
  char *html = vw_service_map(v, n, &m) ? vw_page_map(&m) : NULL;
  vw_service_map_free(&m);
  r->ms = now_ms() - t0;
  r->bytes = html ? strlen(html) : 0;
  free(html);
}

static void trace_cb(const vw_trace_t *t, const vw_log_t *const *logs, size_t n, void *ud) {
  res_t *r = ud;
  double t0 = now_ms();
  char *html = t ? vw_page_trace(t, logs, n, NULL) : NULL;
  r->ms = now_ms() - t0;
  r->bytes = html ? strlen(html) : 0;
  free(html);
}

int main(int argc, char **argv) {
  int runs = argc > 1 ? atoi(argv[1]) : RUNS;
  if (runs < 1 || runs > RUNS) runs = RUNS;
  vw_store_t *s = vw_store_create(TRACES, 100, 100);
  for (uint32_t t = 1; t <= TRACES; t++) {
    add_span(s, t, 1, 0, "frontend", "GET /", 2, 0, 120, 0);
    add_span(s, t, 2, 1, "frontend", "GET", 3, 2, 118, 0);
    add_span(s, t, 3, 2, "gateway", "GET /", 2, 4, 116, 0);
    add_span(s, t, 4, 3, "gateway", "GET", 3, 6, 36, 0);
    add_span(s, t, 5, 4, "geolocator-service", "GET /", 2, 8, 34, 0);
    add_span(s, t, 6, 3, "gateway", "GET", 3, 40, 112, t % 10 == 0 ? 2 : 0);
    add_span(s, t, 7, 6, "iss-distance-service", "GET /", 2, 42, 110, t % 10 == 0 ? 2 : 0);
  }
  vw_trace_filter_t all = {0}, by_attr = {.attr = "server.port=5002"};
  double list[RUNS], attr[RUNS], one[RUNS], map[RUNS];
  size_t list_bytes = 0, one_bytes = 0;
  uint8_t id[16] = {0};
  uint32_t mid = TRACES / 2;
  memcpy(id, &mid, 4);
  id[15] = 0x77;
  for (int i = 0; i < runs; i++) {
    res_t r = {.f = &all};
    vw_store_read_traces(s, list_cb, &r);
    list[i] = r.ms;
    list_bytes = r.bytes;
    r.f = &by_attr;
    vw_store_read_traces(s, list_cb, &r);
    attr[i] = r.ms;
    vw_store_read_trace(s, id, trace_cb, &r);
    one[i] = r.ms;
    one_bytes = r.bytes;
    vw_store_read_traces(s, map_cb, &r);
    map[i] = r.ms;
  }
  qsort(list, (size_t)runs, sizeof *list, cmp_double);
  qsort(attr, (size_t)runs, sizeof *attr, cmp_double);
  qsort(one, (size_t)runs, sizeof *one, cmp_double);
  qsort(map, (size_t)runs, sizeof *map, cmp_double);
  printf("viewer pages, %d traces of 7 spans (median of %d):\n", TRACES, runs);
  printf("  trace list /                 %8.2f ms  (%zu bytes)\n", list[runs / 2], list_bytes);
  printf("  trace list ?attr=k=v         %8.2f ms  (every span unpacked)\n", attr[runs / 2]);
  printf("  one trace /trace/<id>        %8.3f ms  (%zu bytes)\n", one[runs / 2], one_bytes);
  printf("  service map /map             %8.2f ms\n", map[runs / 2]);
  vw_store_destroy(s);
  return 0;
}
