/* iss-distance-service/src/coords.c: strict number parsing for coordinates
 * (see coords.h). strtod alone accepts "nan", "inf", hex floats and
 * leading spaces; those are refused here. */
#include "coords.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

bool coords_parse(const char *text, double min, double max, double *out) {
  if (!text || !*text) return false;
  const char *p = text;
  if (*p == '+' || *p == '-') p++;
  bool digits = false;
  while (*p >= '0' && *p <= '9') p++, digits = true;
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') p++, digits = true;
  }
  if (!digits) return false;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return false;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p) return false; /* trailing text */
  errno = 0;
  double v = strtod(text, NULL);
  if (errno == ERANGE || !isfinite(v) || v < min || v > max) return false;
  *out = v;
  return true;
}
