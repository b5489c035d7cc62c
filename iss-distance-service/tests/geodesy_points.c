/* geodesy_points: reads "lat1 lon1 lat2 lon2" lines on stdin and prints our
 * geodesic distance (km) and the slant range from point 1 to point 2 at
 * 400 km altitude, for geodesy_vs_geopy.py. */
#include <stdio.h>

#include "../src/geodesy.h"
#include "../src/position.h"

int main(void) {
  double a, b, c, d;
  while (scanf("%lf %lf %lf %lf", &a, &b, &c, &d) == 4) {
    double p[3];
    position_to_ecef(c, d, 400.0, p);
    printf("%.9f %.9f\n", geodesy_distance_km(a, b, c, d), geodesy_slant_range_km(a, b, p));
  }
  return 0;
}
