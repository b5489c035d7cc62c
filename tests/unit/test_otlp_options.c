/* test_otlp_options.c: the OTLP exporter options (otlp_options.c,
 * exporter_otlp.h) as the specification's "OTLP Exporter Configuration"
 * defines them: the defaults of each protocol and signal; the generic
 * OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/<signal> appended for HTTP, the
 * per-signal one is used as is, and every per-signal variable beats its
 * generic one; OTEL_EXPORTER_OTLP_HEADERS is percent-decoded, keys
 * lower-cased, malformed entries skipped with a warning, at most
 * OTEL_OTLP_MAX_HEADERS kept; an invalid protocol, timeout or compression
 * is reported and the default kept. Each test starts from an environment
 * without any OTEL_ variable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/exporter_otlp.h"

extern char **environ;

/* The warnings reported through the error handler, one per line. */
static char warnings[4096];
static int warning_count;

static void collect(otel_diag_level_t level, const char *message, void *user_data) {
  (void)user_data;
  if (level < OTEL_DIAG_WARN) return;
  size_t used = strlen(warnings);
  snprintf(warnings + used, sizeof warnings - used, "%s\n", message);
  warning_count++;
}

static int clean_environment(void **state) {
  (void)state;
  for (;;) { /* unsetenv changes environ: start over after each */
    char **e = environ;
    while (*e && strncmp(*e, "OTEL_", 5)) e++;
    if (!*e) break;
    char name[256];
    size_t n = strcspn(*e, "=");
    snprintf(name, sizeof name, "%.*s", (int)n, *e);
    unsetenv(name);
  }
  warnings[0] = '\0';
  warning_count = 0;
  otel_set_error_handler(collect, NULL);
  return 0;
}

static int restore_handler(void **state) {
  (void)state;
  otel_set_error_handler(NULL, NULL);
  return 0;
}

static void test_options_defaults_are_the_specification_ones(void **state) {
  (void)state;
  otel_otlp_options_t o;
  memset(&o, 0xff, sizeof o); /* init must set every field */
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.signal, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.protocol, OTEL_OTLP_PROTOCOL_GRPC);
  assert_string_equal(o.endpoint, "http://localhost:4317");
  assert_int_equal(o.header_count, 0);
  assert_int_equal(o.timeout_ms, 10000);
  assert_false(o.gzip);
  assert_int_equal(o.retry_initial_backoff_ms, 1000);
  assert_int_equal(o.retry_max_backoff_ms, 5000);
  otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
  assert_int_equal(o.signal, OTEL_SIGNAL_LOGS);
  assert_string_equal(o.endpoint, "http://localhost:4317"); /* gRPC: one endpoint */
  assert_int_equal(warning_count, 0);
}

static void test_options_http_defaults_have_the_signal_path(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", 1);
  const struct { otel_signal_t s; const char *want; } cases[] = {
      {OTEL_SIGNAL_TRACES, "http://localhost:4318/v1/traces"},
      {OTEL_SIGNAL_METRICS, "http://localhost:4318/v1/metrics"},
      {OTEL_SIGNAL_LOGS, "http://localhost:4318/v1/logs"}};
  for (size_t i = 0; i < 3; i++) {
    otel_otlp_options_t o;
    otel_otlp_options_init(&o, cases[i].s);
    assert_int_equal(o.protocol, OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF);
    assert_string_equal(o.endpoint, cases[i].want);
  }
}

static void test_options_generic_endpoint_gets_the_signal_path_for_http(void **state) {
  (void)state;
  otel_otlp_options_t o;
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", 1);
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", 1);
  otel_otlp_options_init(&o, OTEL_SIGNAL_METRICS);
  assert_string_equal(o.endpoint, "http://collector:4318/v1/metrics");
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base/", 1);
  otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
  assert_string_equal(o.endpoint, "http://collector:4318/base/v1/logs");
  /* gRPC: the endpoint as given */
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", 1);
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", 1);
  otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
  assert_string_equal(o.endpoint, "http://collector:4317");
}

static void test_options_per_signal_variables_win(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318", 1);
  setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom/path", 1);
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", 1);
  setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf", 1);
  setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "2000", 1);
  setenv("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "3000", 1);
  setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "none", 1);
  setenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip", 1);
  setenv("OTEL_EXPORTER_OTLP_HEADERS", "who=generic", 1);
  setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "who=traces", 1);
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.protocol, OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF);
  assert_string_equal(o.endpoint, "http://traces:9999/custom/path"); /* as is */
  assert_int_equal(o.timeout_ms, 3000);
  assert_true(o.gzip);
  assert_int_equal(o.header_count, 1);
  assert_string_equal(o.headers[0].value, "traces");
  /* the other signals see only the generic ones */
  otel_otlp_options_init(&o, OTEL_SIGNAL_METRICS);
  assert_int_equal(o.protocol, OTEL_OTLP_PROTOCOL_GRPC);
  assert_string_equal(o.endpoint, "http://generic:4318");
  assert_int_equal(o.timeout_ms, 2000);
  assert_false(o.gzip);
  assert_string_equal(o.headers[0].value, "generic");
  assert_int_equal(warning_count, 0);
}

static void test_options_headers_are_decoded_and_lower_cased(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_HEADERS",
         " Api-Key = secret%20value , x-tenant=a%2Cb,,  ,Empty=,=novalue,bad=%zz,k2=v=with=equals", 1);
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_LOGS);
  assert_int_equal(o.header_count, 3);
  assert_string_equal(o.headers[0].key, "api-key");
  assert_string_equal(o.headers[0].value, "secret value");
  assert_string_equal(o.headers[1].key, "x-tenant");
  assert_string_equal(o.headers[1].value, "a,b"); /* %2C is not a separator */
  assert_string_equal(o.headers[2].key, "k2");
  assert_string_equal(o.headers[2].value, "v=with=equals");
  /* "Empty=", "=novalue" and "bad=%zz" are malformed; blank entries are not.
   * The message names the entry up to its '=', never its value (often a
   * credential). */
  assert_int_equal(warning_count, 3);
  assert_non_null(strstr(warnings, "\"bad=...\"")); /* the value is never printed */
  assert_null(strstr(warnings, "%zz"));
  assert_non_null(strstr(warnings, "\"Empty=...\""));
}

static void test_options_at_most_max_headers_are_kept(void **state) {
  (void)state;
  char list[1024] = "";
  for (int i = 0; i < OTEL_OTLP_MAX_HEADERS + 4; i++) {
    size_t used = strlen(list);
    snprintf(list + used, sizeof list - used, "%sh%d=%d", i ? "," : "", i, i);
  }
  setenv("OTEL_EXPORTER_OTLP_HEADERS", list, 1);
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.header_count, OTEL_OTLP_MAX_HEADERS);
  assert_string_equal(o.headers[OTEL_OTLP_MAX_HEADERS - 1].key, "h15");
  assert_int_equal(warning_count, 1);
  assert_non_null(strstr(warnings, "more than 16 headers"));
}

static void test_options_header_too_long_is_skipped(void **state) {
  (void)state;
  char list[600];
  memset(list, 'v', sizeof list);
  memcpy(list, "ok=1,long=", 10);
  list[sizeof list - 1] = '\0'; /* a 589-byte value: over the 255 kept */
  setenv("OTEL_EXPORTER_OTLP_HEADERS", list, 1);
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.header_count, 1);
  assert_string_equal(o.headers[0].key, "ok");
  assert_int_equal(warning_count, 1);
}

static void test_options_invalid_values_are_reported_and_ignored(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", 1);
  setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "10s", 1);
  setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli", 1);
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.protocol, OTEL_OTLP_PROTOCOL_GRPC);
  assert_int_equal(o.timeout_ms, 10000);
  assert_false(o.gzip);
  assert_int_equal(warning_count, 3);
  assert_non_null(strstr(warnings, "http/json"));
  assert_non_null(strstr(warnings, "\"10s\""));
  assert_non_null(strstr(warnings, "brotli"));
  const char *bad_timeouts[] = {"0", "-5", "3600001", "12abc"};
  for (size_t i = 0; i < 4; i++) {
    setenv("OTEL_EXPORTER_OTLP_TIMEOUT", bad_timeouts[i], 1);
    otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
    assert_int_equal(o.timeout_ms, 10000);
  }
  setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "3600000", 1); /* one hour: the largest */
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.timeout_ms, 3600000);
}

static void test_options_values_are_case_insensitive_and_blank_is_unset(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "HTTP/Protobuf", 1);
  setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP", 1);
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "   ", 1); /* blank: as if unset */
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, OTEL_SIGNAL_TRACES);
  assert_int_equal(o.protocol, OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF);
  assert_true(o.gzip);
  assert_string_equal(o.endpoint, "http://localhost:4318/v1/traces");
  assert_int_equal(warning_count, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, clean_environment, restore_handler)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_options_defaults_are_the_specification_ones),
      T(test_options_http_defaults_have_the_signal_path),
      T(test_options_generic_endpoint_gets_the_signal_path_for_http),
      T(test_options_per_signal_variables_win),
      T(test_options_headers_are_decoded_and_lower_cased),
      T(test_options_at_most_max_headers_are_kept),
      T(test_options_header_too_long_is_skipped),
      T(test_options_invalid_values_are_reported_and_ignored),
      T(test_options_values_are_case_insensitive_and_blank_is_unset),
  };
  return cmocka_run_group_tests_name("otlp_options", tests, NULL, NULL);
}
