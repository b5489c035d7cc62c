/* test_logger_provider_env.c: the logs set-up from the environment
 * (logger_provider_env.c): OTEL_LOGS_EXPORTER=console writes each record
 * as a line on stdout through a simple processor, none and
 * OTEL_SDK_DISABLED=true give a provider whose records go nowhere, otlp
 * (the default) a batch processor that holds the record until a flush, and
 * an unusable OTLP endpoint leaves a working provider without logs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "logs_internal.h"

static char out[4096];

/* Makes a provider from the environment, logs one record and shuts it
 * down, with stdout sent to a temporary file; returns what was written. */
static char first_type[32];

static const char *log_one(size_t *processors) {
  fflush(stdout);
  FILE *tmp = tmpfile();
  int saved = dup(1);
  dup2(fileno(tmp), 1);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create_from_env(NULL, &lp), OTEL_OK);
  *processors = lp->n_processors;
  snprintf(first_type, sizeof first_type, "%s", lp->n_processors ? lp->processors[0]->type->name : "");
  otel_log_warn(otel_logger_provider_get_logger(lp, "env-test", NULL), "from the environment");
  otel_logger_provider_destroy(lp);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  rewind(tmp);
  size_t n = fread(out, 1, sizeof out - 1, tmp);
  out[n] = '\0';
  fclose(tmp);
  return out;
}

static void ignore(otel_diag_level_t l, const char *m, void *u) { (void)l, (void)m, (void)u; }

static int setup(void **state) {
  (void)state;
  unsetenv("OTEL_LOGS_EXPORTER");
  unsetenv("OTEL_SDK_DISABLED");
  unsetenv("OTEL_LOGS_MIRROR_STDERR");
  unsetenv("OTEL_EXPORTER_OTLP_ENDPOINT");
  unsetenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  otel_set_error_handler(ignore, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  otel_set_error_handler(NULL, NULL);
  return 0;
}

static void test_console_writes_the_record(void **state) {
  (void)state;
  setenv("OTEL_LOGS_EXPORTER", "console", 1);
  size_t n;
  const char *text = log_one(&n);
  assert_int_equal(n, 1);
  assert_string_equal(first_type, "simple");
  assert_non_null(strstr(text, "WARN"));
  assert_non_null(strstr(text, "from the environment\n"));
}

static void test_none_and_disabled_send_nowhere(void **state) {
  (void)state;
  size_t n;
  setenv("OTEL_LOGS_EXPORTER", "none", 1);
  assert_string_equal(log_one(&n), "");
  assert_int_equal(n, 0);
  setenv("OTEL_LOGS_EXPORTER", "console", 1);
  setenv("OTEL_SDK_DISABLED", "true", 1); /* beats the exporter choice */
  assert_string_equal(log_one(&n), "");
  assert_int_equal(n, 0);
}

static void test_otlp_is_the_default_with_a_batch_processor(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", 1); /* nothing there */
  setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "200", 1);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create_from_env(NULL, &lp), OTEL_OK);
  assert_int_equal(lp->n_processors, 1);
  assert_string_equal(lp->processors[0]->type->name, "batch");
  otel_logger_provider_destroy(lp);
  unsetenv("OTEL_EXPORTER_OTLP_TIMEOUT");
}

static void test_unusable_endpoint_leaves_a_provider_without_logs(void **state) {
  (void)state;
  setenv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "ftp://collector:4317", 1); /* no http(s) */
  size_t n;
  assert_string_equal(log_one(&n), "");
  assert_int_equal(n, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_console_writes_the_record),
      T(test_none_and_disabled_send_nowhere),
      T(test_otlp_is_the_default_with_a_batch_processor),
      T(test_unusable_endpoint_leaves_a_provider_without_logs),
  };
  return cmocka_run_group_tests_name("logger_provider_env", tests, NULL, NULL);
}
