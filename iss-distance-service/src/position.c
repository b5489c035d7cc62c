/* iss-distance-service/src/position.c: from an SGP4 state to a point on
 * the Earth. TEME is rotated into the Earth-fixed frame by the Greenwich
 * mean sidereal time (IAU-82, the convention SGP4 is defined with; polar
 * motion and UT1-UTC are below the model's accuracy and ignored), then
 * converted to geodetic coordinates on WGS-84 by fixed-point iteration.
 */
#include "position.h"

#include <math.h>

#define WGS84_A 6378.137                 /* km */
#define WGS84_F (1.0 / 298.257223563)
#define WGS84_E2 (WGS84_F * (2.0 - WGS84_F))
#define DEG (180.0 / M_PI)

double position_gmst(double jd_ut1) {
  double tut1 = (jd_ut1 - 2451545.0) / 36525.0;
  double temp = -6.2e-6 * tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1 +
                (876600.0 * 3600.0 + 8640184.812866) * tut1 + 67310.54841; /* seconds */
  temp = fmod(temp * (M_PI / 180.0) / 240.0, 2.0 * M_PI);
  return temp < 0.0 ? temp + 2.0 * M_PI : temp;
}

void position_to_ecef(double lat_deg, double lon_deg, double alt_km, double ecef_km[3]) {
  double lat = lat_deg / DEG, lon = lon_deg / DEG;
  double n = WGS84_A / sqrt(1.0 - WGS84_E2 * sin(lat) * sin(lat));
  ecef_km[0] = (n + alt_km) * cos(lat) * cos(lon);
  ecef_km[1] = (n + alt_km) * cos(lat) * sin(lon);
  ecef_km[2] = (n * (1.0 - WGS84_E2) + alt_km) * sin(lat);
}

static void ecef_to_geodetic(const double r[3], geo_position_t *out) {
  double p = sqrt(r[0] * r[0] + r[1] * r[1]);
  double lon = atan2(r[1], r[0]);
  double lat = atan2(r[2], p * (1.0 - WGS84_E2)), n = WGS84_A, alt = 0.0;
  for (int i = 0; i < 10; i++) { /* converges to < 1e-12 rad in a few steps */
    n = WGS84_A / sqrt(1.0 - WGS84_E2 * sin(lat) * sin(lat));
    alt = p / cos(lat) - n;
    lat = atan2(r[2], p * (1.0 - WGS84_E2 * n / (n + alt)));
  }
  out->latitude_deg = lat * DEG;
  out->longitude_deg = lon * DEG;
  out->altitude_km = alt;
}

sgp4_err_t position_at(const sgp4_t *model, double unix_time, geo_position_t *out,
                       double ecef_km[3]) {
  double days = unix_time / 86400.0;
  double jd = floor(days) + 2440587.5, jdfrac = days - floor(days);
  double r[3], v[3];
  sgp4_err_t err = sgp4_propagate(model, sgp4_minutes_since_epoch(model, jd, jdfrac), r, v);
  if (err != SGP4_OK) return err;
  double theta = position_gmst(jd + jdfrac);
  double c = cos(theta), s = sin(theta);
  double e[3] = {c * r[0] + s * r[1], -s * r[0] + c * r[1], r[2]};
  if (ecef_km) {
    ecef_km[0] = e[0];
    ecef_km[1] = e[1];
    ecef_km[2] = e[2];
  }
  ecef_to_geodetic(e, out);
  return SGP4_OK;
}
