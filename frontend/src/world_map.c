/* frontend/src/world_map.c: the result page's world map (see world_map.h).
 * The land comes from Natural Earth, compiled in from
 * frontend/data/world-110m.svgpath; the rest is drawn here from the two
 * positions: projection, great-circle sampling on a sphere (the map's
 * resolution does not need the ellipsoid), antimeridian splitting, SVG. */
#include "world_map.h"

#include <math.h>

#define DEG (M_PI / 180.0)

static double wrap_lon(double lon) {
  if (lon >= -180.0 && lon <= 180.0) return lon;
  double w = fmod(lon + 180.0, 360.0);
  if (w < 0) w += 360.0;
  return w - 180.0;
}

/* Rounds to 2 decimals for output, without a "-0.00". */
static double tidy(double v) {
  double r = round(v * 100.0) / 100.0;
  return r == 0.0 ? 0.0 : r;
}

void world_map_project(double lat, double lon, double *out_x, double *out_y) {
  *out_x = wrap_lon(lon);
  *out_y = lat == 0.0 ? 0.0 : -lat;
}

static void to_vec(world_map_lonlat_t p, double v[3]) {
  double lat = p.lat * DEG, lon = p.lon * DEG;
  v[0] = cos(lat) * cos(lon);
  v[1] = cos(lat) * sin(lon);
  v[2] = sin(lat);
}

static world_map_lonlat_t from_vec(const double v[3]) {
  world_map_lonlat_t p;
  p.lat = atan2(v[2], hypot(v[0], v[1])) / DEG;
  p.lon = atan2(v[1], v[0]) / DEG;
  return p;
}

/* Sets c to the unit vector orthogonal to a, in the plane of the great
 * circle from a towards b. */
static void direction(const double a[3], const double b[3], double dot, double c[3]) {
  double norm = 0;
  for (int i = 0; i < 3; i++) {
    c[i] = b[i] - a[i] * dot;
    norm += c[i] * c[i];
  }
  if (norm < 1e-18) {
    /* a and b are the same or antipodal points: take the meridian through
     * a (northwards), or the prime meridian when a is a pole */
    static const double north[3] = {0, 0, 1}, prime[3] = {1, 0, 0};
    const double *t = fabs(a[2]) > 1.0 - 1e-12 ? prime : north;
    double ta = a[0] * t[0] + a[1] * t[1] + a[2] * t[2];
    norm = 0;
    for (int i = 0; i < 3; i++) {
      c[i] = t[i] - a[i] * ta;
      norm += c[i] * c[i];
    }
  }
  norm = sqrt(norm);
  for (int i = 0; i < 3; i++) c[i] /= norm;
}

size_t world_map_geodesic(world_map_lonlat_t a, world_map_lonlat_t b, world_map_lonlat_t *out) {
  double va[3], vb[3], c[3];
  to_vec(a, va);
  to_vec(b, vb);
  double dot = va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2];
  if (dot > 1.0) dot = 1.0;
  if (dot < -1.0) dot = -1.0;
  double omega = acos(dot);
  direction(va, vb, dot, c);
  size_t n = 2 + (size_t)(omega / DEG);
  if (n > WORLD_MAP_MAX_POINTS) n = WORLD_MAP_MAX_POINTS;
  for (size_t i = 0; i < n; i++) {
    double t = omega * (double)i / (double)(n - 1), v[3];
    for (int k = 0; k < 3; k++) v[k] = va[k] * cos(t) + c[k] * sin(t);
    out[i] = from_vec(v);
  }
  out[0] = (world_map_lonlat_t){wrap_lon(a.lon), a.lat};
  out[n - 1] = (world_map_lonlat_t){wrap_lon(b.lon), b.lat};
  return n;
}

static void point(html_t *h, char cmd, double lon, double lat) {
  html_appendf(h, "%c%.2f %.2f", cmd, tidy(lon), tidy(-lat));
}

size_t world_map_append_path(html_t *h, const world_map_lonlat_t *pts, size_t n) {
  if (n == 0) return 0;
  world_map_lonlat_t prev = {wrap_lon(pts[0].lon), pts[0].lat};
  point(h, 'M', prev.lon, prev.lat);
  size_t subpaths = 1;
  for (size_t i = 1; i < n; i++) {
    world_map_lonlat_t cur = {wrap_lon(pts[i].lon), pts[i].lat};
    double d = cur.lon - prev.lon;
    if (d > 180.0 || d < -180.0) {
      double edge = d > 180.0 ? -180.0 : 180.0;        /* the edge prev runs to */
      double unwrapped = cur.lon + (d > 180.0 ? -360.0 : 360.0);
      double t = (edge - prev.lon) / (unwrapped - prev.lon);
      double lat = prev.lat + t * (cur.lat - prev.lat);
      point(h, 'L', edge, lat);
      point(h, 'M', -edge, lat);
      subpaths++;
    }
    point(h, 'L', cur.lon, cur.lat);
    prev = cur;
  }
  return subpaths;
}

static void graticule(html_t *h) {
  html_append(h, "<path class=\"graticule\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.12\" "
                 "stroke-width=\"0.3\" d=\"");
  for (int lon = -150; lon <= 150; lon += 30) html_appendf(h, "M%d -90V90", lon);
  for (int lat = -60; lat <= 60; lat += 30) html_appendf(h, "M-180 %dH180", lat);
  html_append(h, "\"/>\n");
}

/* A label beside marker (x, y): to its right, or to its left near the east
 * edge; dy moves it up (<0) or down, kept inside the map. */
static void label(html_t *h, const char *id, double x, double y, double dy, const char *text) {
  int left = x > 110.0;
  double ty = y + dy;
  if (ty < -84.0) ty = -84.0;
  if (ty > 88.0) ty = 88.0;
  html_appendf(h, "<text id=\"%s\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">", id,
               tidy(x + (left ? -4.0 : 4.0)), tidy(ty), left ? "end" : "start");
  html_append_escaped(h, text);
  html_append(h, "</text>\n");
}

void world_map_render(html_t *h, const world_map_view_t *view) {
  double px, py, ix, iy;
  world_map_project(view->place.lat, view->place.lon, &px, &py);
  world_map_project(view->iss.lat, view->iss.lon, &ix, &iy);

  html_append(h, "<svg id=\"world-map\" class=\"world-map\" xmlns=\"http://www.w3.org/2000/svg\" "
                 "viewBox=\"-180 -90 360 180\" role=\"img\" aria-labelledby=\"world-map-title\">\n"
                 "<title id=\"world-map-title\">World map with the place, the point below "
                 "the ISS and the shortest path between them</title>\n"
                 "<rect id=\"ocean\" x=\"-180\" y=\"-90\" width=\"360\" height=\"180\" fill=\"#174a73\"/>\n");
  graticule(h);
  html_append(h, "<path id=\"land\" transform=\"scale(0.1)\" fill=\"#3d7a4f\" fill-rule=\"evenodd\" "
                 "stroke=\"#2c5e3b\" stroke-width=\"2\" d=\"");
  html_append(h, world_map_land_path);
  html_append(h, "\"/>\n");

  world_map_lonlat_t pts[WORLD_MAP_MAX_POINTS];
  size_t n = world_map_geodesic(view->place, view->iss, pts);
  html_append(h, "<path id=\"iss-path\" fill=\"none\" stroke=\"#f2a93b\" stroke-width=\"0.9\" "
                 "stroke-dasharray=\"3 1.5\" stroke-linejoin=\"round\" d=\"");
  world_map_append_path(h, pts, n);
  html_append(h, "\"/>\n");

  html_appendf(h, "<circle id=\"place-marker\" cx=\"%.3f\" cy=\"%.3f\" r=\"2.2\" fill=\"#ff5a5f\" "
                  "stroke=\"#ffffff\" stroke-width=\"0.6\"/>\n", px, py);
  html_appendf(h, "<circle id=\"iss-marker\" cx=\"%.3f\" cy=\"%.3f\" r=\"2.6\" fill=\"#f2a93b\" "
                  "stroke=\"#ffffff\" stroke-width=\"0.7\"/>\n", ix, iy);
  html_append(h, "<g class=\"labels\" font-size=\"6\" fill=\"#ffffff\" stroke=\"#0b1d33\" "
                 "stroke-width=\"1.2\" paint-order=\"stroke\" font-family=\"system-ui,sans-serif\">\n");
  label(h, "iss-label", ix, iy, -3.0, "ISS");
  label(h, "place-label", px, py, 6.5, view->place_label ? view->place_label : "");
  html_append(h, "</g>\n</svg>\n");
}
