/* test_env.c: the one reading of the OTEL_* settings (env.c, and what
 * otel_sdk_init in sdk.c makes of them), as a table:
 * each row is a variable, a value and what the SDK must make of it.
 * Enumerations are matched in any case; an unknown value falls back to the
 * default (and warns once); one bad value never turns telemetry off (with
 * OTEL_LOGS_EXPORTER=OTLP, otel_sdk_init used to fail and the service ran
 * with no telemetry at all). Also: the counts of otel_sdk_get_stats, and an
 * observable callback that calls get_meter (it used to run under the
 * provider's lock: a deadlock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "otel/sdk.h"
#include "internal.h"

static int warnings;
static void count_warnings(otel_diag_level_t level, const char *msg, void *ud) {
  (void)msg, (void)ud;
  if (level >= OTEL_DIAG_WARN) warnings++;
}

static const struct {
  const char *var, *value;
  otel__exporter_kind_t want;
  bool warns;
} exporter_rows[] = {
    {"OTEL_TRACES_EXPORTER", NULL, OTEL__EXPORTER_OTLP, false},
    {"OTEL_TRACES_EXPORTER", "otlp", OTEL__EXPORTER_OTLP, false},
    {"OTEL_TRACES_EXPORTER", "OTLP", OTEL__EXPORTER_OTLP, false},
    {"OTEL_TRACES_EXPORTER", " Console ", OTEL__EXPORTER_CONSOLE, false},
    {"OTEL_TRACES_EXPORTER", "none", OTEL__EXPORTER_NONE, false},
    {"OTEL_TRACES_EXPORTER", "zipkin", OTEL__EXPORTER_OTLP, true},
    {"OTEL_TRACES_EXPORTER", "prometheus", OTEL__EXPORTER_OTLP, true}, /* metrics only */
    {"OTEL_METRICS_EXPORTER", "Prometheus", OTEL__EXPORTER_PROMETHEUS, false},
    {"OTEL_METRICS_EXPORTER", "CONSOLE", OTEL__EXPORTER_CONSOLE, false},
    {"OTEL_METRICS_EXPORTER", "None", OTEL__EXPORTER_NONE, false},
    {"OTEL_METRICS_EXPORTER", "statsd", OTEL__EXPORTER_OTLP, true},
    {"OTEL_LOGS_EXPORTER", "OTLP", OTEL__EXPORTER_OTLP, false},
    {"OTEL_LOGS_EXPORTER", "console", OTEL__EXPORTER_CONSOLE, false},
    {"OTEL_LOGS_EXPORTER", "NONE", OTEL__EXPORTER_NONE, false},
    {"OTEL_LOGS_EXPORTER", "syslog", OTEL__EXPORTER_OTLP, true},
};

static void test_exporter_table(void **state) {
  (void)state;
  otel_set_error_handler(count_warnings, NULL);
  for (size_t i = 0; i < sizeof(exporter_rows) / sizeof(exporter_rows[0]); i++) {
    if (exporter_rows[i].value) setenv(exporter_rows[i].var, exporter_rows[i].value, 1);
    else unsetenv(exporter_rows[i].var);
    warnings = 0;
    otel__exporter_kind_t got = otel__env_exporter(exporter_rows[i].var);
    printf("    %s=%s -> %s\n", exporter_rows[i].var, exporter_rows[i].value ? exporter_rows[i].value : "(unset)",
           otel__exporter_name(got));
    assert_int_equal(got, exporter_rows[i].want);
    assert_int_equal(warnings > 0, exporter_rows[i].warns);
    warnings = 0;
    otel__env_exporter(exporter_rows[i].var); /* once per variable and value */
    assert_int_equal(warnings, 0);
    unsetenv(exporter_rows[i].var);
  }
  setenv("OTEL_SDK_DISABLED", "TRUE", 1); /* booleans: any case too */
  assert_int_equal(otel__env_exporter("OTEL_TRACES_EXPORTER"), OTEL__EXPORTER_NONE);
  unsetenv("OTEL_SDK_DISABLED");
  otel_set_error_handler(NULL, NULL);
}

static const struct {
  const char *value;
  bool want;
  bool warns;
} bool_rows[] = {{NULL, false, false},  {"true", true, false},  {"TRUE", true, false},
                 {"False", false, false}, {"yes", false, true}, {"1", false, true}};

static void test_bool_table(void **state) {
  (void)state;
  otel_set_error_handler(count_warnings, NULL);
  for (size_t i = 0; i < sizeof(bool_rows) / sizeof(bool_rows[0]); i++) {
    if (bool_rows[i].value) setenv("OTEL_SDK_DISABLED", bool_rows[i].value, 1);
    else unsetenv("OTEL_SDK_DISABLED");
    warnings = 0;
    assert_int_equal(otel__env_bool("OTEL_SDK_DISABLED", false), bool_rows[i].want);
    assert_int_equal(warnings > 0, bool_rows[i].warns);
  }
  unsetenv("OTEL_SDK_DISABLED");
  otel_set_error_handler(NULL, NULL);
}

static const struct {
  const char *value;
  int64_t want;
} int_rows[] = {{NULL, 5000}, {"250", 250}, {" 7 ", 7}, {"-1", 5000}, {"10ms", 5000}, {"", 5000}};

static void test_int_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(int_rows) / sizeof(int_rows[0]); i++) {
    if (int_rows[i].value) setenv("OTEL_BSP_SCHEDULE_DELAY", int_rows[i].value, 1);
    else unsetenv("OTEL_BSP_SCHEDULE_DELAY");
    assert_int_equal(otel__env_int("OTEL_BSP_SCHEDULE_DELAY", 5000), int_rows[i].want);
  }
  unsetenv("OTEL_BSP_SCHEDULE_DELAY");
}

/* One upper-case letter must not turn telemetry off. */
static void test_sdk_init_with_upper_case_exporters(void **state) {
  (void)state;
  setenv("OTEL_TRACES_EXPORTER", "NONE", 1);
  setenv("OTEL_METRICS_EXPORTER", "None", 1);
  setenv("OTEL_LOGS_EXPORTER", "Console", 1);
  otel_sdk_t *sdk;
  assert_int_equal(otel_sdk_init(NULL, &sdk), OTEL_OK);
  assert_non_null(otel_sdk_logger(sdk, "t", "1"));
  otel_sdk_shutdown(sdk, 1000);
  setenv("OTEL_LOGS_EXPORTER", "syslog", 1); /* unknown: warns, falls back to otlp */
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9", 1);
  assert_int_equal(otel_sdk_init(NULL, &sdk), OTEL_OK);
  assert_non_null(otel_sdk_logger(sdk, "t", "1"));
  otel_sdk_shutdown(sdk, 0);
  unsetenv("OTEL_TRACES_EXPORTER");
  unsetenv("OTEL_METRICS_EXPORTER");
  unsetenv("OTEL_LOGS_EXPORTER");
  unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
}

/* ---- a callback that gets a meter: not under the provider's lock --------------- */

static otel_meter_provider_t *callback_provider;
static int callback_calls;
static void callback_gets_meter(otel_observer_t *obs, void *ud) {
  (void)ud;
  assert_non_null(otel_meter_provider_get_meter(callback_provider, "from a callback", "1"));
  otel_observer_observe(obs, 1, NULL, 0);
  callback_calls++;
}
static otel_err_t ignore(void *ctx, const otel_metric_batch_t *b) {
  (void)ctx, (void)b;
  return OTEL_OK;
}
static const struct otel_metric_exporter_type ignore_type = {.name = "ignore", .export_metrics = ignore};

static void test_callback_may_get_a_meter(void **state) {
  (void)state;
  assert_int_equal(otel_meter_provider_create(NULL, &callback_provider), OTEL_OK);
  otel_instrument_t *in;
  assert_int_equal(otel_meter_create_observable(otel_meter_provider_get_meter(callback_provider, "m", "1"),
                                                OTEL_INSTRUMENT_OBSERVABLE_GAUGE, "g", "1", NULL,
                                                callback_gets_meter, NULL, &in),
                   OTEL_OK);
  otel_metric_exporter_t *e = otel_metric_exporter_create(&ignore_type, NULL);
  assert_int_equal(otel_meter_provider_collect(callback_provider, e), OTEL_OK); /* deadlocked */
  assert_int_equal(callback_calls, 1);
  otel_metric_exporter_destroy(e);
  otel_meter_provider_destroy(callback_provider);
}

/* ---- otel_sdk_get_stats ----------------------------------------------------------- */

static void test_sdk_stats_count_drops(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9", 1); /* nothing listens: fails */
  setenv("OTEL_BSP_MAX_QUEUE_SIZE", "16", 1);
  setenv("OTEL_METRICS_EXPORTER", "none", 1);
  setenv("OTEL_LOGS_EXPORTER", "none", 1);
  otel_sdk_t *sdk;
  assert_int_equal(otel_sdk_init(NULL, &sdk), OTEL_OK);
  otel_tracer_t *t = otel_sdk_tracer(sdk, "t", "1");
  for (int i = 0; i < 1000; i++) otel_span_end(otel_tracer_start_span(t, "s", NULL));
  otel_sdk_stats_t st;
  otel_sdk_get_stats(sdk, &st);
  printf("    traces: exported %llu failed %llu dropped %llu\n", (unsigned long long)st.traces.exported,
         (unsigned long long)st.traces.export_failed, (unsigned long long)st.traces.dropped);
  assert_true(st.traces.dropped >= 1000 - 16 - 16); /* at most the queue and a batch got through */
  assert_int_equal(st.traces.exported, 0);
  otel_sdk_shutdown(sdk, 200);
  unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  unsetenv("OTEL_BSP_MAX_QUEUE_SIZE");
  unsetenv("OTEL_METRICS_EXPORTER");
  unsetenv("OTEL_LOGS_EXPORTER");
}

/* ---- OTEL_BSP_EXPORT_TIMEOUT bounds an export ------------------------------------- */

static double ms_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A black hole (listens, never accepts): an export there fails only when
 * its timeout ends. With OTEL_BSP_EXPORT_TIMEOUT=300 that is after 300 ms,
 * not after the OTLP exporter's 10 s (the setting was read and never used). */
static void test_bsp_export_timeout_applied(void **state) {
  (void)state;
  int hole = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  assert_int_equal(bind(hole, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(hole, 16), 0);
  assert_int_equal(getsockname(hole, (struct sockaddr *)&a, &len), 0);
  char ep[64];
  snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", ntohs(a.sin_port));
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", ep, 1);
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", 1);
  setenv("OTEL_BSP_EXPORT_TIMEOUT", "300", 1);
  setenv("OTEL_BSP_SCHEDULE_DELAY", "10", 1);
  setenv("OTEL_METRICS_EXPORTER", "none", 1);
  setenv("OTEL_LOGS_EXPORTER", "none", 1);
  otel_sdk_t *sdk;
  assert_int_equal(otel_sdk_init(NULL, &sdk), OTEL_OK);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  otel_span_end(otel_tracer_start_span(otel_sdk_tracer(sdk, "t", "1"), "s", NULL));
  otel_sdk_stats_t st = {0};
  while (st.traces.export_failed == 0 && ms_since(&t0) < 8000) otel_sdk_get_stats(sdk, &st); /* bounded */
  double took = ms_since(&t0);
  printf("    OTEL_BSP_EXPORT_TIMEOUT=300: the export failed after %.0f ms\n", took);
  assert_int_equal(st.traces.export_failed, 1);
  assert_true(took < 3000); /* generous; the OTLP timeout alone is 10 s */
  otel_sdk_shutdown(sdk, 100);
  close(hole);
  const char *vars[] = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_BSP_EXPORT_TIMEOUT",
                        "OTEL_BSP_SCHEDULE_DELAY", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) unsetenv(vars[i]);
}

int main(void) {
  setenv("OTEL_LOG_LEVEL", "warn", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exporter_table),
      cmocka_unit_test(test_bool_table),
      cmocka_unit_test(test_int_table),
      cmocka_unit_test(test_sdk_init_with_upper_case_exporters),
      cmocka_unit_test(test_callback_may_get_a_meter),
      cmocka_unit_test(test_sdk_stats_count_drops),
      cmocka_unit_test(test_bsp_export_timeout_applied),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
