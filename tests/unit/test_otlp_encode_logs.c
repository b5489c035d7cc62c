/* test_otlp_encode_logs.c: otlp_encode_logs.c: records -> bytes ->
 * ExportLogsServiceRequest again, field by field, and packed again by
 * protobuf-c into the same bytes; grouping by resource and scope (the
 * backward request writer otlp_wire_back.c, with proto_resource.c packing the
 * Resource and InstrumentationScope messages); invalid UTF-8 bodies
 * repaired. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs_internal.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest req_t;

static req_t *round_trip(const otel_log_record_t *const *recs, size_t n) {
  uint8_t *buf;
  size_t len;
  assert_int_equal(otel__otlp_encode_logs(recs, n, &buf, &len), OTEL_OK);
  req_t *req = opentelemetry__proto__collector__logs__v1__export_logs_service_request__unpack(
      NULL, len, buf);
  assert_non_null(req);
  /* the encoder writes the wire format itself: protobuf-c must pack the
   * decoded request into the very same bytes */
  assert_int_equal(protobuf_c_message_get_packed_size(&req->base), len);
  uint8_t *again = malloc(len ? len : 1);
  protobuf_c_message_pack(&req->base, again);
  assert_memory_equal(again, buf, len);
  free(again);
  free(buf);
  return req;
}

static const Opentelemetry__Proto__Common__V1__KeyValue *
find_kv(Opentelemetry__Proto__Common__V1__KeyValue **kvs, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(kvs[i]->key, key) == 0) return kvs[i];
  return NULL;
}

typedef struct fixture {
  otel_logger_provider_t *lp;
  otel_resource_t *res;
  otel_memory_log_exporter_t *mem;
  otel_logger_t *a, *b;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  otel_attr_t rattrs[] = {OTEL_ATTR_STR("service.name", "iss-distance-service")};
  unsetenv("OTEL_SERVICE_NAME");
  unsetenv("OTEL_RESOURCE_ATTRIBUTES");
  assert_int_equal(otel_resource_create(rattrs, 1, &f->res), OTEL_OK);
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  o.resource = f->res;
  o.min_severity = OTEL_SEVERITY_TRACE;
  assert_int_equal(otel_logger_provider_create(&o, &f->lp), OTEL_OK);
  assert_int_equal(otel_memory_log_exporter_create(&f->mem), OTEL_OK);
  otel_log_processor_t *p;
  assert_int_equal(otel_simple_log_processor_create(otel_memory_log_exporter_exporter(f->mem), &p),
                   OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(f->lp, p), OTEL_OK);
  f->a = otel_logger_provider_get_logger(f->lp, "scope.a", "1.0");
  assert_non_null(f->a);
  f->b = otel_logger_provider_get_logger(f->lp, "scope.b", NULL);
  assert_non_null(f->b);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  otel_logger_provider_destroy(f->lp);
  otel_memory_log_exporter_destroy(f->mem);
  otel_resource_release(f->res);
  free(f);
  return 0;
}

static const otel_log_record_t **collect(fixture_t *f, size_t *n) {
  assert_int_equal(otel_logger_provider_force_flush(f->lp, 10000), OTEL_OK);
  *n = otel_memory_log_exporter_count(f->mem);
  const otel_log_record_t **recs = calloc(*n, sizeof(*recs));
  for (size_t i = 0; i < *n; i++) recs[i] = otel_memory_log_exporter_get(f->mem, i);
  return recs;
}

static void test_otlp_encode_logs_round_trip_every_field(void **state) {
  fixture_t *f = *state;
  otel_span_context_t sc = {.trace_flags = 1};
  for (int i = 0; i < 16; i++) sc.trace_id[i] = (uint8_t)(0x40 + i);
  for (int i = 0; i < 8; i++) sc.span_id[i] = (uint8_t)(0x10 + i);
  otel_attr_t attrs[] = {OTEL_ATTR_STR("client.address", "127.0.0.1"),
                         OTEL_ATTR_INT("http.response.status_code", 200),
                         OTEL_ATTR_DOUBLE("ratio", 0.5), OTEL_ATTR_BOOL("cached", true)};
  otel_log_record_options_t o = {
      .timestamp_ns = 1763821925123000000ull, .observed_timestamp_ns = 1763821925124000000ull,
      .severity = OTEL_SEVERITY_WARN3, .severity_text = "warning",
      .body = "received request from IP address: 127.0.0.1", .attrs = attrs, .attr_count = 4,
      .event_name = "http.request", .span_context = &sc};
  otel_logger_emit(f->a, &o);
  size_t n;
  const otel_log_record_t **recs = collect(f, &n);
  assert_int_equal(n, 1);
  req_t *req = round_trip(recs, n);
  assert_int_equal(req->n_resource_logs, 1);
  Opentelemetry__Proto__Logs__V1__ResourceLogs *rl = req->resource_logs[0];
  const Opentelemetry__Proto__Common__V1__KeyValue *sn =
      find_kv(rl->resource->attributes, rl->resource->n_attributes, "service.name");
  assert_non_null(sn);
  assert_string_equal(sn->value->string_value, "iss-distance-service");
  assert_int_equal(rl->n_scope_logs, 1);
  Opentelemetry__Proto__Logs__V1__ScopeLogs *sl = rl->scope_logs[0];
  assert_string_equal(sl->scope->name, "scope.a");
  assert_string_equal(sl->scope->version, "1.0");
  assert_int_equal(sl->n_log_records, 1);
  Opentelemetry__Proto__Logs__V1__LogRecord *m = sl->log_records[0];
  assert_int_equal(m->time_unix_nano, 1763821925123000000ull);
  assert_int_equal(m->observed_time_unix_nano, 1763821925124000000ull);
  assert_int_equal(m->severity_number, 15);
  assert_string_equal(m->severity_text, "warning");
  assert_int_equal(m->body->value_case,
                   OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE);
  assert_string_equal(m->body->string_value, "received request from IP address: 127.0.0.1");
  assert_int_equal(m->n_attributes, 4);
  assert_string_equal(m->attributes[0]->key, "client.address");
  assert_string_equal(m->attributes[0]->value->string_value, "127.0.0.1");
  assert_int_equal(m->attributes[1]->value->int_value, 200);
  assert_true(m->attributes[2]->value->double_value == 0.5);
  assert_true(m->attributes[3]->value->bool_value);
  assert_int_equal(m->dropped_attributes_count, 0);
  assert_int_equal(m->flags, 1);
  assert_int_equal(m->trace_id.len, 16);
  assert_memory_equal(m->trace_id.data, sc.trace_id, 16);
  assert_int_equal(m->span_id.len, 8);
  assert_memory_equal(m->span_id.data, sc.span_id, 8);
  assert_string_equal(m->event_name, "http.request");
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
  free(recs);
}

static void test_otlp_encode_logs_no_span_no_body_leaves_fields_empty(void **state) {
  fixture_t *f = *state;
  otel_log_record_options_t o = {.severity = OTEL_SEVERITY_INFO};
  otel_logger_emit(f->b, &o);
  size_t n;
  const otel_log_record_t **recs = collect(f, &n);
  req_t *req = round_trip(recs, n);
  Opentelemetry__Proto__Logs__V1__ScopeLogs *sl = req->resource_logs[0]->scope_logs[0];
  assert_string_equal(sl->scope->name, "scope.b");
  assert_true(sl->scope->version == NULL || sl->scope->version[0] == '\0');
  Opentelemetry__Proto__Logs__V1__LogRecord *m = sl->log_records[0];
  assert_int_equal(m->time_unix_nano, 0);
  assert_true(m->observed_time_unix_nano > 0);
  assert_null(m->body);
  assert_int_equal(m->trace_id.len, 0);
  assert_int_equal(m->span_id.len, 0);
  assert_int_equal(m->flags, 0);
  assert_string_equal(m->severity_text, "INFO");
  assert_string_equal(m->event_name, "");
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
  free(recs);
}

static void test_otlp_encode_logs_groups_by_resource_and_scope(void **state) {
  fixture_t *f = *state;
  /* Interleaved scopes under one resource, then a second provider (another
   * resource): 2 ResourceLogs, the first with 2 ScopeLogs in first-use order. */
  otel_log_info(f->a, "a1");
  otel_log_info(f->b, "b1");
  otel_log_info(f->a, "a2");
  size_t n;
  const otel_log_record_t **recs = collect(f, &n);
  assert_int_equal(n, 3);
  otel_logger_provider_t *lp2;
  assert_int_equal(otel_logger_provider_create(NULL, &lp2), OTEL_OK);
  otel_memory_log_exporter_t *mem2;
  assert_int_equal(otel_memory_log_exporter_create(&mem2), OTEL_OK);
  otel_log_processor_t *p;
  assert_int_equal(otel_simple_log_processor_create(otel_memory_log_exporter_exporter(mem2), &p),
                   OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp2, p), OTEL_OK);
  otel_logger_t *c;
  c = otel_logger_provider_get_logger(lp2, "scope.c", NULL);
  assert_non_null(c);
  otel_log_error(c, "c1");
  assert_int_equal(otel_logger_provider_force_flush(lp2, 10000), OTEL_OK);
  const otel_log_record_t *all[4] = {recs[0], otel_memory_log_exporter_get(mem2, 0), recs[1],
                                     recs[2]};
  req_t *req = round_trip(all, 4);
  assert_int_equal(req->n_resource_logs, 2);
  Opentelemetry__Proto__Logs__V1__ResourceLogs *r0 = req->resource_logs[0], *r1 = req->resource_logs[1];
  assert_int_equal(r0->n_scope_logs, 2);
  assert_string_equal(r0->scope_logs[0]->scope->name, "scope.a");
  assert_int_equal(r0->scope_logs[0]->n_log_records, 2);
  assert_string_equal(r0->scope_logs[0]->log_records[0]->body->string_value, "a1");
  assert_string_equal(r0->scope_logs[0]->log_records[1]->body->string_value, "a2");
  assert_string_equal(r0->scope_logs[1]->scope->name, "scope.b");
  assert_string_equal(r0->scope_logs[1]->log_records[0]->body->string_value, "b1");
  assert_int_equal(r1->n_scope_logs, 1);
  assert_int_equal(r1->resource->n_attributes, 0); /* provider without resource */
  assert_string_equal(r1->scope_logs[0]->log_records[0]->body->string_value, "c1");
  assert_int_equal(r1->scope_logs[0]->log_records[0]->severity_number, 17);
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
  free(recs);
  otel_logger_provider_destroy(lp2);
  otel_memory_log_exporter_destroy(mem2);
}

/* More scopes than the grouping's first array holds (8): twelve loggers,
 * each record's own ScopeLogs, in first-use order. */
static void test_otlp_encode_logs_many_scopes(void **state) {
  fixture_t *f = *state;
  enum { S = 12 };
  for (int k = 0; k < S; k++) {
    char name[32];
    snprintf(name, sizeof name, "scope.%d", k);
    otel_logger_t *l = otel_logger_provider_get_logger(f->lp, name, NULL);
    assert_non_null(l);
    otel_log_info(l, "record %d", k);
  }
  size_t n;
  const otel_log_record_t **recs = collect(f, &n);
  assert_int_equal(n, S);
  req_t *req = round_trip(recs, n);
  assert_int_equal(req->n_resource_logs, 1);
  assert_int_equal(req->resource_logs[0]->n_scope_logs, S);
  for (int k = 0; k < S; k++) {
    char name[32], body[32];
    snprintf(name, sizeof name, "scope.%d", k);
    snprintf(body, sizeof body, "record %d", k);
    Opentelemetry__Proto__Logs__V1__ScopeLogs *sl = req->resource_logs[0]->scope_logs[k];
    assert_string_equal(sl->scope->name, name);
    assert_int_equal(sl->n_log_records, 1);
    assert_string_equal(sl->log_records[0]->body->string_value, body);
  }
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
  free(recs);
}

static void test_otlp_encode_logs_invalid_utf8_replaced(void **state) {
  fixture_t *f = *state;
  otel_log_info(f->a, "bad \xff byte, cut \xE2\x82 end, ok \xC3\xA9");
  size_t n;
  const otel_log_record_t **recs = collect(f, &n);
  req_t *req = round_trip(recs, n);
  assert_string_equal(req->resource_logs[0]->scope_logs[0]->log_records[0]->body->string_value,
                      "bad \xEF\xBF\xBD byte, cut \xEF\xBF\xBD\xEF\xBF\xBD end, ok \xC3\xA9");
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
  free(recs);
}

/* Invalid bytes inside and right after long ASCII runs (the encoder skips
 * ASCII eight bytes at a time), and text ending in the middle of a word. */
static void test_otlp_encode_logs_invalid_utf8_after_ascii_runs(void **state) {
  fixture_t *f = *state;
  otel_log_info(f->a, "0123456789abcdef\xff" "ABCDEFG\xC3\xA9HIJKLMNOPQRSTUVWXYZ\x80xyz");
  size_t n;
  const otel_log_record_t **recs = collect(f, &n);
  req_t *req = round_trip(recs, n);
  assert_string_equal(req->resource_logs[0]->scope_logs[0]->log_records[0]->body->string_value,
                      "0123456789abcdef\xEF\xBF\xBD" "ABCDEFG\xC3\xA9HIJKLMNOPQRSTUVWXYZ\xEF\xBF\xBDxyz");
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
  free(recs);
}

static void test_otlp_encode_logs_empty_batch_is_empty_request(void **state) {
  (void)state;
  req_t *req = round_trip(NULL, 0);
  assert_int_equal(req->n_resource_logs, 0);
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(req, NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_otlp_encode_logs_round_trip_every_field, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_encode_logs_no_span_no_body_leaves_fields_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_encode_logs_many_scopes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_encode_logs_groups_by_resource_and_scope, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_encode_logs_invalid_utf8_replaced, setup, teardown),
      cmocka_unit_test_setup_teardown(test_otlp_encode_logs_invalid_utf8_after_ascii_runs, setup,
                                      teardown),
      cmocka_unit_test(test_otlp_encode_logs_empty_batch_is_empty_request),
  };
  return cmocka_run_group_tests_name("otlp_encode_logs", tests, NULL, NULL);
}
