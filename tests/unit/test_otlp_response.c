/* test_otlp_response.c: the partial-success reader (otlp_response.c),
 * fed what protobuf-c packs for each of the three Export*ServiceResponse
 * messages: the same code reads rejected_spans, rejected_data_points and
 * rejected_log_records with their messages; an empty answer, an answer
 * without partial_success, unknown fields, a truncated or malformed answer
 * and an over-long message are handled as the comments say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otlp_transport.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

static otel__otlp_attempt_t read_bytes(const uint8_t *b, size_t len) {
  otel__otlp_attempt_t a;
  memset(&a, 0, sizeof a);
  strcpy(a.message, "untouched");
  otel__otlp_read_response(b, len, &a);
  return a;
}

static void test_response_trace_partial_success(void **state) {
  (void)state;
  Opentelemetry__Proto__Collector__Trace__V1__ExportTracePartialSuccess ps =
      OPENTELEMETRY__PROTO__COLLECTOR__TRACE__V1__EXPORT_TRACE_PARTIAL_SUCCESS__INIT;
  ps.rejected_spans = 3;
  ps.error_message = "3 spans had no name";
  Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceResponse r =
      OPENTELEMETRY__PROTO__COLLECTOR__TRACE__V1__EXPORT_TRACE_SERVICE_RESPONSE__INIT;
  r.partial_success = &ps;
  uint8_t buf[128];
  size_t n = opentelemetry__proto__collector__trace__v1__export_trace_service_response__pack(&r, buf);
  otel__otlp_attempt_t a = read_bytes(buf, n);
  assert_int_equal(a.rejected, 3);
  assert_string_equal(a.message, "3 spans had no name");
}

static void test_response_metrics_partial_success(void **state) {
  (void)state;
  Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsPartialSuccess ps =
      OPENTELEMETRY__PROTO__COLLECTOR__METRICS__V1__EXPORT_METRICS_PARTIAL_SUCCESS__INIT;
  ps.has_rejected_data_points = 1; /* this proto is proto2 (docs/design.md, protobuf-c) */
  ps.rejected_data_points = 1234567890123;
  ps.error_message = "too old";
  Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceResponse r =
      OPENTELEMETRY__PROTO__COLLECTOR__METRICS__V1__EXPORT_METRICS_SERVICE_RESPONSE__INIT;
  r.partial_success = &ps;
  uint8_t buf[128];
  size_t n = opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__pack(&r, buf);
  otel__otlp_attempt_t a = read_bytes(buf, n);
  assert_true(a.rejected == 1234567890123);
  assert_string_equal(a.message, "too old");
}

static void test_response_logs_partial_success_and_long_message(void **state) {
  (void)state;
  char msg[1000];
  memset(msg, 'm', sizeof msg - 1);
  msg[sizeof msg - 1] = '\0';
  Opentelemetry__Proto__Collector__Logs__V1__ExportLogsPartialSuccess ps =
      OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_PARTIAL_SUCCESS__INIT;
  ps.rejected_log_records = 7;
  ps.error_message = msg;
  Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse r =
      OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_RESPONSE__INIT;
  r.partial_success = &ps;
  uint8_t buf[1100];
  size_t n = opentelemetry__proto__collector__logs__v1__export_logs_service_response__pack(&r, buf);
  otel__otlp_attempt_t a = read_bytes(buf, n);
  assert_int_equal(a.rejected, 7);
  assert_int_equal(strlen(a.message), sizeof a.message - 1); /* cut, terminated */
  assert_int_equal(a.message[0], 'm');
}

static void test_response_without_partial_success_changes_nothing(void **state) {
  (void)state;
  otel__otlp_attempt_t a = read_bytes(NULL, 0); /* the usual answer: empty */
  assert_int_equal(a.rejected, 0);
  assert_string_equal(a.message, "untouched");
  /* unknown fields of every wire type before and after: skipped */
  const uint8_t unknown[] = {0x10, 0x96, 0x01,                       /* 2: varint 150 */
                             0x19, 1, 2, 3, 4, 5, 6, 7, 8,           /* 3: fixed64 */
                             0x25, 1, 2, 3, 4,                       /* 4: fixed32 */
                             0x2a, 0x02, 'h', 'i',                   /* 5: bytes */
                             0x0a, 0x04, 0x08, 0x02, 0x18, 0x01};    /* 1: {1: 2, 3: 1} */
  a = read_bytes(unknown, sizeof unknown);
  assert_int_equal(a.rejected, 2);
  assert_string_equal(a.message, "");
}

static void test_response_malformed_changes_nothing(void **state) {
  (void)state;
  const uint8_t truncated[] = {0x0a, 0x05, 0x08, 0x02};        /* says 5 bytes, has 2 */
  const uint8_t bad_varint[] = {0x0a, 0x02, 0x08, 0x80};       /* varint never ends */
  const uint8_t group[] = {0x0b, 0x0c};                        /* a group: not OTLP */
  const uint8_t good_then_bad[] = {0x0a, 0x02, 0x08, 0x05, 0xff}; /* all or nothing */
  const uint8_t *cases[] = {truncated, bad_varint, group, good_then_bad};
  size_t lens[] = {sizeof truncated, sizeof bad_varint, sizeof group, sizeof good_then_bad};
  for (size_t i = 0; i < 4; i++) {
    otel__otlp_attempt_t a = read_bytes(cases[i], lens[i]);
    assert_int_equal(a.rejected, 0);
    assert_string_equal(a.message, "untouched");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_response_trace_partial_success),
      cmocka_unit_test(test_response_metrics_partial_success),
      cmocka_unit_test(test_response_logs_partial_success_and_long_message),
      cmocka_unit_test(test_response_without_partial_success_changes_nothing),
      cmocka_unit_test(test_response_malformed_changes_nothing),
  };
  return cmocka_run_group_tests_name("otlp_response", tests, NULL, NULL);
}
