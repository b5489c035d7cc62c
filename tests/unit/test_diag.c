/* test_diag.c: self-diagnostics (diag.c): the default handler prints
 * "otel-lite <level>: <message>" on stderr, at most one line a second per
 * message kind, and says how many it suppressed; kinds are limited apart;
 * OTEL_LOG_LEVEL filters (and "none" silences); an installed handler gets
 * every message, unlimited; NULL restores the default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

static char captured[8192];

/* Runs the calls with stderr sent to a temporary file; returns its text. */
static const char *stderr_of(void (*calls)(void)) {
  fflush(stderr);
  FILE *tmp = tmpfile();
  assert_non_null(tmp);
  int saved = dup(2);
  dup2(fileno(tmp), 2);
  calls();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(tmp);
  size_t n = fread(captured, 1, sizeof captured - 1, tmp);
  captured[n] = '\0';
  fclose(tmp);
  return captured;
}

static int count(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

static int setup(void **state) {
  (void)state;
  unsetenv("OTEL_LOG_LEVEL");
  otel_set_error_handler(NULL, NULL); /* also forgets the rate-limit state */
  return 0;
}

static void burst(void) {
  for (int i = 0; i < 100; i++) otel__diag(OTEL_DIAG_WARN, "test_burst", "export failed %d", i);
  otel__diag(OTEL_DIAG_ERROR, "test_other", "another kind");
}

static void test_diag_default_handler_limits_each_kind(void **state) {
  (void)state;
  const char *out = stderr_of(burst);
  assert_int_equal(count(out, "otel-lite warn: export failed"), 1);
  assert_non_null(strstr(out, "otel-lite warn: export failed 0\n"));
  assert_non_null(strstr(out, "otel-lite error: another kind\n"));
}

static void after_the_window(void) {
  otel__diag(OTEL_DIAG_WARN, "test_window", "first");
  for (int i = 0; i < 9; i++) otel__diag(OTEL_DIAG_WARN, "test_window", "held back");
  /* a second later the next one is printed, with the count: wait for it
   * (bounded), calling once every 10 ms */
  struct timespec start, now, pause = {0, 10 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  long long suppressed_calls = 0;
  do {
    off_t before = lseek(2, 0, SEEK_CUR);
    otel__diag(OTEL_DIAG_WARN, "test_window", "later");
    fflush(stderr);
    if (lseek(2, 0, SEEK_CUR) != before) break;
    suppressed_calls++;
    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_MONOTONIC, &now);
  } while (now.tv_sec - start.tv_sec < 5);
  fprintf(stderr, "[%lld more]\n", suppressed_calls);
}

static void test_diag_suppressed_count_is_reported(void **state) {
  (void)state;
  const char *out = stderr_of(after_the_window);
  assert_non_null(strstr(out, "otel-lite warn: first\n"));
  long long more = -1;
  const char *tail = strstr(out, "[");
  assert_non_null(tail);
  assert_int_equal(sscanf(tail, "[%lld more]", &more), 1);
  char want[96];
  snprintf(want, sizeof want, "otel-lite warn: later (%lld similar messages suppressed)\n", 9 + more);
  assert_non_null(strstr(out, want));
  assert_int_equal(count(out, "otel-lite warn"), 2);
}

static void filtered(void) {
  setenv("OTEL_LOG_LEVEL", "error", 1);
  otel__diag(OTEL_DIAG_WARN, "test_level_w", "a warning");
  otel__diag(OTEL_DIAG_ERROR, "test_level_e", "an error");
  setenv("OTEL_LOG_LEVEL", "none", 1);
  otel__diag(OTEL_DIAG_ERROR, "test_level_n", "silenced");
  setenv("OTEL_LOG_LEVEL", "debug", 1);
  otel__diag(OTEL_DIAG_DEBUG, "test_level_d", "a detail");
  unsetenv("OTEL_LOG_LEVEL"); /* default info: no debug */
  otel__diag(OTEL_DIAG_DEBUG, "test_level_d2", "hidden detail");
}

static void test_diag_log_level_filters(void **state) {
  (void)state;
  const char *out = stderr_of(filtered);
  assert_null(strstr(out, "a warning"));
  assert_non_null(strstr(out, "otel-lite error: an error\n"));
  assert_null(strstr(out, "silenced"));
  assert_non_null(strstr(out, "otel-lite debug: a detail\n"));
  assert_null(strstr(out, "hidden detail"));
}

static int handled;
static char last[128];

static void handler(otel_diag_level_t level, const char *message, void *user_data) {
  assert_int_equal(level, OTEL_DIAG_WARN);
  assert_ptr_equal(user_data, &handled);
  snprintf(last, sizeof last, "%s", message);
  handled++;
}

static void through_handler(void) {
  otel_set_error_handler(handler, &handled);
  for (int i = 0; i < 50; i++) otel__diag(OTEL_DIAG_WARN, "test_handler", "call %d", i);
  otel_set_error_handler(NULL, NULL);
  otel__diag(OTEL_DIAG_WARN, "test_handler", "back to stderr");
}

static void test_diag_handler_gets_every_message(void **state) {
  (void)state;
  handled = 0;
  const char *out = stderr_of(through_handler);
  assert_int_equal(handled, 50);
  assert_string_equal(last, "call 49");
  assert_string_equal(out, "otel-lite warn: back to stderr\n");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_diag_default_handler_limits_each_kind, setup),
      cmocka_unit_test_setup(test_diag_suppressed_count_is_reported, setup),
      cmocka_unit_test_setup(test_diag_log_level_filters, setup),
      cmocka_unit_test_setup(test_diag_handler_gets_every_message, setup),
  };
  return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
