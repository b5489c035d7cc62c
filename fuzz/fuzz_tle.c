/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_tle.c: a two-line element set as iss-distance-service reads one from
 * ISS_TLE_FILE: tle_parse, then what the service does with a TLE that
 * parsed (sgp4_init, its epoch as text, and positions at the epoch and a
 * day around it). The input is the file's text. Properties: a parsed
 * TLE's fields are numbers in their ranges (so that the plain build's
 * replay catches what UBSan's float-cast-overflow check found); positions
 * that SGP4 computes are finite.
 */
#include "fuzz.h"

#include <math.h>

#include "../iss-distance-service/src/position.h"
#include "../iss-distance-service/src/tle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_string(data, size);
  tle_t t;
  char err[256];
  if (tle_parse(text, &t, err, sizeof err) == 0) {
    FUZZ_CHECK(t.epoch_days >= 1 && t.epoch_days <= 367);
    FUZZ_CHECK(t.inclination_deg >= 0 && t.inclination_deg <= 180);
    FUZZ_CHECK(t.eccentricity >= 0 && t.eccentricity < 1);
    FUZZ_CHECK(isfinite(t.mean_motion_rev_day) && t.mean_motion_rev_day > 0);
    FUZZ_CHECK(isfinite(t.bstar));
    FUZZ_CHECK(strlen(t.name) < sizeof t.name);
    char iso[32];
    tle_epoch_iso(&t, iso, sizeof iso);
    FUZZ_CHECK(strlen(iso) < sizeof iso);
    sgp4_t model;
    if (sgp4_init(&model, &t) == SGP4_OK) {
      double epoch_unix = (t.jd_epoch - 2440587.5 + t.jd_epoch_frac) * 86400.0;
      static const double offsets[] = {0, 3600, -86400, 86400};
      for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        geo_position_t where;
        double ecef[3];
        if (position_at(&model, epoch_unix + offsets[i], &where, ecef) == SGP4_OK)
          FUZZ_CHECK(isfinite(where.latitude_deg) && isfinite(where.longitude_deg));
      }
    }
  } else {
    FUZZ_CHECK(err[0] != '\0');
  }
  free(text);
  return 0;
}
