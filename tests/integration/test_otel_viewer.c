/* SPDX-License-Identifier: Apache-2.0
 *
 * test_otel_viewer.c: the real otel-viewer binary ($BUILD/bin/otel-viewer),
 * started as a child process on free ports (port 0; the ports are read from
 * its "listening" line). Every signal is sent over OTLP/HTTP (protobuf,
 * JSON, gzip) and OTLP/gRPC, then queried back through the query API and compared
 * with what was sent. Malformed requests of each kind get their status and
 * the viewer keeps serving and keeps its data. At the end SIGTERM must give
 * a clean exit and a JSON-lines file with one OTLP/JSON line per request.
 * Ingest is synchronous (the export answer comes after the data is
 * stored), so no test waits on time.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"
#include "grpc_unary_call.h"

extern char **environ;

#define MAX_BODY 1048576 /* --max-body given to the viewer */

static pid_t viewer_pid;
static int http_port, grpc_port;
static char jsonl_path[256];
static grpc_channel *channel;
static CURL *curl;

/* ---- the viewer process ------------------------------------------------- */

static int start_viewer(void **state) {
  (void)state;
  const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
  char bin[512];
  snprintf(bin, sizeof bin, "%s/bin/otel-viewer", build);
  snprintf(jsonl_path, sizeof jsonl_path, "/tmp/test_otel_viewer_%d.jsonl", (int)getpid());
  unlink(jsonl_path);
  int out[2];
  if (pipe(out) != 0) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  char maxb[32];
  snprintf(maxb, sizeof maxb, "%d", MAX_BODY);
  char *argv[] = {bin, "--grpc-port", "0", "--http-port", "0", "--quiet", "--jsonl",
                  jsonl_path, "--max-body", maxb, "--max-traces", "50", NULL};
  if (posix_spawn(&viewer_pid, bin, &fa, NULL, argv, environ) != 0) {
    fprintf(stderr, "cannot start %s\n", bin);
    return -1;
  }
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  /* read the listening line, at most 20 s */
  char line[256] = "";
  size_t len = 0;
  for (int i = 0; i < 200 && !strchr(line, '\n'); i++) {
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    if (poll(&p, 1, 100) > 0) {
      ssize_t n = read(out[0], line + len, sizeof line - 1 - len);
      if (n <= 0) break;
      len += (size_t)n;
      line[len] = '\0';
    }
  }
  close(out[0]); /* --quiet: nothing else is printed on stdout */
  if (sscanf(line, "otel-viewer: listening grpc=127.0.0.1:%d http=127.0.0.1:%d", &grpc_port,
             &http_port) != 2) {
    fprintf(stderr, "no listening line from the viewer: '%s'\n", line);
    kill(viewer_pid, SIGKILL);
    return -1;
  }
  /* grpc_init starts threads: only after the fork (docs/design.md, gRPC) */
  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl = curl_easy_init();
  grpc_init();
  char target[64];
  snprintf(target, sizeof target, "127.0.0.1:%d", grpc_port);
  grpc_channel_credentials *creds = grpc_insecure_credentials_create();
  channel = grpc_channel_create(target, creds, NULL);
  grpc_channel_credentials_release(creds);
  return 0;
}

static int stop_viewer(void **state) {
  (void)state;
  grpc_channel_destroy(channel);
  grpc_shutdown();
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  if (viewer_pid > 0) kill(viewer_pid, SIGKILL);
  return 0;
}

/* ---- HTTP and gRPC clients ----------------------------------------------- */

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

/* Sends a request; returns the HTTP status (0 on transport failure). */
static long http(const char *method, const char *path, const char *ctype, const char *enc,
                 const void *body, size_t len, buf_t *resp) {
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", http_port, path);
  struct curl_slist *h = NULL;
  char hdr[128];
  if (ctype) { snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype); h = curl_slist_append(h, hdr); }
  if (enc) { snprintf(hdr, sizeof hdr, "Content-Encoding: %s", enc); h = curl_slist_append(h, hdr); }
  h = curl_slist_append(h, "Expect:");
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
  if (strcmp(method, "POST") == 0) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  }
  resp->data = NULL;
  resp->len = 0;
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  return status;
}

static cJSON *get_json(const char *path) {
  buf_t r;
  long st = http("GET", path, NULL, NULL, NULL, 0, &r);
  assert_int_equal(st, 200);
  cJSON *j = cJSON_Parse(r.data);
  free(r.data);
  assert_non_null(j);
  return j;
}

static void assert_healthy(void) {
  buf_t r;
  assert_int_equal(http("GET", "/healthz", NULL, NULL, NULL, 0, &r), 200);
  assert_string_equal(r.data, "ok\n");
  free(r.data);
}

static const char *const methods[] = {
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export"};

/* Unary call; returns the status, the response bytes in resp. */
static grpc_status_code grpc_call_export(const char *method, const void *data, size_t len,
                                         buf_t *resp) {
  return grpc_unary_call(channel, method, data, len, 20, &resp->data, &resp->len, NULL);
}

/* ---- requests built by hand ------------------------------------------------ */

typedef Opentelemetry__Proto__Common__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Common__V1__AnyValue AnyValue;

typedef struct attr { KeyValue kv; AnyValue v; } attr_t;

static void str_attr(attr_t *a, const char *k, const char *v) {
  opentelemetry__proto__common__v1__key_value__init(&a->kv);
  opentelemetry__proto__common__v1__any_value__init(&a->v);
  a->kv.key = (char *)k;
  a->kv.value = &a->v;
  a->v.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
  a->v.string_value = (char *)v;
}

static void int_attr(attr_t *a, const char *k, int64_t v) {
  str_attr(a, k, "");
  a->v.value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE;
  a->v.int_value = v;
}

#define T0 1763823600000000000ull
#define MS 1000000ull

/* A trace of 3 spans (root SERVER, child CLIENT, grandchild SERVER with an
 * ERROR status) of one service, trace id bytes all `seed`. Packed bytes. */
static uint8_t *trace_request(const char *service, uint8_t seed, size_t *len,
                              bool bad_trace_id) {
  Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest req;
  Opentelemetry__Proto__Trace__V1__ResourceSpans rs, *rsp = &rs;
  Opentelemetry__Proto__Trace__V1__ScopeSpans ss, *ssp = &ss;
  Opentelemetry__Proto__Resource__V1__Resource res;
  Opentelemetry__Proto__Common__V1__InstrumentationScope scope;
  Opentelemetry__Proto__Trace__V1__Span sp[3], *spp[3] = {&sp[0], &sp[1], &sp[2]};
  Opentelemetry__Proto__Trace__V1__Status status;
  attr_t svc, method, code;
  KeyValue *svcp = &svc.kv, *span_attrs[2] = {&method.kv, &code.kv};
  uint8_t tid[16], sid[3][8];
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__init(&req);
  opentelemetry__proto__trace__v1__resource_spans__init(&rs);
  opentelemetry__proto__trace__v1__scope_spans__init(&ss);
  opentelemetry__proto__resource__v1__resource__init(&res);
  opentelemetry__proto__common__v1__instrumentation_scope__init(&scope);
  opentelemetry__proto__trace__v1__status__init(&status);
  str_attr(&svc, "service.name", service);
  str_attr(&method, "http.request.method", "GET");
  int_attr(&code, "http.response.status_code", 200);
  memset(tid, seed, sizeof tid);
  res.n_attributes = 1;
  res.attributes = &svcp;
  scope.name = "test";
  rs.resource = &res;
  rs.n_scope_spans = 1;
  rs.scope_spans = &ssp;
  ss.scope = &scope;
  ss.n_spans = 3;
  ss.spans = spp;
  static const char *names[3] = {"GET /distance", "GET", "GET /where"};
  static const int kinds[3] = {2, 3, 2};
  for (int i = 0; i < 3; i++) {
    opentelemetry__proto__trace__v1__span__init(&sp[i]);
    memset(sid[i], seed, 8);
    sid[i][7] = (uint8_t)(i + 1);
    sp[i].trace_id = (ProtobufCBinaryData){bad_trace_id && i == 2 ? 5 : 16, tid};
    sp[i].span_id = (ProtobufCBinaryData){8, sid[i]};
    if (i > 0) sp[i].parent_span_id = (ProtobufCBinaryData){8, sid[i - 1]};
    sp[i].name = (char *)names[i];
    sp[i].kind = kinds[i];
    sp[i].start_time_unix_nano = T0 + (uint64_t)i * 10 * MS;
    sp[i].end_time_unix_nano = T0 + (100 - (uint64_t)i * 10) * MS;
    sp[i].n_attributes = 2;
    sp[i].attributes = span_attrs;
  }
  status.code = OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_ERROR;
  status.message = "boom";
  sp[2].status = &status;
  req.n_resource_spans = 1;
  req.resource_spans = &rsp;
  *len = protobuf_c_message_get_packed_size(&req.base);
  uint8_t *out = malloc(*len);
  protobuf_c_message_pack(&req.base, out);
  return out;
}

/* A counter (int sum) and a histogram for one service. */
static uint8_t *metrics_request(const char *service, int64_t counter, size_t *len) {
  Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest req;
  Opentelemetry__Proto__Metrics__V1__ResourceMetrics rm, *rmp = &rm;
  Opentelemetry__Proto__Metrics__V1__ScopeMetrics sm, *smp = &sm;
  Opentelemetry__Proto__Resource__V1__Resource res;
  Opentelemetry__Proto__Metrics__V1__Metric m[2], *mp[2] = {&m[0], &m[1]};
  Opentelemetry__Proto__Metrics__V1__Sum sum;
  Opentelemetry__Proto__Metrics__V1__Histogram hist;
  Opentelemetry__Proto__Metrics__V1__NumberDataPoint ndp, *ndpp = &ndp;
  Opentelemetry__Proto__Metrics__V1__HistogramDataPoint hdp, *hdpp = &hdp;
  attr_t svc, route;
  KeyValue *svcp = &svc.kv, *routep = &route.kv;
  uint64_t buckets[4] = {1, 6, 2, 1};
  double bounds[3] = {0.1, 0.5, 1.0};
  opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__init(&req);
  opentelemetry__proto__metrics__v1__resource_metrics__init(&rm);
  opentelemetry__proto__metrics__v1__scope_metrics__init(&sm);
  opentelemetry__proto__resource__v1__resource__init(&res);
  opentelemetry__proto__metrics__v1__metric__init(&m[0]);
  opentelemetry__proto__metrics__v1__metric__init(&m[1]);
  opentelemetry__proto__metrics__v1__sum__init(&sum);
  opentelemetry__proto__metrics__v1__histogram__init(&hist);
  opentelemetry__proto__metrics__v1__number_data_point__init(&ndp);
  opentelemetry__proto__metrics__v1__histogram_data_point__init(&hdp);
  str_attr(&svc, "service.name", service);
  str_attr(&route, "http.route", "/distance");
  res.n_attributes = 1;
  res.attributes = &svcp;
  rm.resource = &res;
  rm.n_scope_metrics = 1;
  rm.scope_metrics = &smp;
  sm.n_metrics = 2;
  sm.metrics = mp;
  m[0].name = "requests";
  m[0].unit = "1";
  m[0].data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM;
  m[0].sum = &sum;
  sum.n_data_points = 1;
  sum.data_points = &ndpp;
  sum.has_is_monotonic = 1;
  sum.is_monotonic = 1;
  sum.has_aggregation_temporality = 1;
  sum.aggregation_temporality = 2;
  ndp.n_attributes = 1;
  ndp.attributes = &routep;
  ndp.has_time_unix_nano = 1;
  ndp.time_unix_nano = T0;
  ndp.value_case = OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_INT;
  ndp.as_int = counter;
  m[1].name = "http.server.request.duration";
  m[1].unit = "s";
  m[1].data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM;
  m[1].histogram = &hist;
  hist.n_data_points = 1;
  hist.data_points = &hdpp;
  hdp.n_attributes = 1;
  hdp.attributes = &routep;
  hdp.has_count = 1;
  hdp.count = 10;
  hdp.has_sum = 1;
  hdp.sum = 3.5;
  hdp.n_bucket_counts = 4;
  hdp.bucket_counts = buckets;
  hdp.n_explicit_bounds = 3;
  hdp.explicit_bounds = bounds;
  req.n_resource_metrics = 1;
  req.resource_metrics = &rmp;
  *len = protobuf_c_message_get_packed_size(&req.base);
  uint8_t *out = malloc(*len);
  protobuf_c_message_pack(&req.base, out);
  return out;
}

static uint8_t *logs_request(const char *service, const char *body, uint8_t seed, size_t *len) {
  Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest req;
  Opentelemetry__Proto__Logs__V1__ResourceLogs rl, *rlp = &rl;
  Opentelemetry__Proto__Logs__V1__ScopeLogs sl, *slp = &sl;
  Opentelemetry__Proto__Resource__V1__Resource res;
  Opentelemetry__Proto__Logs__V1__LogRecord lr, *lrp = &lr;
  attr_t svc, b;
  KeyValue *svcp = &svc.kv;
  uint8_t tid[16], sid[8];
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__init(&req);
  opentelemetry__proto__logs__v1__resource_logs__init(&rl);
  opentelemetry__proto__logs__v1__scope_logs__init(&sl);
  opentelemetry__proto__resource__v1__resource__init(&res);
  opentelemetry__proto__logs__v1__log_record__init(&lr);
  str_attr(&svc, "service.name", service);
  str_attr(&b, "", body);
  memset(tid, seed, 16);
  memset(sid, seed, 8);
  res.n_attributes = 1;
  res.attributes = &svcp;
  rl.resource = &res;
  rl.n_scope_logs = 1;
  rl.scope_logs = &slp;
  sl.n_log_records = 1;
  sl.log_records = &lrp;
  lr.time_unix_nano = T0 + 5 * MS;
  lr.severity_number = OPENTELEMETRY__PROTO__LOGS__V1__SEVERITY_NUMBER__SEVERITY_NUMBER_WARN;
  lr.severity_text = "WARN";
  lr.body = &b.v;
  lr.trace_id = (ProtobufCBinaryData){16, tid};
  lr.span_id = (ProtobufCBinaryData){8, sid};
  req.n_resource_logs = 1;
  req.resource_logs = &rlp;
  *len = protobuf_c_message_get_packed_size(&req.base);
  uint8_t *out = malloc(*len);
  protobuf_c_message_pack(&req.base, out);
  return out;
}

static void hex(uint8_t seed, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", seed);
}

/* ---- checks of what is queried back -------------------------------------- */

static const char *str_of(const cJSON *o, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  assert_true(cJSON_IsString(v));
  return v->valuestring;
}

/* The string value of attribute key in an OTLP/JSON attribute array, or
 * NULL when it is not there. */
static const char *attr_str(const cJSON *attrs, const char *key) {
  const cJSON *kv;
  cJSON_ArrayForEach(kv, attrs) {
    const cJSON *k = cJSON_GetObjectItem(kv, "key");
    if (cJSON_IsString(k) && strcmp(k->valuestring, key) == 0)
      return str_of(cJSON_GetObjectItem(kv, "value"), "stringValue");
  }
  return NULL;
}

/* The item carries its resource in OTLP/JSON form with service.name. */
static void check_resource(const cJSON *item, const char *service) {
  const cJSON *res = cJSON_GetObjectItem(item, "resource");
  assert_non_null(res);
  const char *name = attr_str(cJSON_GetObjectItem(res, "attributes"), "service.name");
  assert_non_null(name);
  assert_string_equal(name, service);
}

static void check_trace(const char *service, uint8_t seed) {
  char path[128], tid[33];
  hex(seed, 16, tid);
  snprintf(path, sizeof path, "/api/traces?service=%s", service);
  cJSON *j = get_json(path);
  cJSON *traces = cJSON_GetObjectItem(j, "traces");
  assert_int_equal(cJSON_GetArraySize(traces), 1);
  cJSON *t = cJSON_GetArrayItem(traces, 0);
  assert_string_equal(str_of(t, "traceId"), tid);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItem(t, "ready")));
  cJSON *spans = cJSON_GetObjectItem(t, "spans");
  assert_int_equal(cJSON_GetArraySize(spans), 3);
  static const char *names[3] = {"GET /distance", "GET", "GET /where"};
  for (int i = 0; i < 3; i++) {
    cJSON *s = cJSON_GetArrayItem(spans, i);
    char sid[17], pid[17], start[32];
    hex(seed, 8, sid);
    sprintf(sid + 14, "%02x", i + 1);
    assert_string_equal(str_of(s, "traceId"), tid);
    assert_string_equal(str_of(s, "spanId"), sid);
    assert_string_equal(str_of(s, "name"), names[i]);
    assert_string_equal(str_of(s, "service"), service);
    check_resource(s, service);
    assert_int_equal(cJSON_GetObjectItem(s, "kind")->valueint, i == 1 ? 3 : 2);
    snprintf(start, sizeof start, "%llu", (unsigned long long)(T0 + (uint64_t)i * 10 * MS));
    assert_string_equal(str_of(s, "startTimeUnixNano"), start);
    if (i > 0) {
      hex(seed, 8, pid);
      sprintf(pid + 14, "%02x", i);
      assert_string_equal(str_of(s, "parentSpanId"), pid);
    } else {
      assert_null(cJSON_GetObjectItem(s, "parentSpanId"));
    }
    cJSON *attrs = cJSON_GetObjectItem(s, "attributes");
    assert_int_equal(cJSON_GetArraySize(attrs), 2);
    assert_string_equal(str_of(cJSON_GetArrayItem(attrs, 0), "key"), "http.request.method");
    assert_string_equal(
        str_of(cJSON_GetObjectItem(cJSON_GetArrayItem(attrs, 1), "value"), "intValue"), "200");
    cJSON *status = cJSON_GetObjectItem(s, "status");
    if (i == 2) {
      assert_int_equal(cJSON_GetObjectItem(status, "code")->valueint, 2);
      assert_string_equal(str_of(status, "message"), "boom");
    } else {
      assert_null(status);
    }
  }
  cJSON_Delete(j);
}

static void check_metrics(const char *service, int64_t counter) {
  char path[160];
  snprintf(path, sizeof path, "/api/metrics?service=%s&name=requests", service);
  cJSON *j = get_json(path);
  cJSON *ms = cJSON_GetObjectItem(j, "metrics");
  assert_int_equal(cJSON_GetArraySize(ms), 1);
  cJSON *m = cJSON_GetArrayItem(ms, 0);
  assert_string_equal(str_of(m, "type"), "sum");
  check_resource(m, service);
  assert_string_equal(str_of(m, "attributes"), "http.route=/distance");
  assert_true(cJSON_GetObjectItem(m, "value")->valuedouble == (double)counter);
  char want[32];
  snprintf(want, sizeof want, "%lld", (long long)counter);
  assert_string_equal(str_of(cJSON_GetObjectItem(m, "point"), "asInt"), want);
  cJSON_Delete(j);
  snprintf(path, sizeof path, "/api/metrics?service=%s&name=http.server.request.duration", service);
  j = get_json(path);
  ms = cJSON_GetObjectItem(j, "metrics");
  assert_int_equal(cJSON_GetArraySize(ms), 1);
  m = cJSON_GetArrayItem(ms, 0);
  assert_string_equal(str_of(m, "type"), "histogram");
  assert_int_equal(cJSON_GetObjectItem(m, "count")->valueint, 10);
  assert_true(cJSON_GetObjectItem(m, "sum")->valuedouble == 3.5);
  /* buckets 1,6,2,1 over bounds .1,.5,1: p50 is at rank 5 of 10, 4/6 into (0.1,0.5] */
  double p50 = cJSON_GetObjectItem(m, "p50")->valuedouble;
  assert_true(p50 > 0.366 && p50 < 0.367);
  assert_true(cJSON_GetObjectItem(m, "p99")->valuedouble == 1.0);
  cJSON *point = cJSON_GetObjectItem(m, "point");
  assert_string_equal(str_of(point, "count"), "10");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(point, "bucketCounts")), 4);
  cJSON_Delete(j);
}

static void check_log(const char *service, const char *body, uint8_t seed) {
  char path[160], tid[33];
  snprintf(path, sizeof path, "/api/logs?service=%s", service);
  cJSON *j = get_json(path);
  cJSON *logs = cJSON_GetObjectItem(j, "logs");
  assert_int_equal(cJSON_GetArraySize(logs), 1);
  cJSON *l = cJSON_GetArrayItem(logs, 0);
  hex(seed, 16, tid);
  assert_string_equal(str_of(l, "traceId"), tid);
  assert_string_equal(str_of(l, "severityText"), "WARN");
  assert_int_equal(cJSON_GetObjectItem(l, "severityNumber")->valueint, 13);
  assert_string_equal(str_of(cJSON_GetObjectItem(l, "body"), "stringValue"), body);
  assert_string_equal(str_of(l, "service"), service);
  check_resource(l, service);
  cJSON_Delete(j);
}

/* ---- tests: every signal over both transports ---------------------------- */

static void test_viewer_traces_http_protobuf_queried_back_equal(void **state) {
  (void)state;
  size_t n;
  uint8_t *req = trace_request("svc-http-pb", 0x11, &n, false);
  buf_t r;
  assert_int_equal(http("POST", "/v1/traces", "application/x-protobuf", NULL, req, n, &r), 200);
  assert_int_equal(r.len, 0); /* empty ExportTraceServiceResponse: full success */
  free(r.data);
  free(req);
  check_trace("svc-http-pb", 0x11);
}

static void test_viewer_traces_http_json_queried_back_equal(void **state) {
  (void)state;
  /* the same trace as trace_request() builds, in the OTLP/JSON encoding */
  char json[4096];
  int o = snprintf(json, sizeof json,
                   "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                   "\"value\":{\"stringValue\":\"svc-http-json\"}}]},\"scopeSpans\":[{\"spans\":[");
  static const char *names[3] = {"GET /distance", "GET", "GET /where"};
  for (int i = 0; i < 3; i++) {
    char parent[64] = "";
    if (i > 0) snprintf(parent, sizeof parent, "\"parentSpanId\":\"222222222222220%d\",", i);
    o += snprintf(json + o, sizeof json - (size_t)o,
                  "%s{\"traceId\":\"22222222222222222222222222222222\",\"spanId\":"
                  "\"222222222222220%d\",%s\"name\":\"%s\",\"kind\":%d,"
                  "\"startTimeUnixNano\":\"%llu\",\"endTimeUnixNano\":\"%llu\","
                  "\"attributes\":[{\"key\":\"http.request.method\",\"value\":{\"stringValue\":"
                  "\"GET\"}},{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":200}}]"
                  "%s}",
                  i ? "," : "", i + 1, parent, names[i], i == 1 ? 3 : 2,
                  (unsigned long long)(T0 + (uint64_t)i * 10 * MS),
                  (unsigned long long)(T0 + (100 - (uint64_t)i * 10) * MS),
                  i == 2 ? ",\"status\":{\"code\":2,\"message\":\"boom\"}" : "");
  }
  snprintf(json + o, sizeof json - (size_t)o, "]}]}]}");
  buf_t r;
  assert_int_equal(http("POST", "/v1/traces", "application/json", NULL, json, strlen(json), &r),
                   200);
  assert_string_equal(r.data, "{}");
  free(r.data);
  check_trace("svc-http-json", 0x22);
}

static void test_viewer_traces_http_gzip_queried_back_equal(void **state) {
  (void)state;
  size_t n;
  uint8_t *req = trace_request("svc-http-gzip", 0x33, &n, false);
  uLongf zlen = compressBound(n) + 64;
  uint8_t *z = malloc(zlen);
  z_stream zs = {0};
  assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = req;
  zs.avail_in = (uInt)n;
  zs.next_out = z;
  zs.avail_out = (uInt)zlen;
  assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
  size_t total = zs.total_out;
  deflateEnd(&zs);
  buf_t r;
  assert_int_equal(http("POST", "/v1/traces", "application/x-protobuf", "gzip", z, total, &r), 200);
  free(r.data);
  free(z);
  free(req);
  check_trace("svc-http-gzip", 0x33);
}

static void test_viewer_traces_grpc_queried_back_equal(void **state) {
  (void)state;
  size_t n;
  uint8_t *req = trace_request("svc-grpc", 0x44, &n, false);
  buf_t r;
  assert_int_equal(grpc_call_export(methods[0], req, n, &r), GRPC_STATUS_OK);
  assert_int_equal(r.len, 0);
  free(r.data);
  free(req);
  check_trace("svc-grpc", 0x44);
}

static void test_viewer_partial_success_reports_rejected_spans(void **state) {
  (void)state;
  size_t n;
  uint8_t *req = trace_request("svc-partial", 0x55, &n, true);
  buf_t r;
  assert_int_equal(http("POST", "/v1/traces", "application/x-protobuf", NULL, req, n, &r), 200);
  Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceResponse *resp =
      opentelemetry__proto__collector__trace__v1__export_trace_service_response__unpack(
          NULL, r.len, (uint8_t *)r.data);
  assert_non_null(resp);
  assert_non_null(resp->partial_success);
  assert_int_equal(resp->partial_success->rejected_spans, 1);
  assert_true(strlen(resp->partial_success->error_message) > 0);
  opentelemetry__proto__collector__trace__v1__export_trace_service_response__free_unpacked(resp, NULL);
  free(r.data);
  /* the same over gRPC: status OK, partial_success in the response */
  assert_int_equal(grpc_call_export(methods[0], req, n, &r), GRPC_STATUS_OK);
  resp = opentelemetry__proto__collector__trace__v1__export_trace_service_response__unpack(
      NULL, r.len, (uint8_t *)r.data);
  assert_non_null(resp);
  assert_non_null(resp->partial_success);
  assert_int_equal(resp->partial_success->rejected_spans, 1);
  opentelemetry__proto__collector__trace__v1__export_trace_service_response__free_unpacked(resp, NULL);
  free(r.data);
  free(req);
}

static void test_viewer_metrics_http_and_grpc_queried_back_equal(void **state) {
  (void)state;
  size_t n;
  uint8_t *req = metrics_request("svc-m-http", 7, &n);
  buf_t r;
  assert_int_equal(http("POST", "/v1/metrics", "application/x-protobuf", NULL, req, n, &r), 200);
  free(r.data);
  free(req);
  check_metrics("svc-m-http", 7);
  /* a newer point of the same stream replaces the value */
  req = metrics_request("svc-m-http", 9, &n);
  assert_int_equal(http("POST", "/v1/metrics", "application/x-protobuf", NULL, req, n, &r), 200);
  free(r.data);
  free(req);
  check_metrics("svc-m-http", 9);
  req = metrics_request("svc-m-grpc", 11, &n);
  assert_int_equal(grpc_call_export(methods[1], req, n, &r), GRPC_STATUS_OK);
  free(r.data);
  free(req);
  check_metrics("svc-m-grpc", 11);
}

static void test_viewer_metrics_http_json_queried_back_equal(void **state) {
  (void)state;
  const char *json =
      "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
      "\"value\":{\"stringValue\":\"svc-m-json\"}}]},\"scopeMetrics\":[{\"metrics\":["
      "{\"name\":\"requests\",\"unit\":\"1\",\"sum\":{\"isMonotonic\":true,"
      "\"aggregationTemporality\":2,\"dataPoints\":[{\"attributes\":[{\"key\":\"http.route\","
      "\"value\":{\"stringValue\":\"/distance\"}}],\"timeUnixNano\":\"1763823600000000000\","
      "\"asInt\":\"5\"}]}},"
      "{\"name\":\"http.server.request.duration\",\"unit\":\"s\",\"histogram\":{"
      "\"aggregationTemporality\":2,\"dataPoints\":[{\"attributes\":[{\"key\":\"http.route\","
      "\"value\":{\"stringValue\":\"/distance\"}}],\"count\":\"10\",\"sum\":3.5,"
      "\"bucketCounts\":[\"1\",\"6\",\"2\",\"1\"],\"explicitBounds\":[0.1,0.5,1.0]}]}}]}]}]}";
  buf_t r;
  assert_int_equal(http("POST", "/v1/metrics", "application/json", NULL, json, strlen(json), &r),
                   200);
  free(r.data);
  check_metrics("svc-m-json", 5);
}

static void test_viewer_logs_http_and_grpc_queried_back_equal(void **state) {
  (void)state;
  size_t n;
  uint8_t *req = logs_request("svc-l-http", "distance computed", 0x66, &n);
  buf_t r;
  assert_int_equal(http("POST", "/v1/logs", "application/x-protobuf", NULL, req, n, &r), 200);
  free(r.data);
  free(req);
  check_log("svc-l-http", "distance computed", 0x66);
  req = logs_request("svc-l-grpc", "geocoded Paris", 0x77, &n);
  assert_int_equal(grpc_call_export(methods[2], req, n, &r), GRPC_STATUS_OK);
  free(r.data);
  free(req);
  check_log("svc-l-grpc", "geocoded Paris", 0x77);
  const char *json =
      "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
      "{\"stringValue\":\"svc-l-json\"}}]},\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":"
      "\"1763823600005000000\",\"severityNumber\":13,\"severityText\":\"WARN\",\"body\":"
      "{\"stringValue\":\"slow upstream\"},\"traceId\":\"88888888888888888888888888888888\","
      "\"spanId\":\"8888888888888888\"}]}]}]}";
  assert_int_equal(http("POST", "/v1/logs", "application/json", NULL, json, strlen(json), &r), 200);
  free(r.data);
  check_log("svc-l-json", "slow upstream", 0x88);
}

/* Everything the pages show is kept: all resource attributes, the scope
 * (name, version, attributes), span events with their attributes, links,
 * for spans, log records and metric points alike. */
static void test_viewer_keeps_resource_scope_events_links(void **state) {
  (void)state;
  const char *res =
      "\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":"
      "\"svc-origin\"}},{\"key\":\"deployment.environment.name\",\"value\":{\"stringValue\":"
      "\"workshop\"}},{\"key\":\"host.name\",\"value\":{\"stringValue\":\"laptop-7\"}}]}";
  const char *scope =
      "\"scope\":{\"name\":\"iss.tracer\",\"version\":\"2.1\",\"attributes\":[{\"key\":"
      "\"lib.flavour\",\"value\":{\"stringValue\":\"lite\"}}]}";
  char json[4096];
  snprintf(json, sizeof json,
           "{\"resourceSpans\":[{%s,\"scopeSpans\":[{%s,\"spans\":[{\"traceId\":"
           "\"abababababababababababababababab\",\"spanId\":\"abababababababab\",\"name\":"
           "\"compute\",\"kind\":1,\"startTimeUnixNano\":\"1763823600000000000\","
           "\"endTimeUnixNano\":\"1763823600010000000\",\"events\":[{\"timeUnixNano\":"
           "\"1763823600005000000\",\"name\":\"exception\",\"attributes\":[{\"key\":"
           "\"exception.type\",\"value\":{\"stringValue\":\"TimeoutError\"}}]}],\"links\":"
           "[{\"traceId\":\"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\",\"spanId\":\"cdcdcdcdcdcdcdcd\"}]}]}]}]}",
           res, scope);
  buf_t r;
  assert_int_equal(http("POST", "/v1/traces", "application/json", NULL, json, strlen(json), &r),
                   200);
  free(r.data);
  snprintf(json, sizeof json,
           "{\"resourceLogs\":[{%s,\"scopeLogs\":[{%s,\"logRecords\":[{\"timeUnixNano\":"
           "\"1763823600005000000\",\"body\":{\"stringValue\":\"origin log\"}}]}]}]}",
           res, scope);
  assert_int_equal(http("POST", "/v1/logs", "application/json", NULL, json, strlen(json), &r), 200);
  free(r.data);
  snprintf(json, sizeof json,
           "{\"resourceMetrics\":[{%s,\"scopeMetrics\":[{%s,\"metrics\":[{\"name\":"
           "\"origin.gauge\",\"gauge\":{\"dataPoints\":[{\"asDouble\":1.5}]}}]}]}]}",
           res, scope);
  assert_int_equal(http("POST", "/v1/metrics", "application/json", NULL, json, strlen(json), &r),
                   200);
  free(r.data);

  cJSON *items[3];
  cJSON *j = get_json("/api/traces?service=svc-origin");
  cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "traces"), 0);
  items[0] = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "spans"), 0);
  cJSON *lj = get_json("/api/logs?service=svc-origin");
  items[1] = cJSON_GetArrayItem(cJSON_GetObjectItem(lj, "logs"), 0);
  cJSON *mj = get_json("/api/metrics?service=svc-origin");
  items[2] = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "metrics"), 0);
  for (int i = 0; i < 3; i++) {
    assert_non_null(items[i]);
    cJSON *attrs = cJSON_GetObjectItem(cJSON_GetObjectItem(items[i], "resource"), "attributes");
    assert_int_equal(cJSON_GetArraySize(attrs), 3);
    assert_string_equal(attr_str(attrs, "deployment.environment.name"), "workshop");
    assert_string_equal(attr_str(attrs, "host.name"), "laptop-7");
    cJSON *sc = cJSON_GetObjectItem(items[i], "scope");
    assert_string_equal(str_of(sc, "name"), "iss.tracer");
    assert_string_equal(str_of(sc, "version"), "2.1");
    assert_string_equal(attr_str(cJSON_GetObjectItem(sc, "attributes"), "lib.flavour"), "lite");
  }
  cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(items[0], "events"), 0);
  assert_string_equal(str_of(ev, "name"), "exception");
  assert_string_equal(attr_str(cJSON_GetObjectItem(ev, "attributes"), "exception.type"),
                      "TimeoutError");
  cJSON *link = cJSON_GetArrayItem(cJSON_GetObjectItem(items[0], "links"), 0);
  assert_string_equal(str_of(link, "traceId"), "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd");
  assert_string_equal(str_of(link, "spanId"), "cdcdcdcdcdcdcdcd");
  cJSON_Delete(j);
  cJSON_Delete(lj);
  cJSON_Delete(mj);
}

/* ---- malformed input ------------------------------------------------------ */

static int count_traces(void) {
  cJSON *j = get_json("/api/traces");
  int n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "traces"));
  cJSON_Delete(j);
  return n;
}

static void test_viewer_malformed_http_gets_status_and_keeps_serving(void **state) {
  (void)state;
  size_t n;
  uint8_t *good = trace_request("svc-before-bad", 0x99, &n, false);
  buf_t r;
  assert_int_equal(http("POST", "/v1/traces", "application/x-protobuf", NULL, good, n, &r), 200);
  free(r.data);
  int before = count_traces();
  size_t big_len = MAX_BODY + 4096;
  char *big = calloc(1, big_len);
  uint8_t badgz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0x00};
  const char garbage[] = "\xff\xff\xff\xff garbage that is not protobuf";
  size_t not_utf8_len;
  uint8_t *not_utf8 = trace_request("svc-\xC3(", 0x9a, &not_utf8_len, false);
  const char bad_json[] =
      "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"0123456789\xff"
      "abcdefgh\"}}]}]}]}";
  const struct {
    const char *what, *method, *path, *ctype, *enc;
    const void *body;
    size_t len;
    long want;
  } cases[] = {
      {"truncated protobuf", "POST", "/v1/traces", "application/x-protobuf", NULL, good, n / 2, 400},
      {"garbage protobuf", "POST", "/v1/metrics", "application/x-protobuf", NULL, garbage,
       sizeof garbage - 1, 400},
      {"garbage JSON", "POST", "/v1/logs", "application/json", NULL, "{\"resourceLogs\":[", 17, 400},
      {"wrong content type", "POST", "/v1/traces", "text/plain", NULL, "hello", 5, 415},
      {"no content type", "POST", "/v1/traces", NULL, NULL, "hello", 5, 415},
      {"unknown encoding", "POST", "/v1/traces", "application/x-protobuf", "br", good, n, 415},
      {"bad gzip", "POST", "/v1/traces", "application/x-protobuf", "gzip", badgz, sizeof badgz, 400},
      {"string not UTF-8 (refused whole, as the Collector does)", "POST", "/v1/traces",
       "application/x-protobuf", NULL, not_utf8, not_utf8_len, 400},
      {"string not UTF-8 in JSON", "POST", "/v1/logs", "application/json", NULL,
       bad_json, sizeof bad_json - 1, 400},
      {"oversized body", "POST", "/v1/traces", "application/x-protobuf", NULL, big, big_len, 413},
      {"unknown path", "POST", "/v1/profiles", "application/x-protobuf", NULL, good, n, 404},
      {"unknown api", "GET", "/api/nothing", NULL, NULL, NULL, 0, 404},
      {"GET on export path", "GET", "/v1/traces", NULL, NULL, NULL, 0, 405},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    long st = http(cases[i].method, cases[i].path, cases[i].ctype, cases[i].enc, cases[i].body,
                   cases[i].len, &r);
    if (st != cases[i].want)
      fail_msg("%s: got HTTP %ld, want %ld (%s)", cases[i].what, st, cases[i].want,
               r.data ? r.data : "");
    if (st == 400 && strcmp(cases[i].ctype, "application/x-protobuf") == 0) {
      /* google.rpc.Status: field 1 (code) = 3 INVALID_ARGUMENT, then a message */
      assert_true(r.len > 3);
      assert_int_equal((uint8_t)r.data[0], 0x08);
      assert_int_equal((uint8_t)r.data[1], 3);
      assert_int_equal((uint8_t)r.data[2], 0x12);
    }
    free(r.data);
    assert_healthy();
    assert_int_equal(count_traces(), before);
  }
  /* a gzip bomb: small body that inflates past the limit */
  size_t plain_len = 4 * MAX_BODY;
  uLongf zlen = compressBound(plain_len);
  uint8_t *z = malloc(zlen);
  z_stream zs = {0};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = (Bytef *)calloc(1, plain_len);
  Bytef *plain = zs.next_in;
  zs.avail_in = (uInt)plain_len;
  zs.next_out = z;
  zs.avail_out = (uInt)zlen;
  assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
  assert_int_equal(http("POST", "/v1/traces", "application/x-protobuf", "gzip", z, zs.total_out,
                        &r), 413);
  deflateEnd(&zs);
  free(r.data);
  free(plain);
  free(z);
  free(big);
  free(good);
  free(not_utf8);
  assert_healthy();
  check_trace("svc-before-bad", 0x99);
}

static void test_viewer_malformed_grpc_invalid_argument_keeps_serving(void **state) {
  (void)state;
  size_t n;
  uint8_t *good = trace_request("svc-grpc-bad", 0xaa, &n, false);
  buf_t r;
  for (int m = 0; m < 3; m++) {
    assert_int_equal(grpc_call_export(methods[m], "\xff\xff\xff\xff", 4, &r),
                     GRPC_STATUS_INVALID_ARGUMENT);
    free(r.data);
  }
  assert_int_equal(grpc_call_export(methods[0], good, n / 2, &r), GRPC_STATUS_INVALID_ARGUMENT);
  free(r.data);
  size_t bad_len;
  uint8_t *not_utf8 = trace_request("svc-\xED\xA0\x80", 0xab, &bad_len, false);
  assert_int_equal(grpc_call_export(methods[0], not_utf8, bad_len, &r), GRPC_STATUS_INVALID_ARGUMENT);
  free(r.data);
  free(not_utf8);
  assert_int_equal(grpc_call_export("/opentelemetry.proto.collector.profiles.v1.ProfilesService/Export",
                                    good, n, &r),
                   GRPC_STATUS_UNIMPLEMENTED);
  free(r.data);
  assert_int_equal(grpc_call_export(methods[0], good, n, &r), GRPC_STATUS_OK);
  free(r.data);
  free(good);
  check_trace("svc-grpc-bad", 0xaa);
  check_trace("svc-http-pb", 0x11); /* still there */
}

static void test_viewer_waterfall_endpoint_shows_trace(void **state) {
  (void)state;
  char path[128], tid[33];
  hex(0x11, 16, tid);
  snprintf(path, sizeof path, "/api/traces/%s/waterfall", tid);
  buf_t r;
  assert_int_equal(http("GET", path, NULL, NULL, NULL, 0, &r), 200);
  assert_non_null(strstr(r.data, tid));
  assert_non_null(strstr(r.data, "\nsvc-http-pb GET /distance"));
  assert_non_null(strstr(r.data, "\n`- svc-http-pb GET "));
  assert_non_null(strstr(r.data, "\n   `- svc-http-pb GET /where"));
  assert_non_null(strstr(r.data, "ERROR \"boom\""));
  if (getenv("SHOW_WATERFALL")) fputs(r.data, stderr);
  free(r.data);
  assert_int_equal(http("GET", "/api/traces/00000000000000000000000000000000/waterfall", NULL,
                        NULL, NULL, 0, &r), 404);
  free(r.data);
}

/* Last: SIGTERM gives exit 0 and a JSON-lines file with one line per
 * accepted request, each an OTLP/JSON Export*ServiceRequest. */
static void test_viewer_sigterm_clean_exit_and_jsonl_written(void **state) {
  (void)state;
  cJSON *stats = get_json("/api/stats");
  int requests = cJSON_GetObjectItem(stats, "requests")->valueint;
  cJSON_Delete(stats);
  assert_true(requests > 0);
  assert_int_equal(kill(viewer_pid, SIGTERM), 0);
  int status = 0;
  pid_t got = 0;
  for (int i = 0; i < 300 && got == 0; i++) { /* at most 30 s */
    got = waitpid(viewer_pid, &status, WNOHANG);
    if (got == 0) poll(NULL, 0, 100);
  }
  assert_int_equal(got, viewer_pid);
  viewer_pid = 0;
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  FILE *f = fopen(jsonl_path, "r");
  assert_non_null(f);
  char *line = NULL;
  size_t cap = 0;
  int lines = 0, spans = 0, metrics = 0, logs = 0;
  while (getline(&line, &cap, f) > 0) {
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    spans += cJSON_GetObjectItem(j, "resourceSpans") != NULL;
    metrics += cJSON_GetObjectItem(j, "resourceMetrics") != NULL;
    logs += cJSON_GetObjectItem(j, "resourceLogs") != NULL;
    cJSON_Delete(j);
    lines++;
  }
  free(line);
  fclose(f);
  unlink(jsonl_path);
  assert_int_equal(lines, requests);
  assert_true(spans > 0 && metrics > 0 && logs > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_viewer_traces_http_protobuf_queried_back_equal),
      cmocka_unit_test(test_viewer_traces_http_json_queried_back_equal),
      cmocka_unit_test(test_viewer_traces_http_gzip_queried_back_equal),
      cmocka_unit_test(test_viewer_traces_grpc_queried_back_equal),
      cmocka_unit_test(test_viewer_partial_success_reports_rejected_spans),
      cmocka_unit_test(test_viewer_metrics_http_and_grpc_queried_back_equal),
      cmocka_unit_test(test_viewer_metrics_http_json_queried_back_equal),
      cmocka_unit_test(test_viewer_logs_http_and_grpc_queried_back_equal),
      cmocka_unit_test(test_viewer_keeps_resource_scope_events_links),
      cmocka_unit_test(test_viewer_malformed_http_gets_status_and_keeps_serving),
      cmocka_unit_test(test_viewer_malformed_grpc_invalid_argument_keeps_serving),
      cmocka_unit_test(test_viewer_waterfall_endpoint_shows_trace),
      cmocka_unit_test(test_viewer_sigterm_clean_exit_and_jsonl_written),
  };
  return cmocka_run_group_tests(tests, start_viewer, stop_viewer);
}
