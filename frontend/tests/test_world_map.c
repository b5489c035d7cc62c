/* test_world_map.c: the world map's pure parts (world_map.c): projection,
 * great-circle sampling, antimeridian splitting of the path, and the SVG
 * markers at the projected positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/world_map.h"

#define DEG (M_PI / 180.0)

/* Central angle between two positions, in degrees. */
static double arc_deg(world_map_lonlat_t a, world_map_lonlat_t b) {
  double s = sin(a.lat * DEG) * sin(b.lat * DEG) + cos(a.lat * DEG) * cos(b.lat * DEG) * cos((a.lon - b.lon) * DEG);
  if (s > 1) s = 1;
  if (s < -1) s = -1;
  return acos(s) / DEG;
}

struct project_case {
  const char *name;
  double lat, lon;
  double want_x, want_y;
};

static void test_world_map_project_table(void **state) {
  (void)state;
  static const struct project_case cases[] = {
      {"origin", 0, 0, 0, 0},
      {"london", 51.5074, -0.1278, -0.1278, -51.5074},
      {"sydney", -33.8688, 151.2093, 151.2093, 33.8688},
      {"east edge", 10, 180, 180, -10},
      {"west edge", -10, -180, -180, 10},
      {"north pole", 90, 0, 0, -90},
      {"south pole", -90, 0, 0, 90},
      {"longitude past east edge wraps", 0, 190, -170, 0},
      {"longitude past west edge wraps", 0, -190, 170, 0},
      {"longitude a turn and a half", 0, 400, 40, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct project_case *c = &cases[i];
    double x = NAN, y = NAN;
    world_map_project(c->lat, c->lon, &x, &y);
    if (fabs(x - c->want_x) > 1e-9 || fabs(y - c->want_y) > 1e-9)
      fail_msg("%s: got (%g, %g), want (%g, %g)", c->name, x, y, c->want_x, c->want_y);
  }
}

static void test_world_map_geodesic_same_point_two_equal_points(void **state) {
  (void)state;
  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  world_map_lonlat_t p = {8.54, 47.37};
  size_t n = world_map_geodesic(p, p, pts);
  assert_int_equal(n, 2);
  for (size_t i = 0; i < n; i++) {
    assert_float_equal(pts[i].lon, 8.54, 1e-9);
    assert_float_equal(pts[i].lat, 47.37, 1e-9);
  }
}

static void test_world_map_geodesic_equator_stays_on_equator(void **state) {
  (void)state;
  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  size_t n = world_map_geodesic((world_map_lonlat_t){0, 0}, (world_map_lonlat_t){90, 0}, pts);
  assert_int_equal(n, 92); /* one point a degree of arc, both ends */
  for (size_t i = 0; i < n; i++) {
    assert_float_equal(pts[i].lat, 0, 1e-9);
    assert_float_equal(pts[i].lon, 90.0 * (double)i / (double)(n - 1), 1e-9);
  }
}

static void test_world_map_geodesic_points_evenly_spaced_on_great_circle(void **state) {
  (void)state;
  /* London to New York: the great circle bulges north of both ends */
  world_map_lonlat_t a = {-0.1278, 51.5074}, b = {-74.006, 40.7128};
  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  size_t n = world_map_geodesic(a, b, pts);
  double total = arc_deg(a, b);
  assert_int_equal(n, 2 + (size_t)total);
  assert_float_equal(pts[0].lon, a.lon, 1e-12);
  assert_float_equal(pts[n - 1].lat, b.lat, 1e-12);
  double step = total / (double)(n - 1), max_lat = -90;
  for (size_t i = 1; i < n; i++) {
    assert_float_equal(arc_deg(pts[i - 1], pts[i]), step, 1e-6);
    /* on the great circle: the arcs from the ends add up to the whole */
    assert_float_equal(arc_deg(a, pts[i]) + arc_deg(pts[i], b), total, 1e-6);
    if (pts[i].lat > max_lat) max_lat = pts[i].lat;
  }
  /* north of both ends, not past the circle's vertex (53.78 N) */
  assert_true(max_lat > 51.6 && max_lat < 53.79);
}

static void test_world_map_geodesic_antipodes_go_over_north_pole(void **state) {
  (void)state;
  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  size_t n = world_map_geodesic((world_map_lonlat_t){0, 0}, (world_map_lonlat_t){180, 0}, pts);
  assert_int_equal(n, WORLD_MAP_MAX_POINTS);
  double max_lat = -90;
  for (size_t i = 0; i < n; i++)
    if (pts[i].lat > max_lat) max_lat = pts[i].lat;
  assert_true(max_lat > 89.0); /* within a sample of the pole */
  assert_float_equal(pts[n - 1].lon, 180, 1e-12);
}

static void test_world_map_geodesic_pole_to_pole_finite(void **state) {
  (void)state;
  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  size_t n = world_map_geodesic((world_map_lonlat_t){0, 90}, (world_map_lonlat_t){0, -90}, pts);
  assert_int_equal(n, WORLD_MAP_MAX_POINTS);
  for (size_t i = 0; i < n; i++) {
    assert_true(isfinite(pts[i].lat) && isfinite(pts[i].lon));
    assert_float_equal(pts[i].lat, 90.0 - 180.0 * (double)i / (double)(n - 1), 1e-6);
  }
}

struct path_case {
  const char *name;
  world_map_lonlat_t pts[3];
  size_t n;
  size_t want_subpaths;
  const char *want;
};

static void test_world_map_append_path_table(void **state) {
  (void)state;
  static const struct path_case cases[] = {
      {"empty", {{0, 0}}, 0, 0, ""},
      {"one point", {{1, 2}}, 1, 1, "M1.00 -2.00"},
      {"no crossing", {{0, 0}, {10, 10}}, 2, 1, "M0.00 0.00L10.00 -10.00"},
      {"long way round without crossing", {{-170, 0}, {10, 0}, {170, 0}}, 3, 1,
       "M-170.00 0.00L10.00 0.00L170.00 0.00"},
      {"crosses eastwards", {{170, 0}, {-170, 10}}, 2, 2,
       "M170.00 0.00L180.00 -5.00M-180.00 -5.00L-170.00 -10.00"},
      {"crosses westwards", {{-175, -20}, {165, 20}}, 2, 2,
       "M-175.00 20.00L-180.00 10.00M180.00 10.00L165.00 -20.00"},
      {"crosses twice", {{179, 0}, {-179, 0}, {179, 0}}, 3, 3,
       "M179.00 0.00L180.00 0.00M-180.00 0.00L-179.00 0.00L-180.00 0.00M180.00 0.00L179.00 0.00"},
      {"starts on the east edge", {{180, 0}, {-179, 0}}, 2, 2,
       "M180.00 0.00L180.00 0.00M-180.00 0.00L-179.00 0.00"},
      {"longitudes out of range are wrapped", {{370, 0}, {380, 0}}, 2, 1, "M10.00 0.00L20.00 0.00"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct path_case *c = &cases[i];
    html_t h = {0};
    size_t got = world_map_append_path(&h, c->pts, c->n);
    const char *d = h.data ? h.data : "";
    if (got != c->want_subpaths || strcmp(d, c->want) != 0)
      fail_msg("%s: got %zu subpaths \"%s\", want %zu \"%s\"", c->name, got, d, c->want_subpaths, c->want);
    html_free(&h);
  }
}

/* Walks path data "M x y L x y ..." and returns the largest horizontal jump
 * of a drawn (L) segment; counts the subpaths in *subpaths. */
static double widest_segment(const char *d, size_t *subpaths) {
  double widest = 0, px = 0, x, y;
  int used;
  char cmd;
  *subpaths = 0;
  while (sscanf(d, "%c%lf %lf%n", &cmd, &x, &y, &used) == 3) {
    if (cmd == 'M') (*subpaths)++;
    else if (fabs(x - px) > widest) widest = fabs(x - px);
    px = x;
    d += used;
  }
  return widest;
}

static void test_world_map_geodesic_path_tokyo_to_san_francisco_split_at_antimeridian(void **state) {
  (void)state;
  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  size_t n = world_map_geodesic((world_map_lonlat_t){139.69, 35.69}, (world_map_lonlat_t){-122.42, 37.77}, pts);
  html_t h = {0};
  size_t subpaths = world_map_append_path(&h, pts, n);
  assert_int_equal(subpaths, 2);
  size_t counted;
  double widest = widest_segment(h.data, &counted);
  assert_int_equal(counted, 2);
  assert_true(widest < 3.0); /* no segment spans the map */
  assert_non_null(strstr(h.data, "L180.00 "));
  assert_non_null(strstr(h.data, "M-180.00 "));
  html_free(&h);
}

static void test_world_map_render_markers_at_projected_positions(void **state) {
  (void)state;
  world_map_view_t v = {.place = {8.5417, 47.3769}, .place_label = "<Z\xc3\xbcrich & \"co\">",
                        .iss = {-120.25, -35.5}};
  html_t h = {0};
  world_map_render(&h, &v);
  assert_false(h.oom);
  assert_non_null(strstr(h.data, "<svg id=\"world-map\""));
  assert_non_null(strstr(h.data, "viewBox=\"-180 -90 360 180\""));
  assert_non_null(strstr(h.data, "<circle id=\"place-marker\" cx=\"8.542\" cy=\"-47.377\""));
  assert_non_null(strstr(h.data, "<circle id=\"iss-marker\" cx=\"-120.250\" cy=\"35.500\""));
  assert_non_null(strstr(h.data, "<path id=\"iss-path\""));
  assert_non_null(strstr(h.data, "d=\"M8.54 -47.38L"));
  assert_non_null(strstr(h.data, ">&lt;Z\xc3\xbcrich &amp; &quot;co&quot;&gt;</text>"));
  assert_null(strstr(h.data, "<Z"));
  assert_non_null(strstr(h.data, ">ISS</text>"));
  assert_non_null(strstr(h.data, "<path id=\"land\""));
  assert_non_null(strstr(h.data, "</svg>"));
  html_free(&h);
}

static void test_world_map_land_path_is_natural_earth_outline(void **state) {
  (void)state;
  size_t len = strlen(world_map_land_path);
  assert_true(len > 20000 && len < 100000);
  assert_int_equal(world_map_land_path[0], 'M');
  assert_int_equal(world_map_land_path[len - 1], 'z');
  /* only path characters, so it can go into an attribute unescaped */
  assert_int_equal(strspn(world_map_land_path, "0123456789 -Mlz"), len);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_world_map_project_table),
      cmocka_unit_test(test_world_map_geodesic_same_point_two_equal_points),
      cmocka_unit_test(test_world_map_geodesic_equator_stays_on_equator),
      cmocka_unit_test(test_world_map_geodesic_points_evenly_spaced_on_great_circle),
      cmocka_unit_test(test_world_map_geodesic_antipodes_go_over_north_pole),
      cmocka_unit_test(test_world_map_geodesic_pole_to_pole_finite),
      cmocka_unit_test(test_world_map_append_path_table),
      cmocka_unit_test(test_world_map_geodesic_path_tokyo_to_san_francisco_split_at_antimeridian),
      cmocka_unit_test(test_world_map_render_markers_at_projected_positions),
      cmocka_unit_test(test_world_map_land_path_is_natural_earth_outline),
  };
  return cmocka_run_group_tests_name("world_map", tests, NULL, NULL);
}
