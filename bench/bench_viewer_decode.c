/* bench_viewer_decode.c: the figures behind the viewer's decoding limits
 * (VW_MAX_NESTING and VW_DECODED_PER_BODY_BYTE in viewer.h), printed:
 *
 *  1. stack: what decoding a span whose attribute is an AnyValue array
 *     nested N deep takes (vw_decode_request, ingest and the JSON of the
 *     request), measured on a thread whose stack is painted first; and the
 *     stack a civetweb worker has (Debian builds civetweb with a 100 KiB
 *     thread stack) and has already used when a request handler starts.
 *  2. size: bytes the decoder (pb_decode.c) takes per byte on the wire,
 *     for the app's own exports (tests/fixtures/viewer: a trace, its logs,
 *     its metrics) and for the hostile bodies of issue 18.
 *  3. cost: vw_pb_decode of the app's trace against protobuf-c's unpack
 *     (with malloc, and its free) of the same bytes (ns, median of 7).
 *     `bench_viewer_decode cost` runs only this part, for instruction
 *     counts (7 x 2000 decodes; divide by 14,000 per request):
 *       valgrind --tool=callgrind --toggle-collect=vw_pb_decode \
 *         build/bench/bench_viewer_decode cost
 *     38,700 instructions per decode of the app's 2,033-byte trace
 *     (542.0M / 14,000; the first one-pass version took 52,000; the wire
 *     check + protobuf-c's unpack + the UTF-8 walk it replaced: about
 *     25,100 + 82,200 + 12,000 per 2 KB export).
 */
#include <civetweb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tools/otel-viewer/tests/hostile_bodies.h"
#include "../tools/otel-viewer/viewer.h"

#define PAINT 0xAB
#define BIG_STACK ((size_t)64 << 20)

typedef struct job {
  const uint8_t *body;
  size_t len;
} job_t;

static void *decode_all(void *arg) {
  job_t *j = arg;
  vw_request_t req;
  char why[200];
  if (vw_decode_request(VW_TRACES, j->body, j->len, false, (size_t)16 << 20, &req, why,
                        sizeof why) != VW_DECODE_OK)
    return NULL;
  ProtobufCMessage *m = req.msg;
  vw_store_t *s = vw_store_create(10, 10, 10);
  vw_ingest_t *in = vw_ingest_create(s, NULL);
  vw_slice_t raw = {j->body, j->len};
  ProtobufCMessage *r = vw_ingest_request(in, VW_TRACES, m, &raw);
  protobuf_c_message_free_unpacked(r, NULL);
  cJSON *json = vw_pb_to_json(m);
  char *text = cJSON_PrintUnformatted(json);
  free(text);
  cJSON_Delete(json);
  vw_ingest_destroy(in);
  vw_store_destroy(s);
  vw_request_release(&req);
  return NULL;
}

/* Stack bytes decode_all took for an attribute nested depth deep. */
static size_t stack_used(int depth) {
  size_t len;
  uint8_t *body = hostile_deep_anyvalue(depth, &len);
  void *stack;
  if (!body || posix_memalign(&stack, 4096, BIG_STACK)) exit(1);
  memset(stack, PAINT, BIG_STACK);
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstack(&a, stack, BIG_STACK);
  job_t j = {body, len};
  pthread_t t;
  pthread_create(&t, &a, decode_all, &j);
  pthread_join(t, NULL);
  pthread_attr_destroy(&a);
  size_t untouched = 0;
  const unsigned char *p = stack;
  while (untouched < BIG_STACK && p[untouched] == PAINT) untouched++;
  free(stack);
  free(body);
  return BIG_STACK - untouched;
}

/* ---- what a civetweb worker has left when a handler starts ------------- */
static size_t worker_stack, worker_used;

static int probe(struct mg_connection *conn, void *unused) {
  (void)unused;
  pthread_attr_t a;
  void *addr;
  pthread_getattr_np(pthread_self(), &a);
  pthread_attr_getstack(&a, &addr, &worker_stack);
  pthread_attr_destroy(&a);
  char here;
  worker_used = (size_t)((char *)addr + worker_stack - &here);
  mg_printf(conn, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  return 1;
}

static void civetweb_stack(void) {
  const char *opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "1", NULL};
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  struct mg_context *ctx = mg_start(&cb, NULL, opts);
  if (!ctx) { printf("civetweb: cannot start\n"); return; }
  mg_set_request_handler(ctx, "/", probe, NULL);
  struct mg_server_port ports[2];
  int port = mg_get_server_ports(ctx, 2, ports) > 0 ? ports[0].port : 0;
  char err[128];
  struct mg_connection *c =
      mg_download("127.0.0.1", port, 0, err, sizeof err, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  if (c) mg_close_connection(c);
  mg_stop(ctx);
  printf("civetweb worker thread: %zu bytes of stack, %zu in use when the handler starts\n",
         worker_stack, worker_used);
}

/* ---- decoded size per wire byte ----------------------------------------- */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
  if (s) s[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return s;
}

static void ratio(const char *what, vw_signal_t sig, const uint8_t *wire, size_t len) {
  vw_pb_limits_t lim = {.max_depth = 1000, .max_bytes = SIZE_MAX};
  vw_pb_result_t r;
  vw_pb_status_t st = vw_pb_decode(vw_request_descriptor(sig), wire, len, &lim, &r);
  printf("  %-44s %9zu wire bytes -> %10zu decoded bytes: %6.1f per byte%s\n", what, len,
         r.used, (double)r.used / (double)len, st == VW_PB_OK ? "" : " (refused)");
  if (st == VW_PB_OK) vw_pb_arena_reset();
}

/* A fixture (OTLP/JSON) packed as protobuf, as an SDK would send it. */
static void fixture_ratio(const char *file, vw_signal_t sig) {
  char path[256];
  snprintf(path, sizeof path, "tests/fixtures/viewer/%s", file);
  size_t n;
  char *json = slurp(path, &n);
  if (!json) { printf("  %s: cannot read (run from the repository root)\n", path); return; }
  char *nl = sig == VW_METRICS ? strchr(json, '\n') : NULL; /* first line of a .jsonl */
  if (nl) n = (size_t)(nl - json);
  const char *err;
  ProtobufCMessage *m = vw_json_to_pb(vw_request_descriptor(sig), json, n, SIZE_MAX, &err, NULL);
  free(json);
  if (!m) { printf("  %s: %s\n", path, err); return; }
  vw_packed_t p = vw_pack(m);
  protobuf_c_message_free_unpacked(m, NULL);
  ratio(file, sig, p.data, p.len);
  free(p.data);
}

/* The densest real OTLP: a span with n attributes {key "a", bool true}. */
static uint8_t *dense_attributes(size_t n, size_t *len) {
  uint8_t *span = malloc(n * 12 + 64), kv[16], v[4] = {0x10, 0x01}; /* bool_value: true */
  if (!span) exit(1);
  uint8_t ids[24];
  memset(ids, 7, sizeof ids);
  size_t s = hostile__field(span, 1, ids, 16);
  s += hostile__field(span + s, 2, ids + 16, 8);
  size_t k = hostile__field(kv, 1, "a", 1);
  k += hostile__field(kv + k, 2, v, 2);
  for (size_t i = 0; i < n; i++) s += hostile__field(span + s, 9, kv, k);
  span = hostile__wrap(span, s, 2, &s);
  span = hostile__wrap(span, s, 2, &s);
  span = hostile__wrap(span, s, 1, &s);
  *len = s;
  return span;
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

static void check_cost(void) {
  size_t n;
  char *json = slurp("tests/fixtures/viewer/trace_app.json", &n);
  const char *err;
  ProtobufCMessage *m =
      json ? vw_json_to_pb(vw_request_descriptor(VW_TRACES), json, n, SIZE_MAX, &err, NULL) : NULL;
  free(json);
  if (!m) return;
  vw_packed_t p = vw_pack(m);
  protobuf_c_message_free_unpacked(m, NULL);
  double ours[7], unpack[7];
  enum { LOOPS = 2000 };
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = (size_t)64 << 20};
  for (int r = 0; r < 7; r++) {
    double t0 = now_ns();
    for (int i = 0; i < LOOPS; i++) {
      vw_pb_result_t res;
      if (vw_pb_decode(vw_request_descriptor(VW_TRACES), p.data, p.len, &lim, &res) == VW_PB_OK)
        vw_pb_arena_reset();
    }
    double t1 = now_ns();
    if (!getenv("BENCH_DECODE_ONLY"))
      for (int i = 0; i < LOOPS; i++)
        protobuf_c_message_free_unpacked(
            protobuf_c_message_unpack(vw_request_descriptor(VW_TRACES), NULL, p.len, p.data),
            NULL);
    double t2 = now_ns();
    ours[r] = (t1 - t0) / LOOPS;
    unpack[r] = (t2 - t1) / LOOPS;
  }
  qsort(ours, 7, sizeof *ours, cmp_double);
  qsort(unpack, 7, sizeof *unpack, cmp_double);
  printf("the app's trace (%zu bytes): vw_pb_decode %.0f ns; protobuf-c's unpack and free "
         "%.0f ns (median of 7)\n",
         p.len, ours[3], unpack[3]);
  free(p.data);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "cost") == 0) {
    check_cost();
    return 0;
  }
  printf("stack taken by decoding + ingest + JSON of a span attribute nested N deep:\n");
  static const int depths[] = {0, 13, 16, 29, 32, 64};
  size_t prev = 0;
  int prev_depth = 0;
  for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
    size_t used = stack_used(depths[i]);
    printf("  N = %2d (%3d message levels): %7zu bytes", depths[i], 6 + 2 * depths[i], used);
    if (i) printf("  (%zu per AnyValue level)", (used - prev) / (size_t)(depths[i] - prev_depth));
    printf("\n");
    prev = used;
    prev_depth = depths[i];
  }
  civetweb_stack();
  printf("decoded bytes (pb_decode.c's arena) per wire byte:\n");
  fixture_ratio("trace_app.json", VW_TRACES);
  fixture_ratio("logs_app.json", VW_LOGS);
  fixture_ratio("metrics_app.jsonl", VW_METRICS);
  size_t len;
  uint8_t *b = dense_attributes(10000, &len);
  ratio("a span of 10000 attributes a=true", VW_TRACES, b, len);
  free(b);
  b = hostile_empty_spans((size_t)1 << 20, &len);
  ratio("1 MiB of empty spans (issue 18: 8 MiB)", VW_TRACES, b, len);
  free(b);
  b = hostile_deep_anyvalue(5000, &len);
  ratio("AnyValue array nested 5000 deep (issue 18)", VW_TRACES, b, len);
  free(b);
  check_cost();
  return 0;
}
