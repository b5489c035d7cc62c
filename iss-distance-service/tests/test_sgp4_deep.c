/* test_sgp4_deep.c: deep-space (SDP4) propagation (sgp4_deep.c through
 * sgp4.c) against states Vallado's C++ code printed for his verification
 * set (tcppver.out, shipped with python3-sgp4), one row per kind of deep-
 * space orbit; and the propagation being free of hidden state. The wide
 * comparison with python3-sgp4 is sgp4_vs_python.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "../src/sgp4.h"

struct deep_case {
  const char *name;
  const char *tle;        /* lines 1 and 2 of SGP4-VER.TLE */
  double minutes;         /* from the epoch */
  double r[3], v[3];      /* tcppver.out: km, km/s */
};

static const struct deep_case cases[] = {
    {"half-day resonance (Molniya), 2 days",
     "1 08195U 75081A   06176.33215444  .00000099  00000-0  11873-3 0   813\n"
     "2 08195  64.1586 279.0717 6877146 264.7651  20.2257  2.00491383225656\n",
     2880.0,
     {3417.20931586, -16038.79510665, 1894.74934058},
     {2.585515864, -2.596818146, 4.456882556}},
    {"one-day resonance (geostationary), Lyddane periodics, 1 day",
     "1 28626U 05008A   06176.46683397 -.00000205  00000-0  10000-3 0  2190\n"
     "2 28626   0.0019 286.9433 0000335  13.7918  55.6504  1.00270176  4891\n",
     1440.0,
     {42119.96263499, -1925.77567263, -0.19827433},
     {0.140521206, 3.071541613, 0.000179561}},
    {"one-day resonance, 9.5 deg inclination, before the epoch",
     "1 09998U 74033F   05148.79417928 -.00000112  00000-0  00000+0 0  4480\n"
     "2 09998   9.4958 313.1750 0270971 327.5225  30.8097  1.16186785 45878\n",
     -1380.0,
     {309.25349929, -36960.43090143, -4198.48007670},
     {3.292429375, -0.002166046, 0.402111628}},
    {"no resonance, eccentricity 0.97",
     "1 23333U 94071A   94305.49999999 -.00172956  26967-3  10000-3 0    15\n"
     "2 23333  28.7490   2.3720 9728298  30.4360   1.3500  0.07309491    70\n",
     1600.0,
     {-200638.82986236, -82484.14969882, -39488.34331447},
     {-1.186748462, -0.665472422, -0.337037582}},
    {"no resonance, 3.5 years after the epoch",
     "1 20413U 83020D   05363.79166667  .00000000  00000-0  00000+0 0  7041\n"
     "2 20413  12.3514 187.4253 7864447 196.3027 356.5478  0.24690082  7978\n",
     1844340.0,
     {5091.55546380, -5030.01134361, -1222.14210549},
     {0.252792005, 10.276493768, -0.621814132}},
};

static double distance(const double a[3], const double b[3]) {
  return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

static void init_from_text(const char *text, sgp4_t *s) {
  tle_t t;
  char err[128];
  assert_int_equal(tle_parse(text, &t, err, sizeof err), 0);
  assert_int_equal(sgp4_init(s, &t), SGP4_OK);
}

static void test_sgp4_deep_vallado_table_within_1m(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct deep_case *c = &cases[i];
    sgp4_t s;
    init_from_text(c->tle, &s);
    assert_true(s.is_deep);
    double r[3], v[3];
    sgp4_err_t e = sgp4_propagate(&s, c->minutes, r, v);
    double dr = distance(r, c->r) * 1e3, dv = distance(v, c->v) * 1e6; /* m, mm/s */
    if (e != SGP4_OK || !(dr < 1.0) || !(dv < 1.0))
      fail_msg("%s: error %d, position off by %.6f m, velocity by %.6f mm/s", c->name, (int)e, dr, dv);
  }
}

static void test_sgp4_deep_propagate_same_time_twice_same_state(void **state) {
  (void)state;
  sgp4_t s;
  init_from_text(cases[0].tle, &s); /* resonant: the integrator would carry state if any */
  double r1[3], v1[3], r2[3], v2[3], r[3], v[3];
  assert_int_equal(sgp4_propagate(&s, 2000.0, r1, v1), SGP4_OK);
  assert_int_equal(sgp4_propagate(&s, 4000.0, r, v), SGP4_OK);
  assert_int_equal(sgp4_propagate(&s, -1000.0, r, v), SGP4_OK);
  assert_int_equal(sgp4_propagate(&s, 2000.0, r2, v2), SGP4_OK);
  assert_memory_equal(r1, r2, sizeof r1);
  assert_memory_equal(v1, v2, sizeof v1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sgp4_deep_vallado_table_within_1m),
      cmocka_unit_test(test_sgp4_deep_propagate_same_time_twice_same_state),
  };
  return cmocka_run_group_tests_name("sgp4_deep", tests, NULL, NULL);
}
