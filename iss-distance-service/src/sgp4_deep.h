/* iss-distance-service/src/sgp4_deep.h: internal interface between sgp4.c
 * and sgp4_deep.c, the deep-space (SDP4) terms for orbits with a period of
 * 225 minutes or more: lunar-solar secular rates and periodics and the
 * 12 h / 24 h resonance integrator (dscom, dsinit, dspace, dpper in Vallado
 * et al. 2006). Not for callers outside the SGP4 model.
 */
#ifndef ISS_SGP4_DEEP_H
#define ISS_SGP4_DEEP_H

#include "sgp4.h"

/* Mean elements (radians, rad/min) handed to and back from the deep-space
 * terms: eccentricity, inclination, node, argument of perigee, mean anomaly
 * and mean motion. */
typedef struct sgp4__elems {
  double e, incl, node, argp, m, n;
} sgp4__elems_t;

/* Fills s->deep from the epoch elements of s (ecco, inclo, nodeo, argpo,
 * mo, no_unkozai, jd_epoch) and the near-earth secular rates already set in
 * s (mdot, argpdot, nodedot). xke: sqrt(mu) in earth radii^1.5 per minute;
 * eccsq: ecco squared. */
void sgp4__deep_init(sgp4_t *s, double xke, double eccsq);

/* Secular lunar-solar effects and resonance `t` minutes after the epoch:
 * adds them to the mean elements in m (n is replaced when resonant). The
 * resonance integration restarts from the epoch on every call (at most
 * |t| / 720 steps), which gives the same numbers as Vallado's code that
 * keeps the last step in the model, without mutable state. */
void sgp4__deep_secular(const sgp4_t *s, double t, sgp4__elems_t *m);

/* Long-period lunar-solar periodics `t` minutes after the epoch applied to
 * e, incl, node, argp and m (Lyddane's form below 0.2 rad inclination). */
void sgp4__deep_periodics(const sgp4_deep_t *d, double t, sgp4__elems_t *p);

#endif /* ISS_SGP4_DEEP_H */
