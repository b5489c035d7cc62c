/* iss-distance-service/src/sgp4.h: the SGP4 orbit model (Hoots & Roehrich,
 * Spacetrack Report #3, as revised by Vallado, Crawford, Hujsak & Kelso,
 * "Revisiting Spacetrack Report #3", 2006), WGS-72 constants, for
 * near-earth orbits (period under 225 minutes), which includes the ISS.
 * Deep-space orbits (SDP4) are refused with SGP4_E_DEEP_SPACE.
 * Output is in the TEME frame: position in km, velocity in km/s.
 */
#ifndef ISS_SGP4_H
#define ISS_SGP4_H

#include "tle.h"

typedef enum sgp4_err {
  SGP4_OK = 0,
  SGP4_E_ECCENTRICITY = 1,   /* mean eccentricity out of range */
  SGP4_E_MEAN_MOTION = 2,    /* mean motion below zero */
  SGP4_E_PERT_ECC = 3,       /* perturbed eccentricity out of range */
  SGP4_E_SEMI_LATUS = 4,     /* semi-latus rectum below zero */
  SGP4_E_DECAYED = 6,        /* the orbit has decayed (radius below one earth radius) */
  SGP4_E_DEEP_SPACE = 100    /* period >= 225 min: needs SDP4, not implemented */
} sgp4_err_t;

const char *sgp4_strerror(sgp4_err_t err);

/* Model state after initialisation from a TLE. Plain data: copy freely. */
typedef struct sgp4 {
  int isimp;
  double bstar, ecco, argpo, inclo, mo, no_unkozai, nodeo;
  double aycof, con41, cc1, cc4, cc5, d2, d3, d4, delmo, eta, argpdot, omgcof, sinmao,
      t2cof, t3cof, t4cof, t5cof, x1mth2, x7thm1, mdot, nodedot, xlcof, xmcof, nodecf;
  double jd_epoch, jd_epoch_frac;
} sgp4_t;

/* Initialises the model from a parsed TLE. */
sgp4_err_t sgp4_init(sgp4_t *s, const tle_t *t);

/* Position and velocity `minutes` after the TLE epoch (negative: before). */
sgp4_err_t sgp4_propagate(const sgp4_t *s, double minutes, double r_km[3], double v_km_s[3]);

/* Minutes from the epoch to a Julian date given as whole + fraction. */
double sgp4_minutes_since_epoch(const sgp4_t *s, double jd, double jdfrac);

#endif /* ISS_SGP4_H */
