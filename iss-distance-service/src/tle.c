/* iss-distance-service/src/tle.c: TLE parsing (see tle.h). Fields are read
 * by their fixed columns, as the format defines them; each line's modulo-10
 * checksum is verified. The epoch is converted like the reference SGP4
 * code does (days2mdhms + jday), so times match other SGP4 programs. */
#include "tle.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies columns [from, to] (1-based, inclusive) of line into buf. */
static void field(const char *line, int from, int to, char *buf) {
  int n = to - from + 1;
  memcpy(buf, line + from - 1, (size_t)n);
  buf[n] = '\0';
}

/* A field in the TLE's decimal notation: spaces, an optional sign, digits
 * with at most one '.', spaces. Not strtod's wider language: "nan", "inf",
 * hex and exponents are refused (an exponent made an epoch day of 1e300,
 * which no int can hold: found by fuzz/fuzz_tle.c). */
static int parse_double(const char *s, double *out) {
  while (*s == ' ') s++;
  const char *p = s + (*s == '-' || *s == '+');
  int digits = 0, dots = 0;
  for (; *p && *p != ' '; p++) {
    if (isdigit((unsigned char)*p)) digits++;
    else if (*p == '.' && !dots) dots++;
    else return -1;
  }
  while (*p == ' ') p++;
  if (!digits || *p) return -1;
  *out = strtod(s, NULL);
  return 0;
}

/* v within [lo, hi]. */
static int in_range(double v, double lo, double hi) { return v >= lo && v <= hi; }

/* "ddddd-e" with an implied leading decimal point (e.g. " 16179-3"). */
static int parse_implied(const char *s, double *out) {
  char mant[16], sign = '+';
  while (*s == ' ') s++;
  if (*s == '-' || *s == '+') sign = *s++;
  size_t n = strcspn(s, "+-");
  if (n == 0 || n > 8) return -1;
  snprintf(mant, sizeof mant, "0.%.*s", (int)n, s);
  double m;
  if (parse_double(mant, &m)) return -1;
  int e = 0;
  if (s[n]) { /* the exponent: a sign and one digit (a longer one made B* inf: fuzz_tle) */
    const char *x = s + n + 1;
    if (!isdigit((unsigned char)x[0])) return -1;
    for (const char *t = x + 1; *t; t++)
      if (*t != ' ') return -1;
    e = (x[0] - '0') * (s[n] == '-' ? -1 : 1);
  }
  *out = (sign == '-' ? -m : m) * pow(10.0, e);
  return 0;
}

static int checksum_ok(const char *line) {
  int sum = 0;
  for (int i = 0; i < 68; i++) {
    if (isdigit((unsigned char)line[i])) sum += line[i] - '0';
    else if (line[i] == '-') sum += 1;
  }
  return line[68] - '0' == sum % 10;
}

void tle_jday(int year, int mon, int day, int hr, int minute, double sec, double *jd, double *jdfrac) {
  *jd = 367.0 * year - floor((7 * (year + floor((mon + 9) / 12.0))) * 0.25) +
        floor(275 * mon / 9.0) + day + 1721013.5;
  *jdfrac = (sec + minute * 60.0 + hr * 3600.0) / 86400.0;
  if (fabs(*jdfrac) > 1.0) {
    double whole = floor(*jdfrac);
    *jd += whole;
    *jdfrac -= whole;
  }
}

static void days2mdhms(int year, double days, int *mon, int *day, int *hr, int *minute, double *sec) {
  int lmonth[] = {31, (year % 4 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int dayofyr = (int)floor(days);
  int i = 1, inttemp = 0;
  while (dayofyr > inttemp + lmonth[i - 1] && i < 12) {
    inttemp += lmonth[i - 1];
    i++;
  }
  *mon = i;
  *day = dayofyr - inttemp;
  double temp = (days - dayofyr) * 24.0;
  *hr = (int)floor(temp);
  temp = (temp - *hr) * 60.0;
  *minute = (int)floor(temp);
  *sec = (temp - *minute) * 60.0;
}

static int fail(char *err, size_t errlen, const char *msg, int line) {
  snprintf(err, errlen, "TLE line %d: %s", line, msg);
  return -1;
}

int tle_parse(const char *text, tle_t *out, char *err, size_t errlen) {
  memset(out, 0, sizeof(*out));
  char lines[3][130];
  int count = 0;
  const char *p = text;
  while (*p && count < 3) {
    size_t n = strcspn(p, "\r\n");
    if (n > 0) {
      if (n >= sizeof lines[0]) return fail(err, errlen, "longer than 129 characters", count + 1);
      memcpy(lines[count], p, n);
      lines[count][n] = '\0';
      count++;
    }
    p += n;
    while (*p == '\r' || *p == '\n') p++;
  }
  int first = count == 3 ? 1 : 0;
  if (count < 2 || (count == 3 && lines[0][0] == '1'))
    return fail(err, errlen, "expected two element lines (optionally after a name line)", count + 1);
  if (first) {
    const char *name = lines[0];
    if (name[0] == '0' && name[1] == ' ') name += 2;
    snprintf(out->name, sizeof out->name, "%.*s", (int)sizeof out->name - 1, name);
    size_t n = strlen(out->name);
    while (n && out->name[n - 1] == ' ') out->name[--n] = '\0';
  }
  const char *l1 = lines[first], *l2 = lines[first + 1];
  if (strlen(l1) < 69 || l1[0] != '1') return fail(err, errlen, "line 1 must start with '1' and have 69 columns", 1);
  if (strlen(l2) < 69 || l2[0] != '2') return fail(err, errlen, "line 2 must start with '2' and have 69 columns", 2);
  if (!checksum_ok(l1)) return fail(err, errlen, "checksum does not match", 1);
  if (!checksum_ok(l2)) return fail(err, errlen, "checksum does not match", 2);

  char buf[32];
  double v;
  field(l1, 3, 7, buf);
  out->catalog_number = atoi(buf);
  field(l1, 19, 20, buf);
  int yy = atoi(buf);
  out->epoch_year = yy < 57 ? 2000 + yy : 1900 + yy;
  field(l1, 21, 32, buf);
  if (parse_double(buf, &out->epoch_days) || !in_range(out->epoch_days, 1, 367))
    return fail(err, errlen, "bad epoch day", 1);
  field(l1, 54, 61, buf);
  if (parse_implied(buf, &out->bstar)) return fail(err, errlen, "bad B* drag term", 1);
  field(l2, 9, 16, buf);
  if (parse_double(buf, &out->inclination_deg) || !in_range(out->inclination_deg, 0, 180))
    return fail(err, errlen, "bad inclination", 2);
  field(l2, 18, 25, buf);
  if (parse_double(buf, &out->raan_deg) || !in_range(out->raan_deg, 0, 360))
    return fail(err, errlen, "bad right ascension", 2);
  field(l2, 27, 33, buf);
  char ecc[40];
  snprintf(ecc, sizeof ecc, "0.%s", buf);
  if (parse_double(ecc, &out->eccentricity)) return fail(err, errlen, "bad eccentricity", 2);
  field(l2, 35, 42, buf);
  if (parse_double(buf, &out->arg_perigee_deg) || !in_range(out->arg_perigee_deg, 0, 360))
    return fail(err, errlen, "bad argument of perigee", 2);
  field(l2, 44, 51, buf);
  if (parse_double(buf, &out->mean_anomaly_deg) || !in_range(out->mean_anomaly_deg, 0, 360))
    return fail(err, errlen, "bad mean anomaly", 2);
  field(l2, 53, 63, buf);
  if (parse_double(buf, &v) || v <= 0) return fail(err, errlen, "bad mean motion", 2);
  out->mean_motion_rev_day = v;

  int mon, day, hr, minute;
  double sec;
  days2mdhms(out->epoch_year, out->epoch_days, &mon, &day, &hr, &minute, &sec);
  tle_jday(out->epoch_year, mon, day, hr, minute, sec, &out->jd_epoch, &out->jd_epoch_frac);
  return 0;
}

int tle_load_file(const char *path, tle_t *out, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot open TLE file %s", path);
    return -1;
  }
  char text[1024];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  char inner[200];
  if (tle_parse(text, out, inner, sizeof inner) == 0) return 0;
  snprintf(err, errlen, "%s: %s", path, inner);
  return -1;
}

void tle_epoch_iso(const tle_t *t, char *out, size_t outlen) {
  int mon, day, hr, minute;
  double sec;
  days2mdhms(t->epoch_year, t->epoch_days, &mon, &day, &hr, &minute, &sec);
  snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", t->epoch_year, mon, day, hr, minute,
           (int)sec);
}
