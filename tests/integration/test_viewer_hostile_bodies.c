/* SPDX-License-Identifier: Apache-2.0
 *
 * test_viewer_hostile_bodies.c: the real otel-viewer against the request
 * bodies of issue 18 that broke it, over OTLP/HTTP (protobuf, gzip, JSON)
 * and OTLP/gRPC: an AnyValue array nested 5,000 deep (34 KB; it crashed
 * the viewer) gets 400 / INVALID_ARGUMENT naming the limit, 8 MiB of empty
 * spans (it took the viewer to 1.1 GB) gets 413 / RESOURCE_EXHAUSTED while
 * the viewer's peak RSS stays small (printed: before and after), and after
 * each of them a normal export over both transports is received and can be
 * queried back.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <zlib.h>

#include "../../tools/otel-viewer/tests/hostile_bodies.h"
#include "viewer_process.h"
#include "grpc_unary_call.h"

static viewer_process_t viewer;
static grpc_channel *channel;
static CURL *curl;
static uint8_t next_seed = 1;

#define TRACES "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
#define LOGS "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
#define EIGHT_MIB ((size_t)8 << 20)

static int setup(void **state) {
  (void)state;
  if (viewer_start(&viewer) != 0) return -1;
  grpc_init(); /* after the fork (docs/design.md, gRPC) */
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", viewer.grpc_port);
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  channel = grpc_channel_create(target, creds, NULL);
  grpc_channel_credentials_release(creds);
  curl = curl_easy_init();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  curl_easy_cleanup(curl);
  grpc_channel_destroy(channel);
  grpc_shutdown();
  int rc = viewer_stop(&viewer);
  if (rc != 0) fprintf(stderr, "otel-viewer exited with %d\n", rc);
  return rc == 0 ? 0 : -1;
}

typedef struct buf { char *data; size_t len; } buf_t;

static size_t on_data(char *p, size_t sz, size_t n, void *ud) {
  buf_t *b = ud;
  char *d = realloc(b->data, b->len + sz * n + 1);
  if (!d) return 0;
  memcpy(d + b->len, p, sz * n);
  b->data = d;
  b->len += sz * n;
  d[b->len] = '\0';
  return sz * n;
}

/* POSTs body to path; returns the HTTP status (0: no answer), the answer
 * in resp (caller frees resp->data). */
static long post(const char *path, const char *ctype, const char *enc, const void *body,
                 size_t len, buf_t *resp) {
  char url[256], hdr[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", viewer.http_port, path);
  struct curl_slist *h = NULL;
  snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype);
  h = curl_slist_append(h, hdr);
  if (enc) {
    snprintf(hdr, sizeof hdr, "Content-Encoding: %s", enc);
    h = curl_slist_append(h, hdr);
  }
  h = curl_slist_append(h, "Expect:");
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  *resp = (buf_t){0};
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  return status;
}

/* The error text of an answer: a google.rpc.Status, protobuf or JSON; both
 * hold the message as is, so a search in the bytes finds it. */
static bool answer_says(const buf_t *resp, const char *text) {
  if (!resp->data) return false;
  return memmem(resp->data, resp->len, text, strlen(text)) != NULL;
}

/* A unary Export call; returns its status and its details (caller frees). */
static grpc_status_code grpc_export(const char *method, const void *data, size_t len,
                                    char **details_out) {
  return grpc_unary_call(channel, method, data, len, 60, NULL, NULL, details_out);
}

/* The viewer still works: a normal span over HTTP and one over gRPC are
 * accepted and can be queried back (ingest is synchronous: the export's
 * answer comes once the span is stored). */
static void assert_still_receives(const char *after) {
  char service[64], path[160];
  snprintf(service, sizeof service, "after-%s", after);
  for (int transport = 0; transport < 2; transport++) {
    uint8_t seed = next_seed++;
    size_t len = 0;
    uint8_t *span = hostile_normal_span(seed, service, transport ? "via-grpc" : "via-http", &len);
    if (transport) {
      assert_int_equal(grpc_export(TRACES, span, len, NULL), GRPC_STATUS_OK);
    } else {
      buf_t r;
      long st = post("/v1/traces", "application/x-protobuf", NULL, span, len, &r);
      free(r.data);
      if (st != 200) fail_msg("after %s: a normal export over HTTP got %ld", after, st);
    }
    free(span);
    char id[33];
    for (int i = 0; i < 16; i++) snprintf(id + 2 * i, 3, "%02x", seed);
    snprintf(path, sizeof path, "/api/traces/%s/otlp", id);
    cJSON *j = viewer_get_json(&viewer, path);
    if (!j) fail_msg("after %s: the normal span sent over %s is not in the viewer", after,
                     transport ? "gRPC" : "HTTP");
    cJSON_Delete(j);
  }
}

/* Peak and current RSS of the viewer (kB), from /proc. */
static void viewer_rss(long *peak_kb, long *now_kb) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)viewer.pid);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  *peak_kb = *now_kb = -1;
  while (fgets(line, sizeof line, f)) {
    sscanf(line, "VmHWM: %ld kB", peak_kb);
    sscanf(line, "VmRSS: %ld kB", now_kb);
  }
  fclose(f);
}

/* The peak RSS may grow by the bodies in flight (the body read, perhaps
 * inflated: 8 MiB each) and allocator slack, never by the decoding the
 * budget refused (1.1 GB before the fix). */
#define PEAK_GROWTH_MAX_KB (96 * 1024)

static void test_http_deep_anyvalue_400_names_the_limit(void **state) {
  (void)state;
  size_t len = 0;
  uint8_t *body = hostile_deep_anyvalue(5000, &len);
  buf_t r;
  long st = post("/v1/traces", "application/x-protobuf", NULL, body, len, &r);
  if (st != 400) fail_msg("5000-deep AnyValue over HTTP got %ld, want 400", st);
  assert_true(answer_says(&r, "nested too deeply"));
  assert_true(answer_says(&r, "32 levels"));
  free(r.data);
  free(body);
  assert_still_receives("http-deep");
}

static void test_grpc_deep_anyvalue_invalid_argument_names_the_limit(void **state) {
  (void)state;
  size_t len = 0;
  uint8_t *body = hostile_deep_anyvalue(5000, &len);
  char *details = NULL;
  assert_int_equal(grpc_export(TRACES, body, len, &details), GRPC_STATUS_INVALID_ARGUMENT);
  assert_non_null(strstr(details, "32 levels"));
  free(details);
  free(body);
  body = hostile_deep_log_body(5000, &len);
  assert_int_equal(grpc_export(LOGS, body, len, &details), GRPC_STATUS_INVALID_ARGUMENT);
  assert_non_null(strstr(details, "nested too deeply"));
  free(details);
  free(body);
  assert_still_receives("grpc-deep");
}

static void test_http_json_deep_anyvalue_400(void **state) {
  (void)state;
  size_t len = 0;
  char *body = hostile_deep_anyvalue_json(5000, &len);
  buf_t r;
  long st = post("/v1/traces", "application/json", NULL, body, len, &r);
  if (st != 400) fail_msg("5000-deep AnyValue as JSON got %ld, want 400", st);
  assert_true(answer_says(&r, "nested deeper"));
  free(r.data);
  free(body);
  assert_still_receives("json-deep");
}

static void test_http_empty_spans_413_and_rss_stays_small(void **state) {
  (void)state;
  long peak0, now0, peak1, now1;
  viewer_rss(&peak0, &now0);
  size_t len = 0;
  uint8_t *body = hostile_empty_spans(EIGHT_MIB, &len);
  buf_t r;
  long st = post("/v1/traces", "application/x-protobuf", NULL, body, len, &r);
  viewer_rss(&peak1, &now1);
  printf("8 MiB of empty spans over HTTP: status %ld; viewer peak RSS %ld kB before, %ld kB "
         "after (RSS now %ld kB)\n",
         st, peak0, peak1, now1);
  if (st != 413) fail_msg("8 MiB of empty spans got %ld, want 413", st);
  assert_true(answer_says(&r, "too large once decoded"));
  free(r.data);
  if (peak1 - peak0 > PEAK_GROWTH_MAX_KB)
    fail_msg("peak RSS grew by %ld kB for one refused body", peak1 - peak0);
  free(body);
  assert_still_receives("http-empty-spans");
}

static void test_http_gzip_empty_spans_413(void **state) {
  (void)state;
  size_t len = 0;
  uint8_t *body = hostile_empty_spans(EIGHT_MIB, &len);
  uLongf zlen = compressBound(len) + 64;
  uint8_t *z = malloc(zlen);
  z_stream zs = {0};
  assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = body;
  zs.avail_in = (uInt)len;
  zs.next_out = z;
  zs.avail_out = (uInt)zlen;
  assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
  size_t gz_len = zs.total_out;
  deflateEnd(&zs);
  long peak0, now0, peak1, now1;
  viewer_rss(&peak0, &now0);
  buf_t r;
  long st = post("/v1/traces", "application/x-protobuf", "gzip", z, gz_len, &r);
  viewer_rss(&peak1, &now1);
  printf("8 MiB of empty spans gzipped to %zu bytes: status %ld; peak RSS %ld kB -> %ld kB\n",
         gz_len, st, peak0, peak1);
  if (st != 413) fail_msg("gzipped empty spans got %ld, want 413", st);
  assert_true(answer_says(&r, "too large once decoded"));
  free(r.data);
  assert_true(peak1 - peak0 <= PEAK_GROWTH_MAX_KB);
  free(z);
  free(body);
  assert_still_receives("gzip-empty-spans");
}

static void test_http_json_empty_spans_413(void **state) {
  (void)state;
  size_t len = 0;
  char *body = hostile_empty_spans_json(EIGHT_MIB, &len);
  long peak0, now0, peak1, now1;
  viewer_rss(&peak0, &now0);
  buf_t r;
  long st = post("/v1/traces", "application/json", NULL, body, len, &r);
  viewer_rss(&peak1, &now1);
  printf("8 MiB of empty spans as JSON: status %ld; peak RSS %ld kB -> %ld kB\n", st, peak0,
         peak1);
  if (st != 413) fail_msg("8 MiB of empty JSON spans got %ld, want 413", st);
  free(r.data);
  assert_true(peak1 - peak0 <= PEAK_GROWTH_MAX_KB);
  free(body);
  assert_still_receives("json-empty-spans");
}

static void test_grpc_empty_spans_resource_exhausted(void **state) {
  (void)state;
  size_t len = 0;
  uint8_t *body = hostile_empty_spans(EIGHT_MIB, &len);
  long peak0, now0, peak1, now1;
  viewer_rss(&peak0, &now0);
  char *details = NULL;
  grpc_status_code st = grpc_export(TRACES, body, len, &details);
  viewer_rss(&peak1, &now1);
  printf("8 MiB of empty spans over gRPC: status %d (%s); peak RSS %ld kB -> %ld kB\n", (int)st,
         details, peak0, peak1);
  assert_int_equal(st, GRPC_STATUS_RESOURCE_EXHAUSTED);
  assert_non_null(strstr(details, "too large once decoded"));
  free(details);
  assert_true(peak1 - peak0 <= PEAK_GROWTH_MAX_KB);
  free(body);
  assert_still_receives("grpc-empty-spans");
}

int main(void) {
  (void)viewer_attr;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_http_deep_anyvalue_400_names_the_limit),
      cmocka_unit_test(test_grpc_deep_anyvalue_invalid_argument_names_the_limit),
      cmocka_unit_test(test_http_json_deep_anyvalue_400),
      cmocka_unit_test(test_http_empty_spans_413_and_rss_stays_small),
      cmocka_unit_test(test_http_gzip_empty_spans_413),
      cmocka_unit_test(test_http_json_empty_spans_413),
      cmocka_unit_test(test_grpc_empty_spans_resource_exhausted),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
