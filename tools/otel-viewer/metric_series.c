/* SPDX-License-Identifier: Apache-2.0
 *
 * metric_series.c: what a chart draws from a stream's ring of points.
 *
 *   counters (monotonic sums): a rate per second between consecutive
 *     points; cumulative: (v[i] - v[i-1]) / (t[i] - t[i-1]), a drop is a
 *     reset (then v[i] over the time since its start); delta: v[i] over
 *     the time the point covers;
 *   gauges and up-down counters: the values;
 *   histograms: p50, p95, p99 estimated from the bucket counts of each
 *     interval (cumulative: the difference with the point before, a reset
 *     taken as such; delta: the point's own counts), linear inside the
 *     bucket (vw_histogram_quantile); and their exemplars.
 * Pure.
 */
#include "viewer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const vw_point_t *at(const vw_metric_t *m, size_t i) {
  return &m->ring[(m->ring_head + i) % VW_RING];
}

vw_series_kind_t vw_series_kind(const vw_metric_t *m) {
  if (m->type == VW_METRIC_HISTOGRAM) return VW_SERIES_QUANTILES;
  if (m->type == VW_METRIC_SUM && m->monotonic) return VW_SERIES_RATE;
  return VW_SERIES_VALUE;
}

size_t vw_metric_series(const vw_metric_t *m, vw_series_point_t *out) {
  vw_series_kind_t kind = vw_series_kind(m);
  size_t n = 0;
  bool cumulative = m->temporality != 1;
  for (size_t i = 0; i < m->ring_len; i++) {
    const vw_point_t *p = at(m, i), *prev = i ? at(m, i - 1) : NULL;
    vw_series_point_t s = {.time_ns = p->time_ns, .p50 = NAN, .p95 = NAN, .p99 = NAN, .v = NAN};
    if (kind == VW_SERIES_VALUE) {
      s.v = p->value;
    } else if (kind == VW_SERIES_RATE) {
      uint64_t t0;
      double dv;
      if (!cumulative) {
        t0 = p->start_ns ? p->start_ns : prev ? prev->time_ns : 0;
        dv = p->value;
      } else if (prev && p->value >= prev->value && p->start_ns == prev->start_ns) {
        t0 = prev->time_ns;
        dv = p->value - prev->value;
      } else if (prev || p->start_ns) { /* first point, or a reset: since the start */
        if (!p->start_ns) continue;
        t0 = p->start_ns;
        dv = p->value;
      } else {
        continue;
      }
      if (p->time_ns <= t0) continue;
      s.v = dv / ((double)(p->time_ns - t0) / 1e9);
    } else {
      if (!p->buckets || !p->n_buckets) continue;
      uint64_t *d = malloc(p->n_buckets * sizeof *d);
      if (!d) continue;
      bool reset = !prev || !prev->buckets || prev->n_buckets != p->n_buckets ||
                   prev->count > p->count || prev->start_ns != p->start_ns;
      if (cumulative && !prev && p->start_ns == 0) { free(d); continue; }
      for (size_t b = 0; b < p->n_buckets; b++) {
        uint64_t was = cumulative && !reset ? prev->buckets[b] : 0;
        d[b] = p->buckets[b] >= was ? p->buckets[b] - was : p->buckets[b];
      }
      s.p50 = vw_histogram_quantile(d, p->n_buckets, m->bounds, m->n_bounds, 0.50);
      s.p95 = vw_histogram_quantile(d, p->n_buckets, m->bounds, m->n_bounds, 0.95);
      s.p99 = vw_histogram_quantile(d, p->n_buckets, m->bounds, m->n_bounds, 0.99);
      free(d);
      if (isnan(s.p50)) continue; /* nothing recorded in this interval */
    }
    s.point = p;
    out[n++] = s;
  }
  return n;
}

cJSON *vw_metric_series_json(const vw_metric_t *m) {
  static const char *const kinds[] = {"value", "rate", "quantiles"};
  vw_series_point_t pts[VW_RING];
  size_t n = vw_metric_series(m, pts);
  vw_series_kind_t kind = vw_series_kind(m);
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "service", m->service);
  cJSON_AddStringToObject(o, "name", m->name);
  cJSON_AddStringToObject(o, "unit", m->unit);
  cJSON_AddStringToObject(o, "attributes", m->attrs);
  cJSON_AddStringToObject(o, "kind", kinds[kind]);
  cJSON *arr = cJSON_AddArrayToObject(o, "points"), *ex = cJSON_AddArrayToObject(o, "exemplars");
  for (size_t i = 0; arr && i < n; i++) {
    cJSON *p = cJSON_CreateObject();
    if (!p) break;
    cJSON_AddNumberToObject(p, "timeUnixMs", (double)(pts[i].time_ns / 1000000u));
    if (kind == VW_SERIES_QUANTILES) {
      cJSON_AddNumberToObject(p, "p50", pts[i].p50);
      cJSON_AddNumberToObject(p, "p95", pts[i].p95);
      cJSON_AddNumberToObject(p, "p99", pts[i].p99);
    } else {
      cJSON_AddNumberToObject(p, "value", pts[i].v);
    }
    cJSON_AddItemToArray(arr, p);
    for (size_t e = 0; ex && e < pts[i].point->n_exemplars; e++) {
      const vw_exemplar_t *x = &pts[i].point->exemplars[e];
      cJSON *xo = cJSON_CreateObject();
      if (!xo) break;
      cJSON_AddNumberToObject(xo, "timeUnixMs", (double)(x->time_ns / 1000000u));
      cJSON_AddNumberToObject(xo, "value", x->value);
      if (x->has_trace) {
        char tid[33], sid[17];
        vw_hex(x->trace_id, 16, tid);
        vw_hex(x->span_id, 8, sid);
        cJSON_AddStringToObject(xo, "traceId", tid);
        cJSON_AddStringToObject(xo, "spanId", sid);
      }
      cJSON_AddItemToArray(ex, xo);
    }
  }
  return o;
}
