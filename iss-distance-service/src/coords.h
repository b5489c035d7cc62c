/* iss-distance-service/src/coords.h: strict parsing of the latitude and
 * longitude query parameters: a finite decimal number in range, nothing
 * else (no "abc", "NaN", "inf", "1e999", trailing text or empty value).
 */
#ifndef ISS_COORDS_H
#define ISS_COORDS_H

#include <stdbool.h>

/* Parses text as a number within [min, max]; false when it is not one. */
bool coords_parse(const char *text, double min, double max, double *out);

#endif /* ISS_COORDS_H */
