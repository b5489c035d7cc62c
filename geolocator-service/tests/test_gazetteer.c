/* test_gazetteer.c: the offline gazetteer (gazetteer.c, fold.c) with the
 * forms people type, each with the expected place, and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/fold.h"
#include "../src/gazetteer.h"

static gazetteer_t *gaz;

static int setup(void **state) {
  (void)state;
  gaz = gazetteer_create();
  return gaz ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  gazetteer_destroy(gaz);
  return 0;
}

struct place_case {
  const char *name;
  const char *query;
  const char *want_name; /* substring of the display name */
  double lat, lon;
};

static void test_gazetteer_forms_people_type(void **state) {
  (void)state;
  static const struct place_case cases[] = {
      {"plain", "London", "London, England, United Kingdom", 51.51, -0.13},
      {"any case and spaces", "  lOnDoN  ", "United Kingdom", 51.51, -0.13},
      {"country alias", "London, UK", "United Kingdom", 51.51, -0.13},
      {"country code", "London, GB", "United Kingdom", 51.51, -0.13},
      {"region", "London, England", "United Kingdom", 51.51, -0.13},
      {"other country", "London, Canada", "Ontario", 42.98, -81.23},
      {"largest wins", "Paris", "France", 48.85, 2.35},
      {"US state code", "Paris, TX", "Texas", 33.66, -95.56},
      {"US state name", "Portland, Oregon", "Oregon", 45.52, -122.68},
      {"State of ...", "Portland, Maine", "Maine", 43.66, -70.26},
      {"diacritics", "Zürich", "Switzerland", 47.37, 8.55},
      {"no diacritics", "Zurich", "Switzerland", 47.37, 8.55},
      {"local name", "München", "Germany", 48.14, 11.58},
      {"local name folded", "munchen", "Germany", 48.14, 11.58},
      {"transliterated", "Muenchen", "Germany", 48.14, 11.58},
      {"English name", "Munich", "Germany", 48.14, 11.58},
      {"accents", "São Paulo", "Brazil", -23.55, -46.64},
      {"accents dropped", "Sao Paulo", "Brazil", -23.55, -46.64},
      {"local name Wien", "Wien", "Austria", 48.21, 16.37},
      {"hyphens", "Winston-Salem", "North Carolina", 36.10, -80.24},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct place_case *c = &cases[i];
    gazetteer_place_t p;
    gazetteer_result_t r = gazetteer_lookup(gaz, c->query, &p);
    if (r != GAZETTEER_FOUND) fail_msg("%s (%s): result %d", c->name, c->query, r);
    if (!strstr(p.name, c->want_name)) fail_msg("%s: got %s", c->name, p.name);
    if (fabs(p.latitude - c->lat) > 0.1 || fabs(p.longitude - c->lon) > 0.1)
      fail_msg("%s: %f,%f", c->name, p.latitude, p.longitude);
  }
}

static void test_gazetteer_not_found_and_bad_input(void **state) {
  (void)state;
  gazetteer_place_t p;
  assert_int_equal(gazetteer_lookup(gaz, "Xyzzyville", &p), GAZETTEER_NOT_FOUND);
  assert_int_equal(gazetteer_lookup(gaz, "London, Mars", &p), GAZETTEER_NOT_FOUND);
  assert_int_equal(gazetteer_lookup(gaz, "", &p), GAZETTEER_BAD_INPUT);
  assert_int_equal(gazetteer_lookup(gaz, "   ", &p), GAZETTEER_BAD_INPUT);
  assert_int_equal(gazetteer_lookup(gaz, "Lon\ndon", &p), GAZETTEER_BAD_INPUT);
  assert_int_equal(gazetteer_lookup(gaz, "Z\xfcrich", &p), GAZETTEER_BAD_INPUT); /* Latin-1 */
  assert_int_equal(gazetteer_lookup(gaz, NULL, &p), GAZETTEER_BAD_INPUT);
  char *big = malloc(100001);
  memset(big, 'a', 100000);
  big[100000] = '\0';
  assert_int_equal(gazetteer_lookup(gaz, big, &p), GAZETTEER_BAD_INPUT);
  free(big);
  assert_int_equal(gazetteer_lookup(gaz, "<script>alert(1)</script>", &p), GAZETTEER_NOT_FOUND);
}

static void test_fold_text_forms(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(fold_text("Zürich", out, sizeof out, 0), 6);
  assert_string_equal(out, "zurich");
  fold_text("München", out, sizeof out, 1);
  assert_string_equal(out, "muenchen");
  fold_text("  Winston--Salem, N.C. ", out, sizeof out, 0);
  assert_string_equal(out, "winston salem n c");
  fold_text("Straße", out, sizeof out, 0);
  assert_string_equal(out, "strasse");
  assert_int_equal(fold_text("\xc0\xaf", out, sizeof out, 0), -1); /* overlong */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gazetteer_forms_people_type),
      cmocka_unit_test(test_gazetteer_not_found_and_bad_input),
      cmocka_unit_test(test_fold_text_forms),
  };
  return cmocka_run_group_tests_name("gazetteer", tests, setup, teardown);
}
