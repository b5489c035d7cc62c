/* test_coords.c: strict latitude/longitude parsing (coords.c), a table of
 * what people and scripts send, and the ISS position sanity (position.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../src/coords.h"
#include "../src/position.h"

struct coord_case {
  const char *name;
  const char *input;
  bool want_ok;
  double want;
};

static void test_coords_parse_latitude_table(void **state) {
  (void)state;
  static const struct coord_case cases[] = {
      {"integer", "51", true, 51},
      {"decimal", "51.5074", true, 51.5074},
      {"negative", "-33.8688", true, -33.8688},
      {"plus sign", "+10", true, 10},
      {"exponent", "5e1", true, 50},
      {"north pole", "90", true, 90},
      {"leading dot", ".5", true, 0.5},
      {"empty", "", false, 0},
      {"letters", "abc", false, 0},
      {"NaN", "NaN", false, 0},
      {"nan lower", "nan", false, 0},
      {"inf", "inf", false, 0},
      {"Infinity", "-Infinity", false, 0},
      {"overflow", "1e999", false, 0},
      {"out of range", "90.0001", false, 0},
      {"trailing text", "51.5abc", false, 0},
      {"two dots", "1.2.3", false, 0},
      {"hex float", "0x1p3", false, 0},
      {"leading space", " 51", false, 0},
      {"sign only", "-", false, 0},
      {"exponent without digits", "1e", false, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct coord_case *c = &cases[i];
    double v = -999;
    bool ok = coords_parse(c->input, -90, 90, &v);
    if (ok != c->want_ok) fail_msg("%s: ok=%d", c->name, ok);
    if (ok && fabs(v - c->want) > 1e-12) fail_msg("%s: %f", c->name, v);
  }
  double v;
  assert_false(coords_parse(NULL, -90, 90, &v));
  assert_true(coords_parse("-180", -180, 180, &v));
  assert_false(coords_parse("180.5", -180, 180, &v));
}

static void test_position_iss_is_where_an_iss_can_be(void **state) {
  (void)state;
  static const char tle_text[] =
      "ISS (ZARYA)\n"
      "1 25544U 98067A   25313.96830531  .00008626  00000+0  16179-3 0  9997\n"
      "2 25544  51.6342 304.7042 0004075  52.7615 307.3745 15.49490024537771\n";
  tle_t tle;
  char err[128];
  assert_int_equal(tle_parse(tle_text, &tle, err, sizeof err), 0);
  assert_string_equal(tle.name, "ISS (ZARYA)");
  sgp4_t m;
  assert_int_equal(sgp4_init(&m, &tle), SGP4_OK);
  double epoch_unix = (tle.jd_epoch + tle.jd_epoch_frac - 2440587.5) * 86400.0;
  for (int h = -72; h <= 72; h += 6) { /* three days either side */
    geo_position_t p;
    double ecef[3];
    assert_int_equal(position_at(&m, epoch_unix + h * 3600.0, &p, ecef), SGP4_OK);
    if (p.altitude_km < 380 || p.altitude_km > 440) fail_msg("altitude %f km at %+d h", p.altitude_km, h);
    /* geodetic latitude exceeds the 51.63 deg inclination by up to ~0.2 deg */
    if (fabs(p.latitude_deg) > 51.9) fail_msg("latitude %f at %+d h", p.latitude_deg, h);
    if (p.longitude_deg < -180 || p.longitude_deg > 180) fail_msg("longitude %f", p.longitude_deg);
  }
}

static void test_tle_checksum_error_names_the_line(void **state) {
  (void)state;
  static const char bad[] =
      "1 25544U 98067A   25313.96830531  .00008626  00000+0  16179-3 0  9998\n"
      "2 25544  51.6342 304.7042 0004075  52.7615 307.3745 15.49490024537771\n";
  tle_t tle;
  char err[128];
  assert_int_equal(tle_parse(bad, &tle, err, sizeof err), -1);
  assert_string_equal(err, "TLE line 1: checksum does not match");
  assert_int_equal(tle_parse("garbage", &tle, err, sizeof err), -1);
}

/* Sets the checksum column (69) of a TLE line. */
static void set_checksum(char *line) {
  int sum = 0;
  for (int i = 0; i < 68; i++) {
    if (line[i] >= '0' && line[i] <= '9') sum += line[i] - '0';
    else if (line[i] == '-') sum += 1;
  }
  line[68] = (char)('0' + sum % 10);
}

/* Found by fuzz/fuzz_tle.c: an epoch day of 2302988926 passed and
 * made days2mdhms convert 2.3e9 to int (undefined behaviour); strtod's
 * "nan", "inf" and exponents passed as angles; a B* of "06+579-3" was
 * 0.06e579, inf. Each is refused, naming the field. */
static void test_tle_fields_out_of_range_are_refused(void **state) {
  (void)state;
  static const struct { int line, col; const char *text, *err; } cases[] = {
      {1, 20, "99999999.999", "TLE line 1: bad epoch day"},
      {1, 18, "00000.0000000", "TLE line 1: bad epoch day"},
      {1, 18, "25313.9683e+5", "TLE line 1: bad epoch day"},
      {2, 8, "     nan", "TLE line 2: bad inclination"},
      {2, 8, "   181.0", "TLE line 2: bad inclination"},
      {2, 17, "     inf", "TLE line 2: bad right ascension"},
      {2, 34, "-52.7615", "TLE line 2: bad argument of perigee"},
      {2, 43, "  1e+300", "TLE line 2: bad mean anomaly"},
      {1, 53, "06+579-3", "TLE line 1: bad B* drag term"},
      {1, 53, " 16179-x", "TLE line 1: bad B* drag term"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char l1[] = "1 25544U 98067A   25313.96830531  .00008626  00000+0  16179-3 0  9997";
    char l2[] = "2 25544  51.6342 304.7042 0004075  52.7615 307.3745 15.49490024537771";
    char *line = cases[i].line == 1 ? l1 : l2;
    memcpy(line + cases[i].col, cases[i].text, strlen(cases[i].text));
    set_checksum(line);
    char text[200];
    snprintf(text, sizeof text, "%s\n%s\n", l1, l2);
    tle_t tle;
    char err[128] = "";
    if (tle_parse(text, &tle, err, sizeof err) != -1) fail_msg("case %zu accepted: %s", i, text);
    assert_string_equal(err, cases[i].err);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_coords_parse_latitude_table),
      cmocka_unit_test(test_position_iss_is_where_an_iss_can_be),
      cmocka_unit_test(test_tle_checksum_error_names_the_line),
      cmocka_unit_test(test_tle_fields_out_of_range_are_refused),
  };
  return cmocka_run_group_tests_name("coords", tests, NULL, NULL);
}
