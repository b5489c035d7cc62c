/* SPDX-License-Identifier: Apache-2.0
 *
 * test_otlp_json.c: the OTLP/JSON encoder (otlp_json.c) and decoder
 * (otlp_json_decode.c): the spec's encoding rules on real messages, round
 * trips of the three request types, a table of invalid bodies that must be
 * refused, and the histogram quantile estimate used by the metrics view.
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

typedef Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest TraceReq;
typedef Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest MetricsReq;

static const char *span_json =
    "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
    "\"value\":{\"stringValue\":\"gateway\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"s\"},"
    "\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"eee19b7ec3c1b174\","
    "\"parentSpanId\":\"eee19b7ec3c1b173\",\"name\":\"GET /distance\",\"kind\":\"SPAN_KIND_SERVER\","
    "\"startTimeUnixNano\":\"1544712660000000000\",\"end_time_unix_nano\":1544712661000000000,"
    "\"attributes\":[{\"key\":\"n\",\"value\":{\"intValue\":\"-7\"}},"
    "{\"key\":\"d\",\"value\":{\"doubleValue\":0.5}},{\"key\":\"b\",\"value\":{\"boolValue\":true}},"
    "{\"key\":\"raw\",\"value\":{\"bytesValue\":\"aGk=\"}}],"
    "\"status\":{\"code\":2,\"message\":\"boom\"},\"unknownField\":{\"x\":1}}]}]}]}";

static TraceReq *decode_trace(const char *json) {
  const char *err;
  return (TraceReq *)vw_json_to_pb(vw_request_descriptor(VW_TRACES), json, strlen(json), SIZE_MAX, &err, NULL);
}

static void test_json_decode_span_all_field_kinds(void **state) {
  (void)state;
  TraceReq *r = decode_trace(span_json);
  assert_non_null(r);
  assert_int_equal(r->n_resource_spans, 1);
  Opentelemetry__Proto__Trace__V1__Span *s = r->resource_spans[0]->scope_spans[0]->spans[0];
  assert_int_equal(s->trace_id.len, 16);
  assert_int_equal(s->trace_id.data[0], 0x5b);
  assert_int_equal(s->span_id.len, 8);
  assert_int_equal(s->parent_span_id.data[7], 0x73);
  assert_string_equal(s->name, "GET /distance");
  assert_int_equal(s->kind, 2);
  assert_true(s->start_time_unix_nano == 1544712660000000000ull);
  assert_true(s->end_time_unix_nano == 1544712661000000000ull);
  assert_int_equal(s->n_attributes, 4);
  assert_int_equal(s->attributes[0]->value->int_value, -7);
  assert_true(s->attributes[1]->value->double_value == 0.5);
  assert_true(s->attributes[2]->value->bool_value);
  assert_int_equal(s->attributes[3]->value->bytes_value.len, 2);
  assert_memory_equal(s->attributes[3]->value->bytes_value.data, "hi", 2);
  assert_int_equal(s->status->code, 2);
  protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_json_encode_follows_otlp_json_rules(void **state) {
  (void)state;
  TraceReq *r = decode_trace(span_json);
  cJSON *j = vw_pb_to_json(&r->base);
  char *s = cJSON_PrintUnformatted(j);
  /* ids lowercase hex, enums as integers, 64-bit integers as strings,
   * camelCase keys, default values (traceState, droppedAttributesCount) left out */
  assert_non_null(strstr(s, "\"traceId\":\"5b8efff798038103d269b633813fc60c\""));
  assert_non_null(strstr(s, "\"parentSpanId\":\"eee19b7ec3c1b173\""));
  assert_non_null(strstr(s, "\"kind\":2"));
  assert_non_null(strstr(s, "\"endTimeUnixNano\":\"1544712661000000000\""));
  assert_non_null(strstr(s, "\"intValue\":\"-7\""));
  assert_non_null(strstr(s, "\"bytesValue\":\"aGk=\""));
  assert_null(strstr(s, "traceState"));
  assert_null(strstr(s, "droppedAttributesCount"));
  assert_null(strstr(s, "_"));
  free(s);
  cJSON_Delete(j);
  protobuf_c_message_free_unpacked(&r->base, NULL);
}

/* protobuf -> JSON -> protobuf gives the same bytes. */
static void roundtrip(const ProtobufCMessage *m) {
  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t *a = malloc(n + 1);
  protobuf_c_message_pack(m, a);
  cJSON *j = vw_pb_to_json(m);
  char *s = cJSON_PrintUnformatted(j);
  const char *err;
  ProtobufCMessage *back = vw_json_to_pb(m->descriptor, s, strlen(s), SIZE_MAX, &err, NULL);
  assert_non_null(back);
  size_t n2 = protobuf_c_message_get_packed_size(back);
  uint8_t *b = malloc(n2 + 1);
  protobuf_c_message_pack(back, b);
  assert_int_equal(n, n2);
  assert_memory_equal(a, b, n);
  free(a);
  free(b);
  free(s);
  cJSON_Delete(j);
  protobuf_c_message_free_unpacked(back, NULL);
}

static void test_json_roundtrip_traces(void **state) {
  (void)state;
  TraceReq *r = decode_trace(span_json);
  roundtrip(&r->base);
  protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_json_roundtrip_metrics_keeps_proto2_presence(void **state) {
  (void)state;
  const char *json =
      "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":["
      "{\"name\":\"h\",\"unit\":\"s\",\"histogram\":{\"aggregationTemporality\":2,\"dataPoints\":[{"
      "\"count\":\"3\",\"sum\":0,\"bucketCounts\":[\"1\",\"2\",\"0\"],\"explicitBounds\":[0.1,1],"
      "\"timeUnixNano\":\"5\"}]}},"
      "{\"name\":\"c\",\"sum\":{\"isMonotonic\":true,\"dataPoints\":[{\"asInt\":\"42\"}]}},"
      "{\"name\":\"g\",\"gauge\":{\"dataPoints\":[{\"asDouble\":\"NaN\"}]}}]}]}]}";
  const char *err;
  MetricsReq *r = (MetricsReq *)vw_json_to_pb(vw_request_descriptor(VW_METRICS), json,
                                              strlen(json), SIZE_MAX, &err, NULL);
  assert_non_null(r);
  Opentelemetry__Proto__Metrics__V1__HistogramDataPoint *p =
      r->resource_metrics[0]->scope_metrics[0]->metrics[0]->histogram->data_points[0];
  assert_true(p->has_sum);
  assert_true(p->sum == 0.0);
  assert_int_equal(p->n_bucket_counts, 3);
  cJSON *j = vw_pb_to_json(&r->base);
  char *s = cJSON_PrintUnformatted(j);
  assert_non_null(strstr(s, "\"sum\":0"));       /* present although zero */
  assert_non_null(strstr(s, "\"asDouble\":\"NaN\""));
  free(s);
  cJSON_Delete(j);
  roundtrip(&r->base);
  protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_json_roundtrip_logs(void **state) {
  (void)state;
  const char *json =
      "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"7\","
      "\"severityNumber\":17,\"severityText\":\"ERROR\",\"body\":{\"kvlistValue\":{\"values\":"
      "[{\"key\":\"a\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"x\"}]}}}]}},"
      "\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\"}]}]}]}";
  const char *err;
  ProtobufCMessage *r = vw_json_to_pb(vw_request_descriptor(VW_LOGS), json, strlen(json), SIZE_MAX, &err, NULL);
  assert_non_null(r);
  roundtrip(r);
  protobuf_c_message_free_unpacked(r, NULL);
}

static void test_json_decode_invalid_bodies_refused(void **state) {
  (void)state;
  static const struct { const char *json; const char *why; } cases[] = {
      {"", "empty"},
      {"[1,2]", "not an object"},
      {"{\"resourceSpans\":{}}", "object where an array is expected"},
      {"{\"resourceSpans\":[1]}", "number where a message is expected"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz1\"}]}]}]}", "bad hex"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"abc\"}]}]}]}", "odd hex"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"NOPE\"}]}]}]}", "bad enum"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"-1\"}]}]}]}", "negative fixed64"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":1.5}]}]}]}", "fraction"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":5}]}]}]}", "number for a string"},
      {"{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":"
       "{\"stringValue\":\"a\",\"intValue\":\"1\"}}]}}]}", "two oneof members"},
      {"{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"x\"}]}]}", "truncated"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *err = NULL;
    ProtobufCMessage *m = vw_json_to_pb(vw_request_descriptor(VW_TRACES), cases[i].json,
                                        strlen(cases[i].json), SIZE_MAX, &err, NULL);
    if (m) fail_msg("accepted invalid body (%s): %s", cases[i].why, cases[i].json);
    assert_non_null(err);
  }
}

static void test_histogram_quantile_table(void **state) {
  (void)state;
  static const double bounds[] = {1, 2, 4};
  static const struct { uint64_t counts[4]; double q, want; } cases[] = {
      {{0, 10, 0, 0}, 0.5, 1.5},   /* middle of (1,2] */
      {{10, 0, 0, 0}, 0.5, 1.0},   /* first bucket: its upper bound */
      {{0, 0, 0, 10}, 0.99, 4.0},  /* overflow bucket: last bound */
      {{5, 5, 0, 0}, 0.75, 1.5},
      {{0, 0, 10, 0}, 0.99, 3.98},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double got = vw_histogram_quantile(cases[i].counts, 4, bounds, 3, cases[i].q);
    if (fabs(got - cases[i].want) > 1e-9) fail_msg("case %zu: got %g want %g", i, got, cases[i].want);
  }
  uint64_t none[4] = {0};
  assert_true(isnan(vw_histogram_quantile(none, 4, bounds, 3, 0.5)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_json_decode_span_all_field_kinds),
      cmocka_unit_test(test_json_encode_follows_otlp_json_rules),
      cmocka_unit_test(test_json_roundtrip_traces),
      cmocka_unit_test(test_json_roundtrip_metrics_keeps_proto2_presence),
      cmocka_unit_test(test_json_roundtrip_logs),
      cmocka_unit_test(test_json_decode_invalid_bodies_refused),
      cmocka_unit_test(test_histogram_quantile_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
