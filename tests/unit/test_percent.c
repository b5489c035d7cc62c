/* test_percent.c: percent-decoding (percent.c), the one decoder behind
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS and the baggage
 * header: escapes in either case, '+' kept, a '%' without two hex digits
 * or an output that does not fit is an error, the output is always
 * NUL-terminated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static ptrdiff_t decode(const char *in, char *out, size_t cap) {
  return otel__percent_decode(in, in + strlen(in), out, cap);
}

static void test_percent_decodes_escapes_in_either_case(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(decode("a%20b%2cc%2Cd", out, sizeof out), 7);
  assert_string_equal(out, "a b,c,d");
  assert_int_equal(decode("%e2%82%AC", out, sizeof out), 3);
  assert_string_equal(out, "\xe2\x82\xac");
  assert_int_equal(decode("1+1=2", out, sizeof out), 5); /* not form encoding */
  assert_string_equal(out, "1+1=2");
  assert_int_equal(decode("", out, sizeof out), 0);
  assert_string_equal(out, "");
  /* a decoded NUL is kept in the length */
  assert_int_equal(decode("x%00y", out, sizeof out), 3);
  assert_memory_equal(out, "x\0y", 4);
}

static void test_percent_bad_escapes_are_errors(void **state) {
  (void)state;
  char out[64];
  const char *bad[] = {"%", "%2", "ab%", "%zz", "%2g", "%g2", "100%"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(decode(bad[i], out, sizeof out), -1);
}

static void test_percent_output_must_fit_with_its_nul(void **state) {
  (void)state;
  char out[4];
  assert_int_equal(decode("abc", out, 4), 3);
  assert_string_equal(out, "abc");
  assert_int_equal(decode("abcd", out, 4), -1);
  assert_int_equal(decode("%41%42%43", out, 4), 3); /* 9 bytes in, 3 out */
  assert_string_equal(out, "ABC");
  assert_int_equal(decode("", out, 0), -1);
  /* only [b, e) is read */
  const char *s = "ab%2";
  assert_int_equal(otel__percent_decode(s, s + 2, out, sizeof out), 2);
  assert_string_equal(out, "ab");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_percent_decodes_escapes_in_either_case),
      cmocka_unit_test(test_percent_bad_escapes_are_errors),
      cmocka_unit_test(test_percent_output_must_fit_with_its_nul),
  };
  return cmocka_run_group_tests_name("percent", tests, NULL, NULL);
}
