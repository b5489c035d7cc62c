/* iss-distance-service/src/sgp4.c: SGP4 propagation, written from the
 * published equations (Spacetrack Report #3; Vallado et al. 2006, whose
 * variable names are kept so each line can be checked against the paper).
 * Two steps: sgp4_init computes the secular coefficients once per TLE;
 * sgp4_propagate applies drag, secular gravity, long- and short-period
 * periodics, solves Kepler's equation and returns the TEME state. Orbits of
 * 225 minutes or more also get the deep-space (SDP4) lunar-solar and
 * resonance terms of sgp4_deep.c at the two points the paper calls them.
 */
#include "sgp4.h"

#include "sgp4_deep.h"

#include <math.h>
#include <string.h>

/* WGS-72, the constants the published element sets are fitted with. */
#define MU 398600.8            /* km^3/s^2 */
#define RADIUS_EARTH_KM 6378.135
#define J2 0.001082616
#define J3 -0.00000253881
#define J4 -0.00000165597
#define TWO_PI (2.0 * M_PI)
#define DEG2RAD (M_PI / 180.0)
#define X2O3 (2.0 / 3.0)
#define MINUTES_PER_DAY 1440.0

static double xke(void) { return 60.0 / sqrt(RADIUS_EARTH_KM * RADIUS_EARTH_KM * RADIUS_EARTH_KM / MU); }

const char *sgp4_strerror(sgp4_err_t err) {
  switch (err) {
  case SGP4_OK: return "ok";
  case SGP4_E_ECCENTRICITY: return "mean eccentricity out of range";
  case SGP4_E_MEAN_MOTION: return "mean motion below zero";
  case SGP4_E_PERT_ECC: return "perturbed eccentricity out of range";
  case SGP4_E_SEMI_LATUS: return "semi-latus rectum below zero";
  case SGP4_E_DECAYED: return "orbit has decayed";
  }
  return "unknown SGP4 error";
}

sgp4_err_t sgp4_init(sgp4_t *s, const tle_t *t) {
  memset(s, 0, sizeof(*s));
  const double j3oj2 = J3 / J2, ke = xke();
  s->bstar = t->bstar;
  s->ecco = t->eccentricity;
  s->argpo = t->arg_perigee_deg * DEG2RAD;
  s->inclo = t->inclination_deg * DEG2RAD;
  s->mo = t->mean_anomaly_deg * DEG2RAD;
  s->nodeo = t->raan_deg * DEG2RAD;
  s->jd_epoch = t->jd_epoch;
  s->jd_epoch_frac = t->jd_epoch_frac;
  double no_kozai = t->mean_motion_rev_day / (MINUTES_PER_DAY / TWO_PI); /* rad/min */

  /* initl: recover the original (un-Kozai'd) mean motion and semi-major axis */
  double eccsq = s->ecco * s->ecco, omeosq = 1.0 - eccsq, rteosq = sqrt(omeosq);
  double cosio = cos(s->inclo), cosio2 = cosio * cosio;
  double ak = pow(ke / no_kozai, X2O3);
  double d1 = 0.75 * J2 * (3.0 * cosio2 - 1.0) / (rteosq * omeosq);
  double del = d1 / (ak * ak);
  double adel = ak * (1.0 - del * del - del * (1.0 / 3.0 + 134.0 * del * del / 81.0));
  del = d1 / (adel * adel);
  s->no_unkozai = no_kozai / (1.0 + del);
  double ao = pow(ke / s->no_unkozai, X2O3);
  double sinio = sin(s->inclo), po = ao * omeosq;
  double con42 = 1.0 - 5.0 * cosio2;
  s->con41 = -con42 - cosio2 - cosio2;
  double posq = po * po, rp = ao * (1.0 - s->ecco);

  if (omeosq < 0.0 && s->no_unkozai < 0.0) return SGP4_E_MEAN_MOTION;

  /* atmospheric density parameters, adjusted for low perigees */
  double ss = 78.0 / RADIUS_EARTH_KM + 1.0;
  double qzms2t = pow((120.0 - 78.0) / RADIUS_EARTH_KM, 4);
  s->isimp = rp < 220.0 / RADIUS_EARTH_KM + 1.0;
  double sfour = ss, qzms24 = qzms2t, perige = (rp - 1.0) * RADIUS_EARTH_KM;
  if (perige < 156.0) {
    sfour = perige < 98.0 ? 20.0 : perige - 78.0;
    qzms24 = pow((120.0 - sfour) / RADIUS_EARTH_KM, 4);
    sfour = sfour / RADIUS_EARTH_KM + 1.0;
  }
  double pinvsq = 1.0 / posq, tsi = 1.0 / (ao - sfour);
  s->eta = ao * s->ecco * tsi;
  double etasq = s->eta * s->eta, eeta = s->ecco * s->eta, psisq = fabs(1.0 - etasq);
  double coef = qzms24 * pow(tsi, 4), coef1 = coef / pow(psisq, 3.5);
  double cc2 = coef1 * s->no_unkozai *
               (ao * (1.0 + 1.5 * etasq + eeta * (4.0 + etasq)) +
                0.375 * J2 * tsi / psisq * s->con41 * (8.0 + 3.0 * etasq * (8.0 + etasq)));
  s->cc1 = s->bstar * cc2;
  double cc3 = s->ecco > 1.0e-4 ? -2.0 * coef * tsi * j3oj2 * s->no_unkozai * sinio / s->ecco : 0.0;
  s->x1mth2 = 1.0 - cosio2;
  s->cc4 = 2.0 * s->no_unkozai * coef1 * ao * omeosq *
           (s->eta * (2.0 + 0.5 * etasq) + s->ecco * (0.5 + 2.0 * etasq) -
            J2 * tsi / (ao * psisq) *
                (-3.0 * s->con41 * (1.0 - 2.0 * eeta + etasq * (1.5 - 0.5 * eeta)) +
                 0.75 * s->x1mth2 * (2.0 * etasq - eeta * (1.0 + etasq)) * cos(2.0 * s->argpo)));
  s->cc5 = 2.0 * coef1 * ao * omeosq * (1.0 + 2.75 * (etasq + eeta) + eeta * etasq);

  /* secular rates of mean anomaly, argument of perigee and node */
  double cosio4 = cosio2 * cosio2;
  double temp1 = 1.5 * J2 * pinvsq * s->no_unkozai;
  double temp2 = 0.5 * temp1 * J2 * pinvsq;
  double temp3 = -0.46875 * J4 * pinvsq * pinvsq * s->no_unkozai;
  s->mdot = s->no_unkozai + 0.5 * temp1 * rteosq * s->con41 +
            0.0625 * temp2 * rteosq * (13.0 - 78.0 * cosio2 + 137.0 * cosio4);
  s->argpdot = -0.5 * temp1 * con42 + 0.0625 * temp2 * (7.0 - 114.0 * cosio2 + 395.0 * cosio4) +
               temp3 * (3.0 - 36.0 * cosio2 + 49.0 * cosio4);
  double xhdot1 = -temp1 * cosio;
  s->nodedot = xhdot1 + (0.5 * temp2 * (4.0 - 19.0 * cosio2) + 2.0 * temp3 * (3.0 - 7.0 * cosio2)) * cosio;
  s->omgcof = s->bstar * cc3 * cos(s->argpo);
  s->xmcof = s->ecco > 1.0e-4 ? -X2O3 * coef * s->bstar / eeta : 0.0;
  s->nodecf = 3.5 * omeosq * xhdot1 * s->cc1;
  s->t2cof = 1.5 * s->cc1;
  double denom = fabs(cosio + 1.0) > 1.5e-12 ? 1.0 + cosio : 1.5e-12;
  s->xlcof = -0.25 * j3oj2 * sinio * (3.0 + 5.0 * cosio) / denom;
  s->aycof = -0.5 * j3oj2 * sinio;
  double delmotemp = 1.0 + s->eta * cos(s->mo);
  s->delmo = delmotemp * delmotemp * delmotemp;
  s->sinmao = sin(s->mo);
  s->x7thm1 = 7.0 * cosio2 - 1.0;

  if (TWO_PI / s->no_unkozai >= 225.0) { /* deep space: no higher-order drag */
    s->is_deep = 1;
    s->isimp = 1;
    sgp4__deep_init(s, ke, eccsq);
  }

  if (!s->isimp) { /* higher-order drag terms */
    double cc1sq = s->cc1 * s->cc1;
    s->d2 = 4.0 * ao * tsi * cc1sq;
    double temp = s->d2 * tsi * s->cc1 / 3.0;
    s->d3 = (17.0 * ao + sfour) * temp;
    s->d4 = 0.5 * temp * ao * tsi * (221.0 * ao + 31.0 * sfour) * s->cc1;
    s->t3cof = s->d2 + 2.0 * cc1sq;
    s->t4cof = 0.25 * (3.0 * s->d3 + s->cc1 * (12.0 * s->d2 + 10.0 * cc1sq));
    s->t5cof = 0.2 * (3.0 * s->d4 + 12.0 * s->cc1 * s->d3 + 6.0 * s->d2 * s->d2 +
                      15.0 * cc1sq * (2.0 * s->d2 + cc1sq));
  }
  double r[3], v[3];
  return sgp4_propagate(s, 0.0, r, v);
}

sgp4_err_t sgp4_propagate(const sgp4_t *s, double t, double r[3], double v[3]) {
  const double ke = xke(), j3oj2 = J3 / J2, vkmpersec = RADIUS_EARTH_KM * ke / 60.0;
  /* secular gravity and atmospheric drag */
  double xmdf = s->mo + s->mdot * t;
  double argpdf = s->argpo + s->argpdot * t;
  double nodedf = s->nodeo + s->nodedot * t;
  double argpm = argpdf, mm = xmdf, t2 = t * t;
  double nodem = nodedf + s->nodecf * t2;
  double tempa = 1.0 - s->cc1 * t, tempe = s->bstar * s->cc4 * t, templ = s->t2cof * t2;
  if (!s->isimp) {
    double delomg = s->omgcof * t;
    double delmtemp = 1.0 + s->eta * cos(xmdf);
    double delm = s->xmcof * (delmtemp * delmtemp * delmtemp - s->delmo);
    double temp = delomg + delm;
    mm = xmdf + temp;
    argpm = argpdf - temp;
    double t3 = t2 * t, t4 = t3 * t;
    tempa = tempa - s->d2 * t2 - s->d3 * t3 - s->d4 * t4;
    tempe = tempe + s->bstar * s->cc5 * (sin(mm) - s->sinmao);
    templ = templ + s->t3cof * t3 + t4 * (s->t4cof + t * s->t5cof);
  }
  double nm = s->no_unkozai, em = s->ecco, inclm = s->inclo;
  if (s->is_deep) { /* lunar-solar secular terms and resonance */
    sgp4__elems_t m = {em, inclm, nodem, argpm, mm, nm};
    sgp4__deep_secular(s, t, &m);
    em = m.e, inclm = m.incl, nodem = m.node, argpm = m.argp, mm = m.m, nm = m.n;
  }
  if (nm <= 0.0) return SGP4_E_MEAN_MOTION;
  double am = pow(ke / nm, X2O3) * tempa * tempa;
  nm = ke / pow(am, 1.5);
  em = em - tempe;
  if (em >= 1.0 || em < -0.001) return SGP4_E_ECCENTRICITY;
  if (em < 1.0e-6) em = 1.0e-6;
  mm = mm + s->no_unkozai * templ;
  double xlm = mm + argpm + nodem;
  nodem = fmod(nodem, TWO_PI);
  argpm = fmod(argpm, TWO_PI);
  xlm = fmod(xlm, TWO_PI);
  mm = fmod(xlm - argpm - nodem, TWO_PI);

  /* long-period periodics */
  double ep = em, xincp = inclm, argpp = argpm, nodep = nodem, mp = mm;
  double aycof = s->aycof, xlcof = s->xlcof, con41 = s->con41, x1mth2 = s->x1mth2, x7thm1 = s->x7thm1;
  if (s->is_deep) { /* lunar-solar periodics; coefficients of the perturbed inclination */
    sgp4__elems_t p = {ep, xincp, nodep, argpp, mp, nm};
    sgp4__deep_periodics(&s->deep, t, &p);
    ep = p.e, xincp = p.incl, nodep = p.node, argpp = p.argp, mp = p.m;
    if (xincp < 0.0) {
      xincp = -xincp;
      nodep = nodep + M_PI;
      argpp = argpp - M_PI;
    }
    if (ep < 0.0 || ep > 1.0) return SGP4_E_PERT_ECC;
  }
  double sinip = sin(xincp), cosip = cos(xincp);
  if (s->is_deep) {
    aycof = -0.5 * j3oj2 * sinip;
    double denom = fabs(cosip + 1.0) > 1.5e-12 ? 1.0 + cosip : 1.5e-12;
    xlcof = -0.25 * j3oj2 * sinip * (3.0 + 5.0 * cosip) / denom;
    double cosisq = cosip * cosip;
    con41 = 3.0 * cosisq - 1.0;
    x1mth2 = 1.0 - cosisq;
    x7thm1 = 7.0 * cosisq - 1.0;
  }
  double axnl = ep * cos(argpp);
  double temp = 1.0 / (am * (1.0 - ep * ep));
  double aynl = ep * sin(argpp) + temp * aycof;
  double xl = mp + argpp + nodep + temp * xlcof * axnl;

  /* Kepler's equation */
  double u = fmod(xl - nodep, TWO_PI), eo1 = u, tem5 = 9999.9, sineo1 = 0, coseo1 = 0;
  for (int ktr = 1; fabs(tem5) >= 1.0e-12 && ktr <= 10; ktr++) {
    sineo1 = sin(eo1);
    coseo1 = cos(eo1);
    tem5 = 1.0 - coseo1 * axnl - sineo1 * aynl;
    tem5 = (u - aynl * coseo1 + axnl * sineo1 - eo1) / tem5;
    if (fabs(tem5) >= 0.95) tem5 = tem5 > 0.0 ? 0.95 : -0.95;
    eo1 = eo1 + tem5;
  }

  /* short-period periodics */
  double ecose = axnl * coseo1 + aynl * sineo1;
  double esine = axnl * sineo1 - aynl * coseo1;
  double el2 = axnl * axnl + aynl * aynl;
  double pl = am * (1.0 - el2);
  if (pl < 0.0) return SGP4_E_SEMI_LATUS;
  double rl = am * (1.0 - ecose);
  double rdotl = sqrt(am) * esine / rl;
  double rvdotl = sqrt(pl) / rl;
  double betal = sqrt(1.0 - el2);
  temp = esine / (1.0 + betal);
  double sinu = am / rl * (sineo1 - aynl - axnl * temp);
  double cosu = am / rl * (coseo1 - axnl + aynl * temp);
  double su = atan2(sinu, cosu);
  double sin2u = (cosu + cosu) * sinu, cos2u = 1.0 - 2.0 * sinu * sinu;
  temp = 1.0 / pl;
  double temp1 = 0.5 * J2 * temp, temp2 = temp1 * temp;
  double mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u;
  su = su - 0.25 * temp2 * x7thm1 * sin2u;
  double xnode = nodep + 1.5 * temp2 * cosip * sin2u;
  double xinc = xincp + 1.5 * temp2 * cosip * sinip * cos2u;
  double mvt = rdotl - nm * temp1 * x1mth2 * sin2u / ke;
  double rvdot = rvdotl + nm * temp1 * (x1mth2 * cos2u + 1.5 * con41) / ke;

  /* orientation vectors, then position and velocity */
  double sinsu = sin(su), cossu = cos(su), snod = sin(xnode), cnod = cos(xnode);
  double sini = sin(xinc), cosi = cos(xinc);
  double xmx = -snod * cosi, xmy = cnod * cosi;
  double ux = xmx * sinsu + cnod * cossu, uy = xmy * sinsu + snod * cossu, uz = sini * sinsu;
  double vx = xmx * cossu - cnod * sinsu, vy = xmy * cossu - snod * sinsu, vz = sini * cossu;
  r[0] = mrt * ux * RADIUS_EARTH_KM;
  r[1] = mrt * uy * RADIUS_EARTH_KM;
  r[2] = mrt * uz * RADIUS_EARTH_KM;
  v[0] = (mvt * ux + rvdot * vx) * vkmpersec;
  v[1] = (mvt * uy + rvdot * vy) * vkmpersec;
  v[2] = (mvt * uz + rvdot * vz) * vkmpersec;
  return mrt < 1.0 ? SGP4_E_DECAYED : SGP4_OK;
}

double sgp4_minutes_since_epoch(const sgp4_t *s, double jd, double jdfrac) {
  return (jd - s->jd_epoch) * MINUTES_PER_DAY + (jdfrac - s->jd_epoch_frac) * MINUTES_PER_DAY;
}
