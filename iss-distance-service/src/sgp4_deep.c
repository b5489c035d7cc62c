/* iss-distance-service/src/sgp4_deep.c: the deep-space (SDP4) part of the
 * SGP4 model, for orbits with a period of 225 minutes or more, written from
 * the published algorithm (Hoots & Roehrich, Spacetrack Report #3;
 * Vallado, Crawford, Hujsak & Kelso, "Revisiting Spacetrack Report #3",
 * AIAA 2006-6753), whose variable names are kept so each line can be
 * checked against the paper. Three pieces:
 *  - init (the paper's dscom + dsinit): the sun's and the moon's geometry at
 *    the epoch give the amplitudes of the lunar-solar periodics and the
 *    secular rates they add; orbits near the 1-day (geosynchronous) or
 *    half-day eccentric (Molniya) commensurability get the coefficients of
 *    the earth-gravity resonance terms;
 *  - secular (dspace): the lunar-solar secular drift plus the resonance
 *    terms, integrated numerically (Euler-Maclaurin, 720-minute steps);
 *  - periodics (dpper): the long-period lunar-solar terms at time t.
 * Variant: Vallado's "improved" operation mode ('i'): sidereal time from the
 * IAU-82 formula, no AFSPC angle wrapping, inclination test on the perturbed
 * inclination. The paper's peo/pinco/plo/pgho/pho are always zero in the
 * 2006 code, so they are left out.
 */
#include "sgp4_deep.h"

#include <math.h>

#define TWO_PI (2.0 * M_PI)
#define DEG2RAD (M_PI / 180.0)
#define X2O3 (2.0 / 3.0)

/* sun and moon: eccentricities, mean motions (rad/min), coupling constants */
#define ZES 0.01675
#define ZEL 0.05490
#define ZNS 1.19459e-5
#define ZNL 1.5835218e-4
#define C1SS 2.9864797e-6
#define C1L 4.7968065e-7
/* earth rotation rate, rad/min */
#define RPTIM 4.37526908801129966e-3

/* Greenwich mean sidereal angle (IAU-82) of a UT1 Julian date, radians. */
static double gstime(double jdut1) {
  double tut1 = (jdut1 - 2451545.0) / 36525.0;
  double temp = -6.2e-6 * tut1 * tut1 * tut1 + 0.093104 * tut1 * tut1 +
                (876600.0 * 3600.0 + 8640184.812866) * tut1 + 67310.54841; /* seconds */
  temp = fmod(temp * DEG2RAD / 240.0, TWO_PI);
  return temp < 0.0 ? temp + TWO_PI : temp;
}

/* The satellite's orbit as the third-body terms see it. */
struct orbit {
  double em, emsq, betasq, rtemsq, sinim, cosim, sinomm, cosomm, xnoi;
};

/* One perturbing body's terms (the paper's s1..s7, z1..z33 for the moon,
 * ss1..ss7, sz1..sz33 for the sun). */
struct body {
  double s1, s2, s3, s4, s5, s6, s7;
  double z1, z2, z3, z11, z12, z13, z21, z22, z23, z31, z32, z33;
};

/* dscom's inner loop for one body, given the body's argument of perigee
 * (zcosg, zsing), inclination (zcosi, zsini) and node relative to the
 * satellite's (zcosh, zsinh) and its coupling constant cc. */
static void body_terms(const struct orbit *o, double zcosg, double zsing, double zcosi,
                       double zsini, double zcosh, double zsinh, double cc, struct body *b) {
  double a1 = zcosg * zcosh + zsing * zcosi * zsinh;
  double a3 = -zsing * zcosh + zcosg * zcosi * zsinh;
  double a7 = -zcosg * zsinh + zsing * zcosi * zcosh;
  double a8 = zsing * zsini;
  double a9 = zsing * zsinh + zcosg * zcosi * zcosh;
  double a10 = zcosg * zsini;
  double a2 = o->cosim * a7 + o->sinim * a8;
  double a4 = o->cosim * a9 + o->sinim * a10;
  double a5 = -o->sinim * a7 + o->cosim * a8;
  double a6 = -o->sinim * a9 + o->cosim * a10;
  double x1 = a1 * o->cosomm + a2 * o->sinomm;
  double x2 = a3 * o->cosomm + a4 * o->sinomm;
  double x3 = -a1 * o->sinomm + a2 * o->cosomm;
  double x4 = -a3 * o->sinomm + a4 * o->cosomm;
  double x5 = a5 * o->sinomm, x6 = a6 * o->sinomm;
  double x7 = a5 * o->cosomm, x8 = a6 * o->cosomm;
  double emsq = o->emsq;
  b->z31 = 12.0 * x1 * x1 - 3.0 * x3 * x3;
  b->z32 = 24.0 * x1 * x2 - 6.0 * x3 * x4;
  b->z33 = 12.0 * x2 * x2 - 3.0 * x4 * x4;
  b->z1 = 3.0 * (a1 * a1 + a2 * a2) + b->z31 * emsq;
  b->z2 = 6.0 * (a1 * a3 + a2 * a4) + b->z32 * emsq;
  b->z3 = 3.0 * (a3 * a3 + a4 * a4) + b->z33 * emsq;
  b->z11 = -6.0 * a1 * a5 + emsq * (-24.0 * x1 * x7 - 6.0 * x3 * x5);
  b->z12 = -6.0 * (a1 * a6 + a3 * a5) + emsq * (-24.0 * (x2 * x7 + x1 * x8) - 6.0 * (x3 * x6 + x4 * x5));
  b->z13 = -6.0 * a3 * a6 + emsq * (-24.0 * x2 * x8 - 6.0 * x4 * x6);
  b->z21 = 6.0 * a2 * a5 + emsq * (24.0 * x1 * x5 - 6.0 * x3 * x7);
  b->z22 = 6.0 * (a4 * a5 + a2 * a6) + emsq * (24.0 * (x2 * x5 + x1 * x6) - 6.0 * (x4 * x7 + x3 * x8));
  b->z23 = 6.0 * a4 * a6 + emsq * (24.0 * x2 * x6 - 6.0 * x4 * x8);
  b->z1 = b->z1 + b->z1 + o->betasq * b->z31;
  b->z2 = b->z2 + b->z2 + o->betasq * b->z32;
  b->z3 = b->z3 + b->z3 + o->betasq * b->z33;
  b->s3 = cc * o->xnoi;
  b->s2 = -0.5 * b->s3 / o->rtemsq;
  b->s4 = b->s3 * o->rtemsq;
  b->s1 = -15.0 * o->em * b->s4;
  b->s5 = x1 * x3 + x2 * x4;
  b->s6 = x2 * x3 + x1 * x4;
  b->s7 = x2 * x4 - x1 * x3;
}

/* Amplitudes of one body's long-period periodics (the tail of dscom);
 * ze is the body's orbital eccentricity. Order: e2 e3 i2 i3 l2 l3 l4 gh2 gh3
 * gh4 h2 h3. */
static void body_amplitudes(const struct body *b, double emsq, double ze, double a[12]) {
  a[0] = 2.0 * b->s1 * b->s6;
  a[1] = 2.0 * b->s1 * b->s7;
  a[2] = 2.0 * b->s2 * b->z12;
  a[3] = 2.0 * b->s2 * (b->z13 - b->z11);
  a[4] = -2.0 * b->s3 * b->z2;
  a[5] = -2.0 * b->s3 * (b->z3 - b->z1);
  a[6] = -2.0 * b->s3 * (-21.0 - 9.0 * emsq) * ze;
  a[7] = 2.0 * b->s4 * b->z32;
  a[8] = 2.0 * b->s4 * (b->z33 - b->z31);
  a[9] = -18.0 * b->s4 * ze;
  a[10] = -2.0 * b->s2 * b->z22;
  a[11] = -2.0 * b->s2 * (b->z23 - b->z21);
}

/* Secular rates one body adds (dsinit), zn its mean motion: eccentricity,
 * inclination, mean anomaly, perigee+node (gh) and node (h, times sin i). */
struct rates {
  double e, i, l, gh, h;
};
static struct rates body_rates(const struct body *b, double emsq, double zn, double inclm) {
  struct rates r;
  r.e = b->s1 * zn * b->s5;
  r.i = b->s2 * zn * (b->z11 + b->z13);
  r.l = -zn * b->s3 * (b->z1 + b->z3 - 14.0 - 6.0 * emsq);
  r.gh = b->s4 * zn * (b->z31 + b->z33 - 6.0);
  r.h = -zn * b->s2 * (b->z21 + b->z23);
  if (inclm < 5.2359877e-2 || inclm > M_PI - 5.2359877e-2) r.h = 0.0; /* within 3 deg of equatorial */
  return r;
}

/* dsinit, half-day resonance (irez 2): coefficients of the ten tesseral
 * terms (Molniya-type orbits, eccentricity >= 0.5). */
static void init_half_day(sgp4_deep_t *d, double em, double emsq, double sinim, double cosim,
                          double nm, double aonv) {
  const double root22 = 1.7891679e-6, root44 = 7.3636953e-9, root54 = 2.1765803e-9;
  const double root32 = 3.7393792e-7, root52 = 1.1428639e-7;
  double cosisq = cosim * cosim, eoc = em * emsq;
  double g201 = -0.306 - (em - 0.64) * 0.440;
  double g211, g310, g322, g410, g422, g520, g521, g532, g533;
  if (em <= 0.65) {
    g211 = 3.616 - 13.2470 * em + 16.2900 * emsq;
    g310 = -19.302 + 117.3900 * em - 228.4190 * emsq + 156.5910 * eoc;
    g322 = -18.9068 + 109.7927 * em - 214.6334 * emsq + 146.5816 * eoc;
    g410 = -41.122 + 242.6940 * em - 471.0940 * emsq + 313.9530 * eoc;
    g422 = -146.407 + 841.8800 * em - 1629.014 * emsq + 1083.4350 * eoc;
    g520 = -532.114 + 3017.977 * em - 5740.032 * emsq + 3708.2760 * eoc;
  } else {
    g211 = -72.099 + 331.819 * em - 508.738 * emsq + 266.724 * eoc;
    g310 = -346.844 + 1582.851 * em - 2415.925 * emsq + 1246.113 * eoc;
    g322 = -342.585 + 1554.908 * em - 2366.899 * emsq + 1215.972 * eoc;
    g410 = -1052.797 + 4758.686 * em - 7193.992 * emsq + 3651.957 * eoc;
    g422 = -3581.690 + 16178.110 * em - 24462.770 * emsq + 12422.520 * eoc;
    if (em > 0.715)
      g520 = -5149.66 + 29936.92 * em - 54087.36 * emsq + 31324.56 * eoc;
    else
      g520 = 1464.74 - 4664.75 * em + 3763.64 * emsq;
  }
  if (em < 0.7) {
    g533 = -919.22770 + 4988.6100 * em - 9064.7700 * emsq + 5542.21 * eoc;
    g521 = -822.71072 + 4568.6173 * em - 8491.4146 * emsq + 5337.524 * eoc;
    g532 = -853.66600 + 4690.2500 * em - 8624.7700 * emsq + 5341.4 * eoc;
  } else {
    g533 = -37995.780 + 161616.52 * em - 229838.20 * emsq + 109377.94 * eoc;
    g521 = -51752.104 + 218913.95 * em - 309468.16 * emsq + 146349.42 * eoc;
    g532 = -40023.880 + 170470.89 * em - 242699.48 * emsq + 115605.82 * eoc;
  }
  double sini2 = sinim * sinim;
  double f220 = 0.75 * (1.0 + 2.0 * cosim + cosisq);
  double f221 = 1.5 * sini2;
  double f321 = 1.875 * sinim * (1.0 - 2.0 * cosim - 3.0 * cosisq);
  double f322 = -1.875 * sinim * (1.0 + 2.0 * cosim - 3.0 * cosisq);
  double f441 = 35.0 * sini2 * f220;
  double f442 = 39.3750 * sini2 * sini2;
  double f522 = 9.84375 * sinim *
                (sini2 * (1.0 - 2.0 * cosim - 5.0 * cosisq) + 0.33333333 * (-2.0 + 4.0 * cosim + 6.0 * cosisq));
  double f523 = sinim * (4.92187512 * sini2 * (-2.0 - 4.0 * cosim + 10.0 * cosisq) +
                         6.56250012 * (1.0 + 2.0 * cosim - 3.0 * cosisq));
  double f542 = 29.53125 * sinim * (2.0 - 8.0 * cosim + cosisq * (-12.0 + 8.0 * cosim + 10.0 * cosisq));
  double f543 = 29.53125 * sinim * (-2.0 - 8.0 * cosim + cosisq * (12.0 + 8.0 * cosim - 10.0 * cosisq));
  double xno2 = nm * nm, ainv2 = aonv * aonv;
  double temp1 = 3.0 * xno2 * ainv2, temp = temp1 * root22;
  d->d2201 = temp * f220 * g201;
  d->d2211 = temp * f221 * g211;
  temp1 = temp1 * aonv;
  temp = temp1 * root32;
  d->d3210 = temp * f321 * g310;
  d->d3222 = temp * f322 * g322;
  temp1 = temp1 * aonv;
  temp = 2.0 * temp1 * root44;
  d->d4410 = temp * f441 * g410;
  d->d4422 = temp * f442 * g422;
  temp1 = temp1 * aonv;
  temp = temp1 * root52;
  d->d5220 = temp * f522 * g520;
  d->d5232 = temp * f523 * g532;
  temp = 2.0 * temp1 * root54;
  d->d5421 = temp * f542 * g521;
  d->d5433 = temp * f543 * g533;
}

/* dsinit, one-day resonance (irez 1): the three terms of geosynchronous orbits. */
static void init_one_day(sgp4_deep_t *d, double emsq, double sinim, double cosim, double nm,
                         double aonv) {
  const double q22 = 1.7891679e-6, q31 = 2.1460748e-6, q33 = 2.2123015e-7;
  double g200 = 1.0 + emsq * (-2.5 + 0.8125 * emsq);
  double g310 = 1.0 + 2.0 * emsq;
  double g300 = 1.0 + emsq * (-6.0 + 6.60937 * emsq);
  double f220 = 0.75 * (1.0 + cosim) * (1.0 + cosim);
  double f311 = 0.9375 * sinim * sinim * (1.0 + 3.0 * cosim) - 0.75 * (1.0 + cosim);
  double f330 = 1.0 + cosim;
  f330 = 1.875 * f330 * f330 * f330;
  double del1 = 3.0 * nm * nm * aonv * aonv;
  d->del2 = 2.0 * del1 * f220 * g200 * q22;
  d->del3 = 3.0 * del1 * f330 * g300 * q33 * aonv;
  d->del1 = del1 * f311 * g310 * q31 * aonv;
}

void sgp4__deep_init(sgp4_t *s, double xke, double eccsq) {
  sgp4_deep_t *d = &s->deep;
  double jd = s->jd_epoch + s->jd_epoch_frac;
  d->gsto = gstime(jd);

  /* dscom: the satellite's orbit and the sun's and moon's at the epoch */
  struct orbit o;
  o.em = s->ecco;
  o.emsq = eccsq;
  o.betasq = 1.0 - eccsq;
  o.rtemsq = sqrt(o.betasq);
  o.sinim = sin(s->inclo);
  o.cosim = cos(s->inclo);
  o.sinomm = sin(s->argpo);
  o.cosomm = cos(s->argpo);
  o.xnoi = 1.0 / s->no_unkozai;
  double snodm = sin(s->nodeo), cnodm = cos(s->nodeo);
  double day = (s->jd_epoch - 2415020.0) + s->jd_epoch_frac; /* days from 1900 Jan 0.5 */
  double xnodce = fmod(4.5236020 - 9.2422029e-4 * day, TWO_PI); /* moon's node */
  double stem = sin(xnodce), ctem = cos(xnodce);
  double zcosil = 0.91375164 - 0.03568096 * ctem;
  double zsinil = sqrt(1.0 - zcosil * zcosil);
  double zsinhl = 0.089683511 * stem / zsinil;
  double zcoshl = sqrt(1.0 - zsinhl * zsinhl);
  double gam = 5.8351514 + 0.0019443680 * day;
  double zx = 0.39785416 * stem / zsinil;
  double zy = zcoshl * ctem + 0.91744867 * zsinhl * stem;
  zx = gam + atan2(zx, zy) - xnodce;
  struct body sun, moon;
  body_terms(&o, 0.1945905, -0.98088458, 0.91744867, 0.39785416, cnodm, snodm, C1SS, &sun);
  body_terms(&o, cos(zx), sin(zx), zcosil, zsinil, zcoshl * cnodm + zsinhl * snodm,
             snodm * zcoshl - cnodm * zsinhl, C1L, &moon);
  d->zmol = fmod(4.7199672 + 0.22997150 * day - gam, TWO_PI);
  d->zmos = fmod(6.2565837 + 0.017201977 * day, TWO_PI);
  double a[12];
  body_amplitudes(&sun, eccsq, ZES, a);
  d->se2 = a[0], d->se3 = a[1], d->si2 = a[2], d->si3 = a[3], d->sl2 = a[4], d->sl3 = a[5];
  d->sl4 = a[6], d->sgh2 = a[7], d->sgh3 = a[8], d->sgh4 = a[9], d->sh2 = a[10], d->sh3 = a[11];
  body_amplitudes(&moon, eccsq, ZEL, a);
  d->ee2 = a[0], d->e3 = a[1], d->xi2 = a[2], d->xi3 = a[3], d->xl2 = a[4], d->xl3 = a[5];
  d->xl4 = a[6], d->xgh2 = a[7], d->xgh3 = a[8], d->xgh4 = a[9], d->xh2 = a[10], d->xh3 = a[11];

  /* dsinit: lunar-solar secular rates */
  struct rates rs = body_rates(&sun, eccsq, ZNS, s->inclo), rl = body_rates(&moon, eccsq, ZNL, s->inclo);
  if (o.sinim != 0.0) rs.h = rs.h / o.sinim;
  d->dedt = rs.e + rl.e;
  d->didt = rs.i + rl.i;
  d->dmdt = rs.l + rl.l;
  d->domdt = rs.gh - o.cosim * rs.h + rl.gh;
  d->dnodt = rs.h;
  if (o.sinim != 0.0) {
    d->domdt = d->domdt - o.cosim / o.sinim * rl.h;
    d->dnodt = d->dnodt + rl.h / o.sinim;
  }

  /* dsinit: resonance */
  double nm = s->no_unkozai, em = s->ecco;
  d->irez = 0;
  if (0.0034906585 < nm && nm < 0.0052359877) d->irez = 1;
  if (8.26e-3 <= nm && nm <= 9.24e-3 && em >= 0.5) d->irez = 2;
  double theta = d->gsto, aonv = pow(nm / xke, X2O3);
  if (d->irez == 2) {
    init_half_day(d, em, eccsq, o.sinim, o.cosim, nm, aonv);
    d->xlamo = fmod(s->mo + s->nodeo + s->nodeo - theta - theta, TWO_PI);
    d->xfact = s->mdot + d->dmdt + 2.0 * (s->nodedot + d->dnodt - RPTIM) - s->no_unkozai;
  } else if (d->irez == 1) {
    init_one_day(d, eccsq, o.sinim, o.cosim, nm, aonv);
    d->xlamo = fmod(s->mo + s->nodeo + s->argpo - theta, TWO_PI);
    d->xfact = s->mdot + (s->argpdot + s->nodedot) - RPTIM + d->dmdt + d->domdt + d->dnodt - s->no_unkozai;
  }
}

/* dspace's derivatives of the resonance terms at (xli, xni, atime):
 * xndt = dn/dt, xldot = dlambda/dt, xnddt = d2n/dt2. */
static void resonance_rates(const sgp4_t *s, double xli, double xni, double atime, double *xndt,
                            double *xldot, double *xnddt) {
  const sgp4_deep_t *d = &s->deep;
  const double fasx2 = 0.13130908, fasx4 = 2.8843198, fasx6 = 0.37448087;
  const double g22 = 5.7686396, g32 = 0.95240898, g44 = 1.8014998, g52 = 1.0508330, g54 = 4.4108898;
  *xldot = xni + d->xfact;
  if (d->irez != 2) {
    *xndt = d->del1 * sin(xli - fasx2) + d->del2 * sin(2.0 * (xli - fasx4)) +
            d->del3 * sin(3.0 * (xli - fasx6));
    *xnddt = d->del1 * cos(xli - fasx2) + 2.0 * d->del2 * cos(2.0 * (xli - fasx4)) +
             3.0 * d->del3 * cos(3.0 * (xli - fasx6));
  } else {
    double xomi = s->argpo + s->argpdot * atime, x2omi = xomi + xomi, x2li = xli + xli;
    *xndt = d->d2201 * sin(x2omi + xli - g22) + d->d2211 * sin(xli - g22) +
            d->d3210 * sin(xomi + xli - g32) + d->d3222 * sin(-xomi + xli - g32) +
            d->d4410 * sin(x2omi + x2li - g44) + d->d4422 * sin(x2li - g44) +
            d->d5220 * sin(xomi + xli - g52) + d->d5232 * sin(-xomi + xli - g52) +
            d->d5421 * sin(xomi + x2li - g54) + d->d5433 * sin(-xomi + x2li - g54);
    *xnddt = d->d2201 * cos(x2omi + xli - g22) + d->d2211 * cos(xli - g22) +
             d->d3210 * cos(xomi + xli - g32) + d->d3222 * cos(-xomi + xli - g32) +
             d->d5220 * cos(xomi + xli - g52) + d->d5232 * cos(-xomi + xli - g52) +
             2.0 * (d->d4410 * cos(x2omi + x2li - g44) + d->d4422 * cos(x2li - g44) +
                    d->d5421 * cos(xomi + x2li - g54) + d->d5433 * cos(-xomi + x2li - g54));
  }
  *xnddt = *xnddt * *xldot;
}

void sgp4__deep_secular(const sgp4_t *s, double t, sgp4__elems_t *m) {
  const sgp4_deep_t *d = &s->deep;
  const double step = t > 0.0 ? 720.0 : -720.0, step2 = 259200.0; /* step2 = 720^2 / 2 */
  double theta = fmod(d->gsto + t * RPTIM, TWO_PI);
  m->e = m->e + d->dedt * t;
  m->incl = m->incl + d->didt * t;
  m->argp = m->argp + d->domdt * t;
  m->node = m->node + d->dnodt * t;
  m->m = m->m + d->dmdt * t;
  if (d->irez == 0) return;

  /* Euler-Maclaurin integration of mean motion (xni) and resonance angle
   * (xli) from the epoch in whole steps, then a Taylor step to t */
  double atime = 0.0, xni = s->no_unkozai, xli = d->xlamo, xndt, xldot, xnddt;
  for (;;) {
    resonance_rates(s, xli, xni, atime, &xndt, &xldot, &xnddt);
    if (fabs(t - atime) < 720.0) break;
    xli = xli + xldot * step + xndt * step2;
    xni = xni + xndt * step + xnddt * step2;
    atime = atime + step;
  }
  double ft = t - atime;
  double nm = xni + xndt * ft + xnddt * ft * ft * 0.5;
  double xl = xli + xldot * ft + xndt * ft * ft * 0.5;
  if (d->irez != 1)
    m->m = xl - 2.0 * m->node + 2.0 * theta;
  else
    m->m = xl - m->node - m->argp + theta;
  double dndt = nm - s->no_unkozai;
  m->n = s->no_unkozai + dndt;
}

/* One body's phase at time t: f2, f3 and sin(zf) of the periodics. */
static void body_phase(double zm0, double zn, double ze, double t, double *f2, double *f3, double *sinzf) {
  double zm = zm0 + zn * t;
  double zf = zm + 2.0 * ze * sin(zm);
  *sinzf = sin(zf);
  *f2 = 0.5 * *sinzf * *sinzf - 0.25;
  *f3 = -0.5 * *sinzf * cos(zf);
}

void sgp4__deep_periodics(const sgp4_deep_t *d, double t, sgp4__elems_t *p) {
  double f2, f3, sinzf;
  body_phase(d->zmos, ZNS, ZES, t, &f2, &f3, &sinzf);
  double ses = d->se2 * f2 + d->se3 * f3;
  double sis = d->si2 * f2 + d->si3 * f3;
  double sls = d->sl2 * f2 + d->sl3 * f3 + d->sl4 * sinzf;
  double sghs = d->sgh2 * f2 + d->sgh3 * f3 + d->sgh4 * sinzf;
  double shs = d->sh2 * f2 + d->sh3 * f3;
  body_phase(d->zmol, ZNL, ZEL, t, &f2, &f3, &sinzf);
  double sel = d->ee2 * f2 + d->e3 * f3;
  double sil = d->xi2 * f2 + d->xi3 * f3;
  double sll = d->xl2 * f2 + d->xl3 * f3 + d->xl4 * sinzf;
  double sghl = d->xgh2 * f2 + d->xgh3 * f3 + d->xgh4 * sinzf;
  double shll = d->xh2 * f2 + d->xh3 * f3;
  double pe = ses + sel, pinc = sis + sil, pl = sls + sll, pgh = sghs + sghl, ph = shs + shll;

  p->incl = p->incl + pinc;
  p->e = p->e + pe;
  double sinip = sin(p->incl), cosip = cos(p->incl);
  if (p->incl >= 0.2) { /* apply the periodics directly */
    ph = ph / sinip;
    pgh = pgh - cosip * ph;
    p->argp = p->argp + pgh;
    p->node = p->node + ph;
    p->m = p->m + pl;
    return;
  }
  /* Lyddane's modification, which avoids dividing by a small sin(i) */
  double sinop = sin(p->node), cosop = cos(p->node);
  double alfdp = sinip * sinop + (ph * cosop + pinc * cosip * sinop);
  double betdp = sinip * cosop + (-ph * sinop + pinc * cosip * cosop);
  double nodep = fmod(p->node, TWO_PI);
  double xls = p->m + p->argp + pl + pgh + (cosip - pinc * sinip) * nodep;
  double xnoh = nodep;
  nodep = atan2(alfdp, betdp);
  if (fabs(xnoh - nodep) > M_PI) nodep = nodep < xnoh ? nodep + TWO_PI : nodep - TWO_PI;
  p->node = nodep;
  p->m = p->m + pl;
  p->argp = xls - p->m - cosip * nodep;
}
