/* test_otlp_export.c: libotel-lite's OTLP exporters over gRPC and HTTP into
 * the real local receiver (otel-viewer): the spans and log records queried
 * back equal the ones made, field by field; with nothing listening, an
 * export fails within its timeout, and ending spans is not held up.
 * Sources: otlp_span_exporter.c, otlp_log_exporter.c, otlp_client.c and
 * the transports otlp_grpc.c and otlp_http.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "otel/exporter_otlp.h"
#include "otel/logs.h"
#include "otel/trace.h"
#include "viewer_process.h"
#include "internal.h"
#include "otlp_client.h"

static viewer_process_t viewer;

static int setup(void **state) {
  (void)state;
  if (viewer_start(&viewer) != 0) return -1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  int rc = viewer_stop(&viewer);
  curl_global_cleanup();
  return rc; /* the viewer must exit cleanly */
}

static void options_for(otel_otlp_options_t *o, otel_signal_t sig, otel_otlp_protocol_t proto) {
  otel_otlp_options_init(o, sig);
  o->protocol = proto;
  const char *path = sig == OTEL_SIGNAL_LOGS ? "/v1/logs" : "/v1/traces";
  if (proto == OTEL_OTLP_PROTOCOL_GRPC)
    snprintf(o->endpoint, sizeof o->endpoint, "http://127.0.0.1:%d", viewer.grpc_port);
  else
    snprintf(o->endpoint, sizeof o->endpoint, "http://127.0.0.1:%d%s", viewer.http_port, path);
  o->timeout_ms = 5000;
}

static const char *str(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsNumber(v) ? v->valuedouble : cJSON_IsString(v) ? strtod(v->valuestring, NULL) : -1;
}

static const cJSON *span_named(const cJSON *trace, const char *name) {
  const cJSON *s;
  cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(trace, "spans"))
    if (!strcmp(str(s, "name"), name)) return s;
  fail_msg("span %s not received", name);
  return NULL;
}

static void assert_hex(const char *got, const uint8_t *id, size_t n) {
  char want[33];
  if (n == 16) otel_trace_id_to_hex(id, want);
  else otel_span_id_to_hex(id, want);
  assert_string_equal(got, want);
}

static void assert_time(const cJSON *obj, const char *key, uint64_t want) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)want);
  assert_string_equal(str(obj, key), buf);
}

/* Makes a server span with every kind of field and an internal child,
 * exports them with `proto`, and compares what the viewer received. */
static void export_spans_and_compare(otel_otlp_protocol_t proto, const char *service) {
  otel_resource_t *res;
  otel_attr_t rattrs[] = {OTEL_ATTR_STR("service.name", service)};
  assert_int_equal(otel_resource_create(rattrs, 1, &res), OTEL_OK);
  otel_tracer_provider_options_t tpo;
  otel_tracer_provider_options_init(&tpo);
  tpo.resource = res;
  tpo.sampler = otel_sampler_always_on();
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&tpo, &tp), OTEL_OK);
  otel_otlp_options_t oo;
  options_for(&oo, OTEL_SIGNAL_TRACES, proto);
  otel_span_exporter_t *otlp, *mem = otel_memory_span_exporter_create();
  assert_int_equal(otel_otlp_span_exporter_create(&oo, &otlp), OTEL_OK);
  otel_span_processor_t *p1, *p2;
  assert_int_equal(otel_simple_span_processor_create(otlp, &p1), OTEL_OK);
  assert_int_equal(otel_simple_span_processor_create(mem, &p2), OTEL_OK);
  otel_tracer_provider_add_processor(tp, p1);
  otel_tracer_provider_add_processor(tp, p2);
  otel_tracer_t *tracer = otel_tracer_provider_get_tracer(tp, "export-test", "2.1");

  otel_context_t parent = OTEL_CONTEXT_INIT;
  memset(parent.span_context.trace_id, 0x5a, 16);
  parent.span_context.trace_id[15] = (uint8_t)proto;
  memset(parent.span_context.span_id, 0xc3, 8);
  parent.span_context.trace_flags = OTEL_TRACE_FLAG_SAMPLED;
  parent.trace_state = "vendor=1";
  const char *tags[] = {"a", "b"};
  otel_attr_t attrs[] = {OTEL_ATTR_STR("http.request.method", "GET"),
                         OTEL_ATTR_INT("http.response.status_code", 404),
                         OTEL_ATTR_DOUBLE("ratio", 0.25), OTEL_ATTR_BOOL("cached", true),
                         OTEL_ATTR_ARRAY("tags", OTEL_ATTR_TYPE_STRING_ARRAY, tags, 2)};
  otel_span_link_t link = {.context = parent.span_context};
  otel_span_start_options_t so = {.kind = OTEL_SPAN_KIND_SERVER, .remote_parent = &parent,
                                  .attrs = attrs, .attr_count = 5, .links = &link, .link_count = 1};
  otel_span_t *server = otel_tracer_start_span(tracer, "GET /distance", &so);
  otel_span_t *child = otel_tracer_start_span(tracer, "calculating-iss-distance", NULL);
  otel_span_add_event(child, "cache miss", &OTEL_ATTR_STR("key", "London"), 1);
  otel_span_end(child);
  otel_span_set_status(server, OTEL_SPAN_STATUS_ERROR, "boom");
  otel_span_end(server);
  assert_int_equal(otel_tracer_provider_force_flush(tp, 5000), OTEL_OK);
  otel_span_processor_stats_t st;
  otel_span_processor_get_stats(p1, &st);
  assert_int_equal(st.exported, 2);

  const otel_span_data_t *ms = otel_memory_span_exporter_find(mem, "GET /distance");
  const otel_span_data_t *mc = otel_memory_span_exporter_find(mem, "calculating-iss-distance");
  char tid[33], path[128];
  otel_trace_id_to_hex(ms->context.trace_id, tid);
  snprintf(path, sizeof path, "/api/traces?trace_id=%s", tid);
  cJSON *answer = viewer_get_json(&viewer, path);
  assert_non_null(answer);
  const cJSON *trace = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "traces"), 0);
  assert_non_null(trace);
  assert_int_equal((int)num(trace, "spanCount"), 2);

  const cJSON *s = span_named(trace, "GET /distance");
  assert_string_equal(str(s, "service"), service);
  assert_hex(str(s, "traceId"), ms->context.trace_id, 16);
  assert_hex(str(s, "spanId"), ms->context.span_id, 8);
  assert_hex(str(s, "parentSpanId"), parent.span_context.span_id, 8);
  assert_string_equal(str(s, "traceState"), "vendor=1");
  assert_int_equal((int)num(s, "kind"), 2);
  assert_time(s, "startTimeUnixNano", ms->start_time_ns);
  assert_time(s, "endTimeUnixNano", ms->end_time_ns);
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(s, "attributes");
  assert_string_equal(str(viewer_attr(a, "http.request.method"), "stringValue"), "GET");
  assert_string_equal(str(viewer_attr(a, "http.response.status_code"), "intValue"), "404");
  assert_true(num(viewer_attr(a, "ratio"), "doubleValue") == 0.25);
  assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(viewer_attr(a, "cached"), "boolValue")));
  const cJSON *arr = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(viewer_attr(a, "tags"), "arrayValue"), "values");
  assert_int_equal(cJSON_GetArraySize(arr), 2);
  assert_string_equal(str(cJSON_GetArrayItem(arr, 1), "stringValue"), "b");
  const cJSON *status = cJSON_GetObjectItemCaseSensitive(s, "status");
  assert_int_equal((int)num(status, "code"), 2);
  assert_string_equal(str(status, "message"), "boom");
  const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s, "links"), 0);
  assert_hex(str(l, "spanId"), parent.span_context.span_id, 8);

  const cJSON *c = span_named(trace, "calculating-iss-distance");
  assert_hex(str(c, "parentSpanId"), ms->context.span_id, 8);
  assert_int_equal((int)num(c, "kind"), 1);
  const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "events"), 0);
  assert_string_equal(str(ev, "name"), "cache miss");
  assert_time(ev, "timeUnixNano", mc->events[0].time_ns);
  assert_string_equal(str(viewer_attr(cJSON_GetObjectItemCaseSensitive(ev, "attributes"), "key"),
                          "stringValue"), "London");
  cJSON_Delete(answer);
  otel_tracer_provider_destroy(tp);
  otel_resource_release(res);
}

static void test_otlp_export_spans_grpc_arrive_field_by_field(void **state) {
  (void)state;
  export_spans_and_compare(OTEL_OTLP_PROTOCOL_GRPC, "export-grpc");
}

static void test_otlp_export_spans_http_arrive_field_by_field(void **state) {
  (void)state;
  export_spans_and_compare(OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF, "export-http");
}

static void export_log_and_compare(otel_otlp_protocol_t proto, const char *service) {
  otel_resource_t *res;
  otel_attr_t rattrs[] = {OTEL_ATTR_STR("service.name", service)};
  assert_int_equal(otel_resource_create(rattrs, 1, &res), OTEL_OK);
  otel_logger_provider_options_t lo;
  otel_logger_provider_options_init(&lo);
  lo.resource = res;
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(&lo, &lp), OTEL_OK);
  otel_otlp_options_t oo;
  options_for(&oo, OTEL_SIGNAL_LOGS, proto);
  otel_log_exporter_t *exporter;
  assert_int_equal(otel_otlp_log_exporter_create(&oo, &exporter), OTEL_OK);
  otel_log_processor_t *proc;
  assert_int_equal(otel_simple_log_processor_create(exporter, &proc), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, proc), OTEL_OK);
  otel_logger_t *logger;
  logger = otel_logger_provider_get_logger(lp, "export-test", NULL);
  assert_non_null(logger);

  otel_tracer_provider_options_t tpo;
  otel_tracer_provider_options_init(&tpo);
  tpo.sampler = otel_sampler_always_on();
  otel_tracer_provider_t *tp;
  otel_tracer_provider_create(&tpo, &tp);
  otel_span_t *span = otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "t", NULL), "s", NULL);
  otel_span_context_t sc = otel_span_get_context(span);
  otel_log_warn(logger, "received request from IP address: %s", "127.0.0.1");
  otel_span_end(span);
  assert_int_equal(otel_logger_provider_force_flush(lp, 5000), OTEL_OK);

  char tid[33], path[128];
  otel_trace_id_to_hex(sc.trace_id, tid);
  snprintf(path, sizeof path, "/api/logs?trace_id=%s", tid);
  cJSON *answer = viewer_get_json(&viewer, path);
  const cJSON *rec = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "logs"), 0);
  assert_non_null(rec);
  assert_string_equal(str(rec, "service"), service);
  assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(rec, "body"), "stringValue"),
                      "received request from IP address: 127.0.0.1");
  assert_int_equal((int)num(rec, "severityNumber"), 13);
  assert_string_equal(str(rec, "severityText"), "WARN");
  assert_hex(str(rec, "spanId"), sc.span_id, 8);
  cJSON_Delete(answer);
  otel_logger_provider_destroy(lp);
  otel_tracer_provider_destroy(tp);
  otel_resource_release(res);
}

static void test_otlp_export_logs_grpc_arrive_with_trace_context(void **state) {
  (void)state;
  export_log_and_compare(OTEL_OTLP_PROTOCOL_GRPC, "logs-grpc");
}

static void test_otlp_export_logs_http_arrive_with_trace_context(void **state) {
  (void)state;
  export_log_and_compare(OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF, "logs-http");
}

/* A port nothing listens on (bound, then closed). */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  bind(fd, (struct sockaddr *)&a, sizeof a);
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd);
  return ntohs(a.sin_port);
}

static void nothing_listening(otel_otlp_protocol_t proto) {
  otel_otlp_options_t oo;
  otel_otlp_options_init(&oo, OTEL_SIGNAL_TRACES);
  oo.protocol = proto;
  snprintf(oo.endpoint, sizeof oo.endpoint, "http://127.0.0.1:%d%s", closed_port(),
           proto == OTEL_OTLP_PROTOCOL_GRPC ? "" : "/v1/traces");
  oo.timeout_ms = 600;
  oo.retry_initial_backoff_ms = 50;

  /* the transport alone: fails, retried, and within its timeout (+ slack) */
  otel__otlp_client_t *client;
  assert_int_equal(otel__otlp_client_create(&oo, &client), OTEL_OK);
  uint8_t body[] = {0x0a, 0x00};
  otel__otlp_result_t res;
  uint64_t t0 = otel__monotonic_ns();
  otel_err_t err = otel__otlp_client_send(client, body, sizeof body, &res);
  uint64_t ms = (otel__monotonic_ns() - t0) / 1000000;
  assert_int_not_equal(err, OTEL_OK);
  assert_true(res.attempts >= 2);
  if (ms > oo.timeout_ms + 1500) fail_msg("export took %llu ms with a %u ms timeout",
                                          (unsigned long long)ms, oo.timeout_ms);
  otel__otlp_client_destroy(client);

  /* through the SDK: 1000 spans end while every export fails */
  otel_tracer_provider_options_t tpo;
  otel_tracer_provider_options_init(&tpo);
  tpo.sampler = otel_sampler_always_on();
  otel_tracer_provider_t *tp;
  otel_tracer_provider_create(&tpo, &tp);
  otel_span_exporter_t *otlp;
  assert_int_equal(otel_otlp_span_exporter_create(&oo, &otlp), OTEL_OK);
  otel_span_processor_t *bsp;
  assert_int_equal(otel_batch_span_processor_create(otlp, NULL, &bsp), OTEL_OK);
  otel_tracer_provider_add_processor(tp, bsp);
  otel_tracer_t *t = otel_tracer_provider_get_tracer(tp, "down", NULL);
  for (int i = 0; i < 1000; i++) otel_span_end(otel_tracer_start_span(t, "s", NULL));
  otel_tracer_provider_force_flush(tp, 10000);
  otel_span_processor_stats_t st;
  otel_span_processor_get_stats(bsp, &st);
  assert_int_equal(st.queued + st.dropped, 1000);
  assert_int_equal(st.exported, 0);
  assert_int_equal(st.export_failed, st.queued);
  otel_tracer_provider_destroy(tp);
}

static void test_otlp_export_grpc_nothing_listening_fails_in_time(void **state) {
  (void)state;
  nothing_listening(OTEL_OTLP_PROTOCOL_GRPC);
}

static void test_otlp_export_http_nothing_listening_fails_in_time(void **state) {
  (void)state;
  nothing_listening(OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF);
}

static void quiet(otel_diag_level_t l, const char *m, void *u) { (void)l, (void)m, (void)u; }

int main(void) {
  otel_set_error_handler(quiet, NULL); /* the failing exports report on purpose */
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_otlp_export_spans_grpc_arrive_field_by_field),
      cmocka_unit_test(test_otlp_export_spans_http_arrive_field_by_field),
      cmocka_unit_test(test_otlp_export_logs_grpc_arrive_with_trace_context),
      cmocka_unit_test(test_otlp_export_logs_http_arrive_with_trace_context),
      cmocka_unit_test(test_otlp_export_grpc_nothing_listening_fails_in_time),
      cmocka_unit_test(test_otlp_export_http_nothing_listening_fails_in_time),
  };
  return cmocka_run_group_tests_name("otlp_export", tests, setup, teardown);
}
