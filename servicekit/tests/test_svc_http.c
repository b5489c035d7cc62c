/* servicekit/tests/test_svc_http.c: the text checks and URL building the
 * services rely on for bad input (svc_http.c, svc_upstream.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../svc_http.h"
#include "../svc_upstream.h"

struct text_case {
  const char *name;
  const char *input;
  size_t len; /* 0: strlen(input) */
  int want_clean;
};

static void test_svc_text_is_clean_table(void **state) {
  (void)state;
  static const struct text_case cases[] = {
      {"ascii", "London", 0, 1},
      {"two-byte utf8", "Z\xc3\xbcrich", 0, 1},
      {"three-byte utf8", "\xe6\x9d\xb1\xe4\xba\xac", 0, 1},
      {"four-byte utf8", "\xf0\x9f\x9a\x80", 0, 1},
      {"html stays text", "<script>alert(1)</script>", 0, 1},
      {"embedded NUL", "ab\0cd", 5, 0},
      {"line feed", "a\nb", 0, 0},
      {"carriage return", "a\rb", 0, 0},
      {"tab", "a\tb", 0, 0},
      {"DEL", "a\x7f", 0, 0},
      {"lone continuation byte", "\x80", 0, 0},
      {"truncated two-byte", "\xc3", 0, 0},
      {"truncated four-byte", "\xf0\x9f\x9a", 0, 0},
      {"overlong slash", "\xc0\xaf", 0, 0},
      {"utf16 surrogate", "\xed\xa0\x80", 0, 0},
      {"above U+10FFFF", "\xf4\x90\x80\x80", 0, 0},
      {"invalid lead 0xff", "\xff", 0, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct text_case *c = &cases[i];
    size_t len = c->len ? c->len : strlen(c->input);
    if (svc_text_is_clean(c->input, len) != c->want_clean) fail_msg("%s", c->name);
  }
}

static void test_svc_url_with_params_escapes_values(void **state) {
  (void)state;
  char *url = svc_url_with_params("http://127.0.0.1:5002/", "location", "Paris, TX & co", NULL);
  assert_string_equal(url, "http://127.0.0.1:5002/?location=Paris%2C%20TX%20%26%20co");
  free(url);
  url = svc_url_with_params("http://h/?a=1", "latitude", "51.5", "longitude", "-0.12", NULL);
  assert_string_equal(url, "http://h/?a=1&latitude=51.5&longitude=-0.12");
  free(url);
  url = svc_url_with_params("http://h/", NULL);
  assert_string_equal(url, "http://h/");
  free(url);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_svc_text_is_clean_table),
      cmocka_unit_test(test_svc_url_with_params_escapes_values),
  };
  return cmocka_run_group_tests_name("svc_http", tests, NULL, NULL);
}
