/* iss-distance-service/src/position.h: where the ISS is: the point below
 * it (geodetic latitude/longitude on WGS-84) and its altitude, from an SGP4
 * state at a UTC time; and Earth-fixed (ECEF) coordinates of points.
 */
#ifndef ISS_POSITION_H
#define ISS_POSITION_H

#include <time.h>

#include "sgp4.h"

typedef struct geo_position {
  double latitude_deg;
  double longitude_deg; /* -180 .. 180 */
  double altitude_km;   /* above the WGS-84 ellipsoid */
} geo_position_t;

/* The ISS position at unix time t (seconds, fractional allowed) from an
 * initialised model. Returns the SGP4 status. */
sgp4_err_t position_at(const sgp4_t *model, double unix_time, geo_position_t *out,
                       double ecef_km[3]);

/* ECEF coordinates (km) of a geodetic point on WGS-84. */
void position_to_ecef(double lat_deg, double lon_deg, double alt_km, double ecef_km[3]);

/* Greenwich mean sidereal time (IAU-82, radians) at a Julian date (UT1). */
double position_gmst(double jd_ut1);

#endif /* ISS_POSITION_H */
