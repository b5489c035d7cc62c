/* test_env_settings.c: what each OTEL_* variable the SDK reads does, as
 * tables of variable, value and the setting that must come of it, through
 * the public options functions. Enumerations in any case; a bad value
 * gives the specification's default (and one warning), never an error.
 * The exporter choice and the booleans and integers of env.c are in
 * test_env.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/exporter_otlp.h"
#include "otel/logs.h"
#include "otel/metrics.h"
#include "otel/propagation.h"
#include "otel/trace.h"

static void set(const char *var, const char *value) {
  if (value) setenv(var, value, 1);
  else unsetenv(var);
}

/* ---- OTLP exporter ------------------------------------------------------------- */

static const struct {
  const char *var, *value;
  otel_signal_t signal;
  otel_otlp_protocol_t protocol;
  const char *endpoint;
} otlp_rows[] = {
    {NULL, NULL, OTEL_SIGNAL_TRACES, OTEL_OTLP_PROTOCOL_GRPC, "http://localhost:4317"},
    {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", OTEL_SIGNAL_TRACES, OTEL_OTLP_PROTOCOL_GRPC, "http://localhost:4317"},
    {"OTEL_EXPORTER_OTLP_PROTOCOL", "GRPC", OTEL_SIGNAL_TRACES, OTEL_OTLP_PROTOCOL_GRPC, "http://localhost:4317"},
    {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", OTEL_SIGNAL_TRACES, OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF,
     "http://localhost:4318/v1/traces"},
    {"OTEL_EXPORTER_OTLP_PROTOCOL", "HTTP/Protobuf", OTEL_SIGNAL_LOGS, OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF,
     "http://localhost:4318/v1/logs"},
    {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", OTEL_SIGNAL_TRACES, OTEL_OTLP_PROTOCOL_GRPC,
     "http://localhost:4317"}, /* not supported: the default */
    {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf", OTEL_SIGNAL_METRICS,
     OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF, "http://localhost:4318/v1/metrics"},
    {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf", OTEL_SIGNAL_TRACES, OTEL_OTLP_PROTOCOL_GRPC,
     "http://localhost:4317"}, /* another signal's variable */
};

static void test_otlp_protocol_and_endpoint(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(otlp_rows) / sizeof(otlp_rows[0]); i++) {
    if (otlp_rows[i].var) set(otlp_rows[i].var, otlp_rows[i].value);
    otel_otlp_options_t o;
    otel_otlp_options_init(&o, otlp_rows[i].signal);
    assert_int_equal(o.protocol, otlp_rows[i].protocol);
    assert_string_equal(o.endpoint, otlp_rows[i].endpoint);
    if (otlp_rows[i].var) unsetenv(otlp_rows[i].var);
  }
  /* the generic endpoint gets the signal's path over HTTP; the per-signal one is used as is */
  set("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
  set("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/");
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_METRICS);
  assert_string_equal(o.endpoint, "http://collector:4318/v1/metrics");
  set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:9999/custom");
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_string_equal(o.endpoint, "http://other:9999/custom");
  unsetenv("OTEL_EXPORTER_OTLP_PROTOCOL");
  unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  unsetenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
}

static const struct {
  const char *timeout, *compression;
  uint32_t timeout_ms;
  bool gzip;
} otlp_misc_rows[] = {
    {NULL, NULL, 10000, false},   {"250", "gzip", 250, true}, {"2000", "GZIP", 2000, true},
    {"0", "none", 10000, false},  {"ten", "brotli", 10000, false},
};

static void test_otlp_timeout_and_compression(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(otlp_misc_rows) / sizeof(otlp_misc_rows[0]); i++) {
    set("OTEL_EXPORTER_OTLP_TIMEOUT", otlp_misc_rows[i].timeout);
    set("OTEL_EXPORTER_OTLP_COMPRESSION", otlp_misc_rows[i].compression);
    otel_otlp_options_t o;
    otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
    assert_int_equal(o.timeout_ms, otlp_misc_rows[i].timeout_ms);
    assert_int_equal(o.gzip, otlp_misc_rows[i].gzip);
  }
  set("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "333"); /* the signal's own wins */
  set("OTEL_EXPORTER_OTLP_TIMEOUT", "444");
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
  assert_int_equal(o.timeout_ms, 333);
  set("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%20ecret, tenant = blue");
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.header_count, 2);
  assert_string_equal(o.headers[0].key, "api-key");
  assert_string_equal(o.headers[0].value, "s ecret");
  assert_string_equal(o.headers[1].key, "tenant");
  assert_string_equal(o.headers[1].value, "blue");
  unsetenv("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT");
  unsetenv("OTEL_EXPORTER_OTLP_TIMEOUT");
  unsetenv("OTEL_EXPORTER_OTLP_HEADERS");
  unsetenv("OTEL_EXPORTER_OTLP_COMPRESSION");
}

/* ---- processors ------------------------------------------------------------------- */

static const struct {
  const char *value;
  uint32_t delay, queue, batch, timeout;
} bsp_rows[] = {
    {NULL, 5000, 2048, 512, 30000},
    {"100", 100, 100, 100, 100},
    {"bad", 5000, 2048, 512, 30000},
    {"-5", 5000, 2048, 512, 30000},
};

static void test_batch_span_processor_settings(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(bsp_rows) / sizeof(bsp_rows[0]); i++) {
    set("OTEL_BSP_SCHEDULE_DELAY", bsp_rows[i].value);
    set("OTEL_BSP_MAX_QUEUE_SIZE", bsp_rows[i].value);
    set("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", bsp_rows[i].value);
    set("OTEL_BSP_EXPORT_TIMEOUT", bsp_rows[i].value);
    otel_batch_span_processor_options_t o;
    otel_batch_span_processor_options_init(&o);
    assert_int_equal(o.schedule_delay_ms, bsp_rows[i].delay);
    assert_int_equal(o.max_queue_size, bsp_rows[i].queue);
    assert_int_equal(o.max_export_batch_size, bsp_rows[i].batch);
    assert_int_equal(o.export_timeout_ms, bsp_rows[i].timeout);
  }
  unsetenv("OTEL_BSP_SCHEDULE_DELAY");
  unsetenv("OTEL_BSP_MAX_QUEUE_SIZE");
  unsetenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE");
  unsetenv("OTEL_BSP_EXPORT_TIMEOUT");
}

static void test_batch_log_processor_settings(void **state) {
  (void)state;
  const struct {
    const char *value;
    uint32_t delay, timeout;
    size_t queue, batch;
  } rows[] = {{NULL, 1000, 30000, 2048, 512}, {"64", 64, 64, 64, 64}, {"x", 1000, 30000, 2048, 512}};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    set("OTEL_BLRP_SCHEDULE_DELAY", rows[i].value);
    set("OTEL_BLRP_MAX_QUEUE_SIZE", rows[i].value);
    set("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", rows[i].value);
    set("OTEL_BLRP_EXPORT_TIMEOUT", rows[i].value);
    otel_batch_log_processor_options_t o;
    otel_batch_log_processor_options_init(&o);
    assert_int_equal(o.schedule_delay_ms, rows[i].delay);
    assert_int_equal(o.max_queue_size, rows[i].queue);
    assert_int_equal(o.max_export_batch_size, rows[i].batch);
    assert_int_equal(o.export_timeout_ms, rows[i].timeout);
  }
  unsetenv("OTEL_BLRP_SCHEDULE_DELAY");
  unsetenv("OTEL_BLRP_MAX_QUEUE_SIZE");
  unsetenv("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE");
  unsetenv("OTEL_BLRP_EXPORT_TIMEOUT");
}

/* ---- metrics ------------------------------------------------------------------------ */

static void test_meter_provider_settings(void **state) {
  (void)state;
  const struct {
    const char *interval, *timeout, *temporality;
    uint32_t interval_ms, timeout_ms;
    otel_temporality_preference_t pref;
  } rows[] = {
      {NULL, NULL, NULL, 60000, 30000, OTEL_TEMPORALITY_PREFER_CUMULATIVE},
      {"500", "200", "delta", 500, 200, OTEL_TEMPORALITY_PREFER_DELTA},
      {"1000", "100", "DELTA", 1000, 100, OTEL_TEMPORALITY_PREFER_DELTA},
      {"0", "0", "LowMemory", 60000, 30000, OTEL_TEMPORALITY_PREFER_LOWMEMORY},
      {"soon", "-1", "sometimes", 60000, 30000, OTEL_TEMPORALITY_PREFER_CUMULATIVE},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    set("OTEL_METRIC_EXPORT_INTERVAL", rows[i].interval);
    set("OTEL_METRIC_EXPORT_TIMEOUT", rows[i].timeout);
    set("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", rows[i].temporality);
    otel_meter_provider_options_t o;
    otel_meter_provider_options_init(&o);
    assert_int_equal(o.export_interval_ms, rows[i].interval_ms);
    assert_int_equal(o.export_timeout_ms, rows[i].timeout_ms);
    assert_int_equal(o.temporality, rows[i].pref);
  }
  unsetenv("OTEL_METRIC_EXPORT_INTERVAL");
  unsetenv("OTEL_METRIC_EXPORT_TIMEOUT");
  unsetenv("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE");
}

/* ---- traces: limits, sampler, propagators ---------------------------------------- */

static void test_span_limits(void **state) {
  (void)state;
  otel_span_limits_t l;
  otel_span_limits_init(&l);
  assert_int_equal(l.attribute_count, 128);
  assert_int_equal(l.attribute_value_length, 0);
  set("OTEL_ATTRIBUTE_COUNT_LIMIT", "10"); /* general */
  set("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64");
  set("OTEL_SPAN_EVENT_COUNT_LIMIT", "3");
  set("OTEL_SPAN_LINK_COUNT_LIMIT", "4");
  set("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "5");
  set("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "6");
  otel_span_limits_init(&l);
  assert_int_equal(l.attribute_count, 10);
  assert_int_equal(l.attribute_value_length, 64);
  assert_int_equal(l.event_count, 3);
  assert_int_equal(l.link_count, 4);
  assert_int_equal(l.event_attribute_count, 5);
  assert_int_equal(l.link_attribute_count, 6);
  set("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "20"); /* the span's own wins */
  set("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "bad"); /* bad: the general one stays */
  otel_span_limits_init(&l);
  assert_int_equal(l.attribute_count, 20);
  assert_int_equal(l.attribute_value_length, 64);
  const char *vars[] = {"OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                        "OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT",
                        "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
                        "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) unsetenv(vars[i]);
}

static void test_sampler_table(void **state) {
  (void)state;
  const struct {
    const char *value, *arg, *description;
  } rows[] = {
      {NULL, NULL, "ParentBased{root=AlwaysOnSampler}"},
      {"always_on", NULL, "AlwaysOnSampler"},
      {"ALWAYS_OFF", NULL, "AlwaysOffSampler"},
      {"TraceIdRatio", "0.25", "TraceIdRatioBased{0.250000}"},
      {"traceidratio", "7", "TraceIdRatioBased{1.000000}"}, /* out of [0, 1]: 1.0 */
      {"parentbased_always_off", NULL, "ParentBased{root=AlwaysOffSampler}"},
      {"parentbased_traceidratio", "0.5", "ParentBased{root=TraceIdRatioBased{0.500000}}"},
      {"sometimes", NULL, "ParentBased{root=AlwaysOnSampler}"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    set("OTEL_TRACES_SAMPLER", rows[i].value);
    set("OTEL_TRACES_SAMPLER_ARG", rows[i].arg);
    otel_sampler_t *s = otel_sampler_from_env();
    printf("    OTEL_TRACES_SAMPLER=%s -> %s\n", rows[i].value ? rows[i].value : "(unset)",
           otel_sampler_description(s));
    assert_string_equal(otel_sampler_description(s), rows[i].description);
    otel_sampler_destroy(s);
  }
  unsetenv("OTEL_TRACES_SAMPLER");
  unsetenv("OTEL_TRACES_SAMPLER_ARG");
}

static bool has_field(const otel_propagator_t *p, const char *name) {
  for (const char *const *f = otel_propagator_fields(p); f && *f; f++)
    if (!strcmp(*f, name)) return true;
  return false;
}

static void test_propagators_table(void **state) {
  (void)state;
  const struct {
    const char *value;
    bool traceparent, baggage;
  } rows[] = {{NULL, true, true},           {"tracecontext", true, false}, {"Baggage", false, true},
              {"none", false, false},       {"b3, tracecontext", true, false},
              {" TraceContext , baggage ", true, true}};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    set("OTEL_PROPAGATORS", rows[i].value);
    otel_propagator_t *p = otel_propagator_from_env();
    assert_int_equal(has_field(p, "traceparent"), rows[i].traceparent);
    assert_int_equal(has_field(p, "baggage"), rows[i].baggage);
    otel_propagator_destroy(p);
  }
  unsetenv("OTEL_PROPAGATORS");
}

/* ---- logs and self-diagnostics --------------------------------------------------------- */

static void test_logger_provider_settings(void **state) {
  (void)state;
  const struct {
    const char *severity, *mirror;
    otel_severity_t min;
    bool mirrored;
  } rows[] = {{NULL, NULL, OTEL_SEVERITY_INFO, false},
              {"warn", "true", OTEL_SEVERITY_WARN, true},
              {"ERROR", "TRUE", OTEL_SEVERITY_ERROR, true},
              {"loud", "yes", OTEL_SEVERITY_INFO, false}};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    set("OTEL_LOGS_MIN_SEVERITY", rows[i].severity);
    set("OTEL_LOGS_MIRROR_STDERR", rows[i].mirror);
    otel_logger_provider_options_t o;
    otel_logger_provider_options_init(&o);
    assert_int_equal(o.min_severity, rows[i].min);
    assert_int_equal(o.mirror_stderr, rows[i].mirrored);
  }
  unsetenv("OTEL_LOGS_MIN_SEVERITY");
  unsetenv("OTEL_LOGS_MIRROR_STDERR");
}

static int seen;
static void count(otel_diag_level_t level, const char *msg, void *ud) {
  (void)level, (void)msg, (void)ud;
  seen++;
}

/* OTEL_LOG_LEVEL filters what reaches the error handler. A warning is made
 * by reading a bad boolean (a new value each time: warnings come once). */
static void test_log_level_table(void **state) {
  (void)state;
  const struct {
    const char *value;
    bool warning_shown;
  } rows[] = {{NULL, true},    {"debug", true}, {"WARN", true},   {"warning", true},
              {"error", false}, {"None", false}, {"off", false},  {"chatty", true}};
  otel_set_error_handler(count, NULL);
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    set("OTEL_LOG_LEVEL", rows[i].value);
    char bad[32];
    snprintf(bad, sizeof(bad), "maybe-%zu", i);
    setenv("OTEL_LOGS_MIRROR_STDERR", bad, 1);
    seen = 0;
    otel_logger_provider_options_t o;
    otel_logger_provider_options_init(&o);
    /* "chatty" is unknown: info, plus its own warning */
    assert_int_equal(seen > 0, rows[i].warning_shown);
  }
  otel_set_error_handler(NULL, NULL);
  unsetenv("OTEL_LOG_LEVEL");
  unsetenv("OTEL_LOGS_MIRROR_STDERR");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_otlp_protocol_and_endpoint),
      cmocka_unit_test(test_otlp_timeout_and_compression),
      cmocka_unit_test(test_batch_span_processor_settings),
      cmocka_unit_test(test_batch_log_processor_settings),
      cmocka_unit_test(test_meter_provider_settings),
      cmocka_unit_test(test_span_limits),
      cmocka_unit_test(test_sampler_table),
      cmocka_unit_test(test_propagators_table),
      cmocka_unit_test(test_logger_provider_settings),
      cmocka_unit_test(test_log_level_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
