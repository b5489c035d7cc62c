/* iss-distance-service/src/tle.h: two-line element sets (TLE), the format
 * in which NORAD / CelesTrak publish orbits for SGP4: parsing with checksum
 * verification, and the epoch as a Julian date.
 */
#ifndef ISS_TLE_H
#define ISS_TLE_H

#include <stddef.h>

typedef struct tle {
  char name[32];           /* line 0, or "" */
  int catalog_number;
  int epoch_year;          /* full year */
  double epoch_days;       /* day of year with fraction, 1.0 = Jan 1 00:00 UTC */
  double jd_epoch;         /* Julian date of the epoch, whole part (.5) */
  double jd_epoch_frac;    /* and fraction */
  double bstar;            /* drag term, 1/earth radii */
  double inclination_deg;
  double raan_deg;
  double eccentricity;
  double arg_perigee_deg;
  double mean_anomaly_deg;
  double mean_motion_rev_day;
} tle_t;

/* Parses a TLE from text holding two lines (1 and 2), optionally preceded
 * by a name line. Returns 0, or -1 with a message in err (size errlen)
 * naming the line and what is wrong (length, checksum, field). */
int tle_parse(const char *text, tle_t *out, char *err, size_t errlen);

/* Reads and parses a TLE file; -1 with a message (file, line) on error. */
int tle_load_file(const char *path, tle_t *out, char *err, size_t errlen);

/* Julian date (split in a whole and a fractional part) of a UTC calendar time. */
void tle_jday(int year, int mon, int day, int hr, int minute, double sec, double *jd, double *jdfrac);

/* The epoch as "2025-11-09T23:14:21Z" (out: at least 21 bytes). */
void tle_epoch_iso(const tle_t *t, char *out, size_t outlen);

#endif /* ISS_TLE_H */
