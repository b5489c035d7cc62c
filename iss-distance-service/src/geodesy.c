/* iss-distance-service/src/geodesy.c: WGS-84 geodesic distance with PROJ's
 * geodesic routines (geod_inverse, C. F. F. Karney's algorithm, accurate to
 * nanometres) and slant range through Earth-fixed coordinates. */
#include "geodesy.h"

#include <geodesic.h>
#include <math.h>
#include <pthread.h>

#include "position.h"

static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;
static void init_wgs84(void) { geod_init(&wgs84, 6378137.0, 1.0 / 298.257223563); }

double geodesy_distance_km(double lat1, double lon1, double lat2, double lon2) {
  pthread_once(&wgs84_once, init_wgs84); /* worker threads share it */
  double s12 = 0.0, azi1, azi2;
  geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
  return s12 / 1000.0;
}

double geodesy_slant_range_km(double lat, double lon, const double p[3]) {
  double g[3];
  position_to_ecef(lat, lon, 0.0, g);
  return sqrt((p[0] - g[0]) * (p[0] - g[0]) + (p[1] - g[1]) * (p[1] - g[1]) +
              (p[2] - g[2]) * (p[2] - g[2]));
}
