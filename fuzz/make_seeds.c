/* SPDX-License-Identifier: Apache-2.0
 *
 * make_seeds.c: writes the seed corpora of the fuzz targets into
 * fuzz/corpus/<target>/ (`make fuzz-seeds`, from the repository root; the
 * files are committed, so this runs only when the seeds change). Each seed
 * is a small input a target must handle: valid values from the specs and
 * from the app, the edge cases of the parsers, and the hostile bodies of
 * issue 18 (the AnyValue nested 5,000 deep as is; the 8 MiB of empty spans
 * gzipped to 8 KB, and a 40 KB version of it unzipped).
 */
#include <errno.h>
#include <sys/stat.h>
#include <zlib.h>

#include "../tools/otel-viewer/tests/hostile_bodies.h"
#include "../tools/otel-viewer/viewer.h"

static void write_seed(const char *target, const char *name, const void *data, size_t len) {
  char path[512];
  if (mkdir("fuzz/corpus", 0755) != 0 && errno != EEXIST) { perror("fuzz/corpus"); exit(1); }
  snprintf(path, sizeof path, "fuzz/corpus/%s", target);
  if (mkdir(path, 0755) != 0 && errno != EEXIST) { perror(path); exit(1); }
  snprintf(path, sizeof path, "fuzz/corpus/%s/%s", target, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) { perror(path); exit(1); }
}

static void write_text(const char *target, const char *name, const char *text) {
  write_seed(target, name, text, strlen(text));
}

/* The first byte of an OTLP seed (fuzz_otlp_*.c): signal, and gzip. */
static void write_otlp(const char *target, const char *name, vw_signal_t sig, bool gzip,
                       const void *body, size_t len) {
  uint8_t *seed = malloc(len + 1);
  seed[0] = (uint8_t)(sig | (gzip ? 4 : 0));
  memcpy(seed + 1, body, len);
  write_seed(target, name, seed, len + 1);
  free(seed);
}

static uint8_t *gzip(const void *data, size_t len, size_t *out_len) {
  uLongf cap = compressBound(len) + 64;
  uint8_t *z = malloc(cap);
  z_stream zs = {0};
  if (!z || deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) exit(1);
  zs.next_in = (Bytef *)data;
  zs.avail_in = (uInt)len;
  zs.next_out = z;
  zs.avail_out = (uInt)cap;
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) exit(1);
  *out_len = zs.total_out;
  deflateEnd(&zs);
  return z;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) exit(1);
  s[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return s;
}

/* A fixture of tests/fixtures/viewer (its first line), as JSON and packed. */
static void otlp_fixture(const char *file, vw_signal_t sig, const char *name) {
  char path[256];
  snprintf(path, sizeof path, "tests/fixtures/viewer/%s", file);
  size_t n;
  char *json = slurp(path, &n);
  char *nl = strchr(json, '\n');
  if (nl && strstr(file, ".jsonl")) n = (size_t)(nl - json);
  write_otlp("otlp_json", name, sig, false, json, n);
  const char *err;
  ProtobufCMessage *m = vw_json_to_pb(vw_request_descriptor(sig), json, n, SIZE_MAX, &err, NULL);
  if (!m) { fprintf(stderr, "%s: %s\n", path, err); exit(1); }
  vw_packed_t p = vw_pack(m);
  write_otlp("otlp_protobuf", name, sig, false, p.data, p.len);
  size_t zlen;
  uint8_t *z = gzip(p.data, p.len, &zlen);
  char gzname[128];
  snprintf(gzname, sizeof gzname, "%s-gzip", name);
  write_otlp("otlp_protobuf", gzname, sig, true, z, zlen);
  free(z);
  free(p.data);
  protobuf_c_message_free_unpacked(m, NULL);
  free(json);
}

static void propagation_seeds(void) {
  write_text("traceparent", "valid", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  write_text("traceparent", "not-sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  write_text("traceparent", "future-version",
             "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future-holds");
  write_text("traceparent", "version-ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  write_text("traceparent", "uppercase", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01");
  write_text("traceparent", "zero-trace-id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  write_text("traceparent", "ows", " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\t");
  write_text("traceparent", "random-flag", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
  write_text("tracestate", "two", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  write_text("tracestate", "tenant", "fw529a3039@dt=ufLe8pF5MGo,  ,  foo=bar  ");
  write_text("tracestate", "duplicate", "a=1,a=2");
  write_text("tracestate", "bad-key", "Rojo=1,,x y=2");
  char many[1024] = "";
  for (int i = 0; i < 33; i++) {
    char m[16];
    snprintf(m, sizeof m, "%sk%d=v", i ? "," : "", i);
    strcat(many, m);
  }
  write_text("tracestate", "33-members", many);
  write_text("baggage", "w3c-example", "userId=alice,serverNode=DF%2028,isProduction=false");
  write_text("baggage", "properties", "key1=value1;property1;property2, key2 = value2 ; p=1");
  write_text("baggage", "percent", "k=%E2%82%AC%20100,bad=%ZZ,empty=,=novalue");
  write_text("baggage", "not-token", "k\"ey=v,k=v\x01,k2=v2");
}

static void service_seeds(void) {
  /* first byte: the buffer size - 1 */
  write_text("query_params", "coordinates", "\x3flatitude=51.5074&longitude=-0.1278");
  write_text("query_params", "location", "\xfflocation=New+York%2C+USA&x=1");
  write_text("query_params", "percent-bad", "\x0flocation=%ZZ%FF%C3%28&latitude=%2B91");
  write_text("query_params", "too-long", "\x03location=Paris");
  write_text("query_params", "spaces", "\x3flocation=+++&latitude=%20%2045%20&longitude=1e2");
  write_text("query_params", "controls", "\x3flocation=a%00b&latitude=1%0A&longitude=nan");
  size_t n;
  char *tle = slurp("iss-distance-service/data/iss-25544.tle", &n);
  write_seed("tle", "iss-25544", tle, n);
  char *two = strchr(tle, '\n');
  if (two) write_seed("tle", "no-name-line", two + 1, n - (size_t)(two + 1 - tle));
  char *bad = strdup(tle);
  char *sum = strrchr(bad, '7'); /* the last checksum digit */
  if (sum) *sum = '8';
  write_seed("tle", "bad-checksum", bad, n);
  free(bad);
  free(tle);
  write_text("tle", "crlf-deep-space",
             "1 11801U 80230A   80230.29629788  .01431103  00000-0  14311-1 0    13\r\n"
             "2 11801  46.7916 230.4354 7318036  47.4722  10.4117  2.28537848    13\r\n");
}

static void otlp_seeds(void) {
  otlp_fixture("trace_app.json", VW_TRACES, "trace-app");
  otlp_fixture("logs_app.json", VW_LOGS, "logs-app");
  otlp_fixture("metrics_app.jsonl", VW_METRICS, "metrics-app");
  otlp_fixture("hostile_traces.json", VW_TRACES, "hostile-markup-traces");
  otlp_fixture("hostile_logs.json", VW_LOGS, "hostile-markup-logs");
  size_t len;
  uint8_t *b = hostile_deep_anyvalue(5000, &len); /* issue 18: 34 KB, crashed the viewer */
  write_otlp("otlp_protobuf", "issue18-anyvalue-5000-deep", VW_TRACES, false, b, len);
  free(b);
  b = hostile_deep_anyvalue((VW_MAX_NESTING - 6) / 2, &len); /* the deepest accepted */
  write_otlp("otlp_protobuf", "anyvalue-at-the-limit", VW_TRACES, false, b, len);
  free(b);
  b = hostile_deep_log_body(40, &len);
  write_otlp("otlp_protobuf", "log-body-40-deep", VW_LOGS, false, b, len);
  free(b);
  b = hostile_empty_spans((size_t)8 << 20, &len); /* issue 18: 8 MiB, 1.1 GB of RSS */
  size_t zlen;
  uint8_t *z = gzip(b, len, &zlen);
  write_otlp("otlp_protobuf", "issue18-empty-spans-8MiB-gzip", VW_TRACES, true, z, zlen);
  free(z);
  free(b);
  b = hostile_empty_spans(20000, &len); /* over the budget of a 20 KB body as well */
  write_otlp("otlp_protobuf", "empty-spans-20KB", VW_TRACES, false, b, len);
  free(b);
  char *j = hostile_deep_anyvalue_json(100, &len);
  write_otlp("otlp_json", "anyvalue-100-deep", VW_TRACES, false, j, len);
  free(j);
  j = hostile_deep_anyvalue_json((VW_MAX_NESTING - 6) / 2, &len);
  write_otlp("otlp_json", "anyvalue-at-the-limit", VW_TRACES, false, j, len);
  free(j);
  j = hostile_empty_spans_json(40000, &len);
  write_otlp("otlp_json", "empty-spans-40KB", VW_TRACES, false, j, len);
  free(j);
}

int main(void) {
  propagation_seeds();
  service_seeds();
  otlp_seeds();
  printf("seeds written under fuzz/corpus/\n");
  return 0;
}
