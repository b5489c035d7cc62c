/* test_error.c: the error table (error.c) and span context helpers
 * (span_context.c): every code has a distinct message and name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otel/span_context.h"

static void test_error_every_code_has_message_and_name(void **state) {
  (void)state;
  for (int e = 0; e < OTEL_ERR_MAX_; e++) {
    const char *msg = otel_strerror((otel_err_t)e);
    const char *name = otel_err_name((otel_err_t)e);
    assert_non_null(msg);
    assert_non_null(name);
    assert_string_not_equal(msg, "unknown error");
    assert_true(strncmp(name, "OTEL_", 5) == 0);
    for (int f = 0; f < e; f++) assert_string_not_equal(name, otel_err_name((otel_err_t)f));
  }
  assert_string_equal(otel_err_name(OTEL_EINVAL), "OTEL_EINVAL");
  assert_string_equal(otel_strerror(OTEL_ERR_MAX_), "unknown error");
  assert_string_equal(otel_strerror((otel_err_t)-7), "unknown error");
}

static void test_span_context_zero_ids_invalid(void **state) {
  (void)state;
  otel_span_context_t sc = {0};
  assert_false(otel_span_context_is_valid(&sc));
  assert_false(otel_span_context_is_valid(NULL));
  sc.trace_id[15] = 1;
  assert_false(otel_span_context_is_valid(&sc));
  sc.span_id[0] = 1;
  assert_true(otel_span_context_is_valid(&sc));
  assert_false(otel_span_context_is_sampled(&sc));
  sc.trace_flags = OTEL_TRACE_FLAG_SAMPLED;
  assert_true(otel_span_context_is_sampled(&sc));
}

static void test_span_context_hex_lowercase(void **state) {
  (void)state;
  uint8_t tid[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                     0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
  uint8_t sid[8] = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
  char th[33], sh[17];
  otel_trace_id_to_hex(tid, th);
  otel_span_id_to_hex(sid, sh);
  assert_string_equal(th, "4bf92f3577b34da6a3ce929d0e0e4736");
  assert_string_equal(sh, "00f067aa0ba902b7");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_error_every_code_has_message_and_name),
      cmocka_unit_test(test_span_context_zero_ids_invalid),
      cmocka_unit_test(test_span_context_hex_lowercase),
  };
  return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
