/* iss-distance-service/src/sgp4.h: the SGP4 orbit model (Hoots & Roehrich,
 * Spacetrack Report #3, as revised by Vallado, Crawford, Hujsak & Kelso,
 * "Revisiting Spacetrack Report #3", 2006), WGS-72 constants, "improved"
 * operation mode ('i'). Near-earth orbits (period under 225 minutes, the ISS)
 * use SGP4 proper; deep-space orbits (225 minutes or more) add the SDP4
 * lunar-solar and resonance terms (sgp4_deep.c).
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
  SGP4_E_DECAYED = 6         /* the orbit has decayed (radius below one earth radius) */
} sgp4_err_t;

const char *sgp4_strerror(sgp4_err_t err);

/* Deep-space (SDP4) coefficients, set by sgp4_init for periods of 225
 * minutes or more and used only by sgp4_deep.c; names as in Vallado 2006. */
typedef struct sgp4_deep {
  double gsto;                          /* Greenwich sidereal angle at epoch, rad */
  /* lunar-solar periodics: solar (s*) and lunar (x*, ee2, e3) amplitudes */
  double se2, se3, si2, si3, sl2, sl3, sl4, sgh2, sgh3, sgh4, sh2, sh3;
  double ee2, e3, xi2, xi3, xl2, xl3, xl4, xgh2, xgh3, xgh4, xh2, xh3;
  double zmos, zmol;                    /* sun and moon mean anomalies at epoch */
  /* lunar-solar secular rates, per minute */
  double dedt, didt, dmdt, dnodt, domdt;
  /* resonance: 0 none, 1 one-day (geosynchronous), 2 half-day (Molniya) */
  int irez;
  double d2201, d2211, d3210, d3222, d4410, d4422, d5220, d5232, d5421, d5433;
  double del1, del2, del3, xfact, xlamo;
} sgp4_deep_t;

/* Model state after initialisation from a TLE. Plain data: copy freely. */
typedef struct sgp4 {
  int isimp;
  int is_deep;                          /* period >= 225 min: `deep` is in use */
  double bstar, ecco, argpo, inclo, mo, no_unkozai, nodeo;
  double aycof, con41, cc1, cc4, cc5, d2, d3, d4, delmo, eta, argpdot, omgcof, sinmao,
      t2cof, t3cof, t4cof, t5cof, x1mth2, x7thm1, mdot, nodedot, xlcof, xmcof, nodecf;
  double jd_epoch, jd_epoch_frac;
  sgp4_deep_t deep;
} sgp4_t;

/* Initialises the model from a parsed TLE. */
sgp4_err_t sgp4_init(sgp4_t *s, const tle_t *t);

/* Position and velocity `minutes` after the TLE epoch (negative: before).
 * Pure: s is only read, so one model may serve several threads. */
sgp4_err_t sgp4_propagate(const sgp4_t *s, double minutes, double r_km[3], double v_km_s[3]);

/* Minutes from the epoch to a Julian date given as whole + fraction. */
double sgp4_minutes_since_epoch(const sgp4_t *s, double jd, double jdfrac);

#endif /* ISS_SGP4_H */
