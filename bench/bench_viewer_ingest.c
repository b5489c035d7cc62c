/* bench_viewer_ingest.c: what otel-viewer spends to ingest one span, on a
 * fixed replay (make bench; deterministic under callgrind).
 *
 * It builds one ExportTraceServiceRequest shaped like the workshop app's
 * exports (one resource with the SDK's attributes, one scope, SPANS spans
 * with HTTP attributes, one event each), packs it, and then for each of
 * LOOPS rounds gives it new trace ids, decodes it as the viewer does
 * (vw_pb_decode) and ingests it (vw_ingest_request, the path both transports take) into
 * a store of 1000 traces, so that eviction runs as in a long session.
 *
 * Printed: ns per span (wall clock, median of 7 runs: a noisy figure on a
 * shared machine). The deterministic figure is the instruction count:
 *
 *   valgrind --tool=callgrind --toggle-collect=vw_ingest_request \
 *     build/bench/bench_viewer_ingest 200
 *
 * counts the instructions inside ingest only; divide by 200 * SPANS:
 * 2,921 per span (37.39M), 3,223 before the key attributes were looked
 * up by their first byte (41.26M).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tools/otel-viewer/viewer.h"

#define SPANS 64

typedef Opentelemetry__Proto__Common__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Common__V1__AnyValue AnyValue;

static KeyValue *kv_str(const char *k, const char *v) {
  KeyValue *kv = malloc(sizeof *kv);
  AnyValue *av = malloc(sizeof *av);
  opentelemetry__proto__common__v1__key_value__init(kv);
  opentelemetry__proto__common__v1__any_value__init(av);
  av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
  av->string_value = (char *)v;
  kv->key = (char *)k;
  kv->value = av;
  return kv;
}

static KeyValue *kv_int(const char *k, int64_t v) {
  KeyValue *kv = kv_str(k, "");
  kv->value->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE;
  kv->value->int_value = v;
  return kv;
}

static void kv_free(KeyValue *kv) {
  free(kv->value);
  free(kv);
}

/* The request, packed; ids are patched per round at known offsets by
 * packing again (cheap next to what is measured, and outside it). */
typedef struct fixture {
  Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest req;
  Opentelemetry__Proto__Trace__V1__ResourceSpans rs, *rsp;
  Opentelemetry__Proto__Resource__V1__Resource res;
  Opentelemetry__Proto__Trace__V1__ScopeSpans ss, *ssp;
  Opentelemetry__Proto__Common__V1__InstrumentationScope scope;
  Opentelemetry__Proto__Trace__V1__Span spans[SPANS], *spanp[SPANS];
  Opentelemetry__Proto__Trace__V1__Status status[SPANS];
  Opentelemetry__Proto__Trace__V1__Span__Event event[SPANS], *eventp[SPANS];
  KeyValue *res_attrs[7], *span_attrs[SPANS][6];
  uint8_t ids[SPANS][16 + 8 + 8];
} fixture_t;

static void fixture_init(fixture_t *f) {
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__init(&f->req);
  opentelemetry__proto__trace__v1__resource_spans__init(&f->rs);
  opentelemetry__proto__resource__v1__resource__init(&f->res);
  opentelemetry__proto__trace__v1__scope_spans__init(&f->ss);
  opentelemetry__proto__common__v1__instrumentation_scope__init(&f->scope);
  f->res_attrs[0] = kv_str("service.name", "gateway");
  f->res_attrs[1] = kv_str("service.version", "1.0.0");
  f->res_attrs[2] = kv_str("telemetry.sdk.name", "libotel-lite");
  f->res_attrs[3] = kv_str("telemetry.sdk.language", "c");
  f->res_attrs[4] = kv_str("telemetry.sdk.version", "0.1.0");
  f->res_attrs[5] = kv_str("host.name", "workshop-laptop");
  f->res_attrs[6] = kv_int("process.pid", 4242);
  f->res.attributes = f->res_attrs;
  f->res.n_attributes = 7;
  f->scope.name = "gateway";
  f->scope.version = "1.0";
  for (int i = 0; i < SPANS; i++) {
    Opentelemetry__Proto__Trace__V1__Span *sp = &f->spans[i];
    opentelemetry__proto__trace__v1__span__init(sp);
    opentelemetry__proto__trace__v1__status__init(&f->status[i]);
    opentelemetry__proto__trace__v1__span__event__init(&f->event[i]);
    sp->trace_id = (ProtobufCBinaryData){16, f->ids[i]};
    sp->span_id = (ProtobufCBinaryData){8, f->ids[i] + 16};
    sp->parent_span_id = (ProtobufCBinaryData){i % 4 ? 8 : 0, f->ids[i] + 24};
    sp->name = i % 2 ? "GET" : "GET /distance";
    sp->kind = i % 2 ? 3 : 2;
    sp->start_time_unix_nano = 1700000000000000000ull + (uint64_t)i * 1000;
    sp->end_time_unix_nano = sp->start_time_unix_nano + 5000000;
    f->span_attrs[i][0] = kv_str("http.request.method", "GET");
    f->span_attrs[i][1] = kv_str("http.route", "/distance");
    f->span_attrs[i][2] = kv_str("url.path", "/distance");
    f->span_attrs[i][3] = kv_int("http.response.status_code", 200);
    f->span_attrs[i][4] = kv_str("server.address", "127.0.0.1");
    f->span_attrs[i][5] = kv_int("server.port", 5003);
    sp->attributes = f->span_attrs[i];
    sp->n_attributes = 6;
    f->event[i].name = "iss.position.computed";
    f->event[i].time_unix_nano = sp->start_time_unix_nano + 100;
    f->eventp[i] = &f->event[i];
    sp->events = f->eventp;
    sp->events += i;
    sp->n_events = 1;
    sp->status = &f->status[i];
    f->spanp[i] = sp;
  }
  f->ss.scope = &f->scope;
  f->ss.spans = f->spanp;
  f->ss.n_spans = SPANS;
  f->ssp = &f->ss;
  f->rs.resource = &f->res;
  f->rs.scope_spans = &f->ssp;
  f->rs.n_scope_spans = 1;
  f->rsp = &f->rs;
  f->req.resource_spans = &f->rsp;
  f->req.n_resource_spans = 1;
}

static void fixture_ids(fixture_t *f, uint32_t round) {
  for (uint32_t i = 0; i < SPANS; i++) {
    uint32_t trace = round * (SPANS / 4) + i / 4 + 1; /* 4 spans per trace */
    memset(f->ids[i], 0, sizeof f->ids[i]);
    memcpy(f->ids[i], &trace, 4);
    f->ids[i][15] = 0x5a;
    uint32_t span = i % 4 + 1, parent = 1;
    memcpy(f->ids[i] + 16, &span, 4);
    f->ids[i][23] = 0x11;
    memcpy(f->ids[i] + 24, &parent, 4);
    f->ids[i][31] = 0x11;
  }
}

static void fixture_free(fixture_t *f) {
  for (int i = 0; i < 7; i++) kv_free(f->res_attrs[i]);
  for (int i = 0; i < SPANS; i++)
    for (int k = 0; k < 6; k++) kv_free(f->span_attrs[i][k]);
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One run of loops rounds; returns the ns spent inside ingest per span. */
static double run(fixture_t *f, unsigned loops) {
  vw_store_t *store = vw_store_create(1000, 10000, 2000);
  vw_ingest_t *in = vw_ingest_create(store, NULL);
  const ProtobufCMessageDescriptor *d = vw_request_descriptor(VW_TRACES);
  size_t cap = protobuf_c_message_get_packed_size(&f->req.base) + 64;
  uint8_t *buf = malloc(cap);
  double spent = 0;
  for (unsigned r = 0; r < loops; r++) {
    fixture_ids(f, r);
    size_t len = protobuf_c_message_pack(&f->req.base, buf);
    vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = (size_t)64 << 20};
    vw_pb_result_t dec;
    if (vw_pb_decode(d, buf, len, &lim, &dec) != VW_PB_OK) {
      fprintf(stderr, "decode failed\n");
      exit(1);
    }
    ProtobufCMessage *req = dec.msg;
    vw_slice_t raw = {buf, len};
    double t0 = now_ns();
    ProtobufCMessage *resp = vw_ingest_request(in, VW_TRACES, req, &raw);
    spent += now_ns() - t0;
    protobuf_c_message_free_unpacked(resp, NULL);
    vw_pb_arena_reset();
  }
  free(buf);
  vw_ingest_destroy(in);
  vw_store_destroy(store);
  return spent / ((double)loops * SPANS);
}

int main(int argc, char **argv) {
  unsigned loops = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 2000;
  int runs = argc > 1 ? 1 : 7;
  static fixture_t f;
  fixture_init(&f);
  double v[7];
  for (int i = 0; i < runs; i++) v[i] = run(&f, loops);
  qsort(v, (size_t)runs, sizeof *v, cmp_double);
  printf("viewer ingest: %.0f ns per span (%d spans per request, %u requests, median of %d)\n",
         v[runs / 2], SPANS, loops, runs);
  fixture_free(&f);
  return 0;
}
