/* iss-distance-service/src/geodesy.h: distances on and above the Earth:
 * the geodesic on the WGS-84 ellipsoid (Karney's algorithm, through PROJ's
 * geodesic API, as geopy's `geodesic` computes it) and the straight-line
 * (slant) range from a point on the ground to a point in space.
 */
#ifndef ISS_GEODESY_H
#define ISS_GEODESY_H

/* Geodesic distance in km between two points given in degrees. */
double geodesy_distance_km(double lat1, double lon1, double lat2, double lon2);

/* Straight-line distance in km from (lat, lon) at height 0 to ECEF point p (km). */
double geodesy_slant_range_km(double lat, double lon, const double p_ecef_km[3]);

#endif /* ISS_GEODESY_H */
