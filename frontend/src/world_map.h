/* frontend/src/world_map.h: the world map of the result page, an inline SVG
 * in an equirectangular projection (viewBox -180..180 x -90..90, one unit a
 * degree, y = -latitude), with Natural Earth 1:110m land, a marker for the
 * place and one for the ISS's ground point, and the great-circle path
 * between them split where it crosses the antimeridian.
 * Not for: the page around it (page.c) or where the numbers come from.
 * Pure functions of their inputs, so they are tested without a server.
 */
#ifndef FRONTEND_WORLD_MAP_H
#define FRONTEND_WORLD_MAP_H

#include <stddef.h>

#include "html.h"

typedef struct world_map_lonlat {
  double lon; /* degrees east, -180..180 */
  double lat; /* degrees north, -90..90 */
} world_map_lonlat_t;

/* The most points world_map_geodesic() makes. */
#define WORLD_MAP_MAX_POINTS 182

/* Projects a position to SVG user units: *out_x = longitude (wrapped into
 * -180..180), *out_y = -latitude. */
void world_map_project(double lat, double lon, double *out_x, double *out_y);

/* Samples the great circle (on a sphere) from a to b into out, the two ends
 * included, one point about every 2 degrees of arc (at least 2 points, at
 * most WORLD_MAP_MAX_POINTS; out must hold that many). For antipodal ends,
 * where every great circle through them is as short, it takes the one
 * through the poles. Returns the number of points written. */
size_t world_map_geodesic(world_map_lonlat_t a, world_map_lonlat_t b, world_map_lonlat_t *out);

/* Appends SVG path data ("M x y L x y ...") for the polyline pts[0..n) to h.
 * Where a segment crosses the antimeridian (its longitudes differ by more
 * than 180 degrees) the line runs to the map's edge at the interpolated
 * latitude and starts a new subpath on the other edge, so it never spans
 * the map. Returns the number of subpaths written (0 when n is 0). */
size_t world_map_append_path(html_t *h, const world_map_lonlat_t *pts, size_t n);

/* What the map shows. */
typedef struct world_map_view {
  world_map_lonlat_t place;
  const char *place_label; /* shown escaped; borrowed, NULL for none */
  world_map_lonlat_t iss;  /* the ISS's ground point */
} world_map_view_t;

/* Appends the whole <svg id="world-map"> element for view to h: ocean
 * (#ocean), land (#land), graticule, the path (#iss-path), the markers
 * (#place-marker, #iss-marker, circles centred on the projected positions)
 * and their labels (#place-label, #iss-label). */
void world_map_render(html_t *h, const world_map_view_t *view);

/* The land's SVG path data, in tenths of a degree (see
 * frontend/data/world-110m.svgpath); generated at build time. */
extern const char world_map_land_path[];

#endif /* FRONTEND_WORLD_MAP_H */
