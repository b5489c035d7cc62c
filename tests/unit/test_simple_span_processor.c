/* test_simple_span_processor.c: the simple processor
 * (simple_span_processor.c) with the memory and console exporters
 * (memory_span_exporter.c, console_span_exporter.c): each sampled span is
 * exported when it ends, on the ending thread, and counted; an unsampled
 * one is not; a failing exporter is counted in export_failed; the memory
 * exporter's count, get, find and reset; the console exporter's block is
 * the JSON of the Python SDK's ConsoleSpanExporter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "otel/trace.h"

static otel_tracer_provider_t *provider_with(otel_span_exporter_t *e, otel_sampler_t *sampler,
                                             otel_span_processor_t **proc) {
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.sampler = sampler;
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&o, &tp), OTEL_OK);
  assert_int_equal(otel_simple_span_processor_create(e, proc), OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(tp, *proc), OTEL_OK);
  return tp;
}

static void test_simple_exports_each_sampled_span_at_its_end(void **state) {
  (void)state;
  otel_span_exporter_t *mem = otel_memory_span_exporter_create();
  otel_span_processor_t *p;
  otel_tracer_provider_t *tp = provider_with(mem, otel_sampler_always_on(), &p);
  otel_tracer_t *tracer = otel_tracer_provider_get_tracer(tp, "test", NULL);
  otel_span_t *a = otel_tracer_start_span(tracer, "first", NULL);
  assert_int_equal(otel_memory_span_exporter_count(mem), 0);
  otel_span_end(a);
  assert_int_equal(otel_memory_span_exporter_count(mem), 1); /* at once */
  otel_span_end(otel_tracer_start_span(tracer, "second", NULL));
  assert_int_equal(otel_memory_span_exporter_count(mem), 2);
  assert_string_equal(otel_memory_span_exporter_get(mem, 0)->name, "first");
  assert_null(otel_memory_span_exporter_get(mem, 2));
  assert_string_equal(otel_memory_span_exporter_find(mem, "second")->name, "second");
  assert_null(otel_memory_span_exporter_find(mem, "third"));
  otel_span_processor_stats_t s;
  otel_span_processor_get_stats(p, &s);
  assert_int_equal(s.queued, 2);
  assert_int_equal(s.exported, 2);
  assert_int_equal(s.export_failed, 0);
  otel_memory_span_exporter_reset(mem);
  assert_int_equal(otel_memory_span_exporter_count(mem), 0);
  otel_tracer_provider_destroy(tp);
}

static otel_sampling_decision_t record_only(void *user_data, const otel_span_context_t *parent,
                                            const uint8_t trace_id[16], const char *name,
                                            otel_span_kind_t kind, const otel_attr_t *attrs,
                                            size_t n) {
  (void)user_data, (void)parent, (void)trace_id, (void)name, (void)kind, (void)attrs, (void)n;
  return OTEL_SAMPLING_RECORD_ONLY;
}

static void test_simple_skips_unsampled_spans(void **state) {
  (void)state;
  otel_span_exporter_t *mem = otel_memory_span_exporter_create();
  otel_span_processor_t *p;
  /* recorded (so the processor sees it end) but not sampled: not exported */
  otel_tracer_provider_t *tp =
      provider_with(mem, otel_sampler_custom(record_only, NULL, "RecordOnly"), &p);
  otel_span_t *span = otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "t", NULL), "x", NULL);
  assert_true(otel_span_is_recording(span));
  otel_span_end(span);
  assert_int_equal(otel_memory_span_exporter_count(mem), 0);
  otel_span_processor_stats_t s;
  otel_span_processor_get_stats(p, &s);
  assert_int_equal(s.queued, 0);
  otel_tracer_provider_destroy(tp);
}

static otel_err_t failing_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  (void)spans;
  *(size_t *)ctx += n;
  return OTEL_EEXPORT;
}

static const struct otel_span_exporter_type failing_type = {.name = "failing",
                                                            .export_spans = failing_export};

static void ignore(otel_diag_level_t level, const char *message, void *user_data) {
  (void)level;
  (void)message;
  (void)user_data;
}

static void test_simple_counts_failed_exports(void **state) {
  (void)state;
  size_t calls = 0;
  otel_set_error_handler(ignore, NULL);
  otel_span_processor_t *p;
  otel_tracer_provider_t *tp =
      provider_with(otel_span_exporter_create(&failing_type, &calls), otel_sampler_always_on(), &p);
  otel_tracer_t *tracer = otel_tracer_provider_get_tracer(tp, "t", NULL);
  for (int i = 0; i < 3; i++) otel_span_end(otel_tracer_start_span(tracer, "x", NULL));
  otel_span_processor_stats_t s;
  otel_span_processor_get_stats(p, &s);
  assert_int_equal(calls, 3);
  assert_int_equal(s.queued, 3);
  assert_int_equal(s.exported, 0);
  assert_int_equal(s.export_failed, 3);
  otel_tracer_provider_destroy(tp);
  otel_set_error_handler(NULL, NULL);
}

static void test_console_writes_the_python_layout(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  otel_span_processor_t *p;
  otel_tracer_provider_t *tp =
      provider_with(otel_console_span_exporter_create(out), otel_sampler_always_on(), &p);
  otel_span_t *span = otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "t", NULL),
                                             "calculating-iss-distance", NULL);
  otel_span_set_attribute_str(span, "iss.position", "51.5,-0.1");
  otel_span_set_attribute_int(span, "n", 3);
  otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, "no fix");
  otel_span_end(span);
  fflush(out);
  cJSON *j = cJSON_Parse(text);
  assert_non_null(j);
  assert_string_equal(cJSON_GetObjectItem(j, "name")->valuestring, "calculating-iss-distance");
  assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "SpanKind.INTERNAL");
  assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "parent_id")));
  cJSON *ctx = cJSON_GetObjectItem(j, "context");
  assert_int_equal(strlen(cJSON_GetObjectItem(ctx, "trace_id")->valuestring), 2 + 32); /* 0x... */
  assert_int_equal(strlen(cJSON_GetObjectItem(ctx, "span_id")->valuestring), 2 + 16);
  cJSON *attrs = cJSON_GetObjectItem(j, "attributes");
  assert_string_equal(cJSON_GetObjectItem(attrs, "iss.position")->valuestring, "51.5,-0.1");
  assert_int_equal(cJSON_GetObjectItem(attrs, "n")->valueint, 3);
  cJSON *status = cJSON_GetObjectItem(j, "status");
  assert_string_equal(cJSON_GetObjectItem(status, "status_code")->valuestring, "ERROR");
  assert_string_equal(cJSON_GetObjectItem(status, "description")->valuestring, "no fix");
  cJSON *res = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "resource"), "attributes");
  assert_string_equal(cJSON_GetObjectItem(res, "telemetry.sdk.name")->valuestring, "libotel-lite");
  cJSON_Delete(j);
  otel_tracer_provider_destroy(tp);
  fclose(out);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_simple_exports_each_sampled_span_at_its_end),
      cmocka_unit_test(test_simple_skips_unsampled_spans),
      cmocka_unit_test(test_simple_counts_failed_exports),
      cmocka_unit_test(test_console_writes_the_python_layout),
  };
  return cmocka_run_group_tests_name("simple_span_processor", tests, NULL, NULL);
}
