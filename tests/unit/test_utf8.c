/* test_utf8.c: making text valid UTF-8 for OTLP (utf8.c): valid text of
 * every sequence length is kept byte for byte; each byte of an invalid
 * sequence (a stray continuation byte, a truncated sequence, an overlong
 * form, a surrogate, a code point above U+10FFFF, 0xF5..0xFF) becomes
 * U+FFFD; otel__utf8_clean_len is exactly what otel__utf8_put_clean writes;
 * otel__utf8_is_ascii sees a non-ASCII byte at every position of text of
 * every length up to 40 (its word, overlapping-tail and short paths). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

#define FFFD "\xEF\xBF\xBD"

/* Cleans in[0..len) and checks the length prediction and a guard byte. */
static void expect_clean(const char *in, size_t len, const char *want, size_t want_len) {
  size_t n = otel__utf8_clean_len(in, len);
  assert_int_equal(n, want_len);
  uint8_t *out = malloc(n + 1);
  assert_non_null(out);
  out[n] = 0x5a;
  assert_int_equal(otel__utf8_put_clean(out, in, len) - out, n);
  assert_memory_equal(out, want, n);
  assert_int_equal(out[n], 0x5a);
  uint8_t *fast = malloc(n + 1);
  assert_int_equal(otel__utf8_put(fast, in, len, n) - fast, n);
  assert_memory_equal(fast, want, n);
  free(out);
  free(fast);
}

#define CLEAN(in, want) expect_clean(in, sizeof(in) - 1, want, sizeof(want) - 1)

static void test_utf8_valid_text_is_kept(void **state) {
  (void)state;
  CLEAN("", "");
  CLEAN("plain ascii /api/distance?x=1", "plain ascii /api/distance?x=1");
  CLEAN("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9B\xB0", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9B\xB0");
  CLEAN("\xC2\x80\xDF\xBF", "\xC2\x80\xDF\xBF");                 /* 2-byte ends */
  CLEAN("\xE0\xA0\x80\xEF\xBF\xBF", "\xE0\xA0\x80\xEF\xBF\xBF"); /* 3-byte ends */
  CLEAN("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"); /* 4 */
  /* a NUL inside the text is valid UTF-8 */
  CLEAN("a\0b", "a\0b");
}

static void test_utf8_each_invalid_byte_becomes_fffd(void **state) {
  (void)state;
  CLEAN("\x80", FFFD);                         /* stray continuation */
  CLEAN("a\xBF" "b", "a" FFFD "b");
  CLEAN("\xC3", FFFD);                         /* truncated at the end */
  CLEAN("\xE2\x82" "x", FFFD FFFD "x");        /* truncated before ASCII */
  CLEAN("\xC0\xAF", FFFD FFFD);                /* overlong '/' */
  CLEAN("\xE0\x80\xAF", FFFD FFFD FFFD);       /* overlong, 3 bytes */
  CLEAN("\xED\xA0\x80", FFFD FFFD FFFD);       /* surrogate U+D800 */
  CLEAN("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* above U+10FFFF */
  CLEAN("\xF5\xFF\xFE", FFFD FFFD FFFD);
  CLEAN("Mozilla \xE9t\xE9", "Mozilla " FFFD "t" FFFD); /* Latin-1 text */
}

static void test_utf8_is_ascii_every_position(void **state) {
  (void)state;
  char buf[48];
  for (size_t len = 0; len <= 40; len++) {
    memset(buf, 'a', sizeof buf);
    buf[len] = (char)0xC3; /* just past the text: never looked at */
    assert_true(otel__utf8_is_ascii(buf, len));
    for (size_t i = 0; i < len; i++) {
      buf[i] = (char)0x80;
      assert_false(otel__utf8_is_ascii(buf, len));
      buf[i] = 'a';
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_utf8_valid_text_is_kept),
      cmocka_unit_test(test_utf8_each_invalid_byte_becomes_fffd),
      cmocka_unit_test(test_utf8_is_ascii_every_position),
  };
  return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
