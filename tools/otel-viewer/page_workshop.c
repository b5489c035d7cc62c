/* SPDX-License-Identifier: Apache-2.0
 *
 * page_workshop.c: the "Workshop" view of /charts (?view=workshop): the
 * panels of the provisioned Grafana dashboard
 * (telemetry-platform-config/grafana/dashboards/iss-distance.json), drawn
 * from the viewer's own history of the streams:
 *
 *   Requests per second by service
 *     sum by (service_name) (rate(http_server_request_duration_seconds_count))
 *   p99 server latency (s)
 *     histogram_quantile(0.99, sum by (le, service_name) (rate(..._bucket)))
 *   ISS position requests by response status
 *     sum by (response_status) (rate(iss_requests_total))
 *   iss-distance-service logs
 *
 * A rate here is over one export interval (between two points of a
 * stream), where the dashboard takes [1m]; streams of one service are
 * summed point by point at equal times (one SDK exports them together).
 * Pure.
 */
#include "viewer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXP (2 * VW_RING)
#define MAXG 16
#define MAXB 64

typedef struct group {
  char name[128];
  uint64_t t[MAXP];
  double v[MAXP];
  uint64_t b[MAXP][MAXB]; /* bucket deltas (latency panel) */
  size_t n, n_buckets;
  const double *bounds;
  size_t n_bounds;
} group_t;

static group_t *group_of(group_t *g, size_t *n, const char *name) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp(g[i].name, name) == 0) return &g[i];
  if (*n == MAXG) return NULL;
  group_t *x = &g[(*n)++];
  memset(x, 0, sizeof *x);
  snprintf(x->name, sizeof x->name, "%s", name);
  return x;
}

/* The slot of time t in g (added in time order), or -1 when full. */
static long slot_of(group_t *g, uint64_t t) {
  size_t i = 0;
  while (i < g->n && g->t[i] < t) i++;
  if (i < g->n && g->t[i] == t) return (long)i;
  if (g->n == MAXP) return -1;
  memmove(&g->t[i + 1], &g->t[i], (g->n - i) * sizeof g->t[0]);
  memmove(&g->v[i + 1], &g->v[i], (g->n - i) * sizeof g->v[0]);
  memmove(&g->b[i + 1], &g->b[i], (g->n - i) * sizeof g->b[0]);
  g->t[i] = t;
  g->v[i] = 0;
  memset(g->b[i], 0, sizeof g->b[i]);
  g->n++;
  return (long)i;
}

static const vw_point_t *ring_at(const vw_metric_t *m, size_t i) {
  return &m->ring[(m->ring_head + i) % VW_RING];
}

/* The interval a point covers: since the point before (cumulative, same
 * start) or since its start (delta, first point, reset). 0: unknown. */
static uint64_t interval_start(const vw_metric_t *m, size_t i, bool *since_prev) {
  const vw_point_t *p = ring_at(m, i), *prev = i ? ring_at(m, i - 1) : NULL;
  *since_prev = m->temporality != 1 && prev && prev->start_ns == p->start_ns &&
                prev->count <= p->count;
  return *since_prev ? prev->time_ns : p->start_ns;
}

static void add_histogram(group_t *g, const vw_metric_t *m) {
  if (!g || m->type != VW_METRIC_HISTOGRAM || !m->ring_len) return;
  size_t nb = ring_at(m, m->ring_len - 1)->n_buckets;
  if (nb > MAXB || (g->n_buckets && g->n_buckets != nb)) return; /* other layouts: left out */
  g->n_buckets = nb;
  g->bounds = m->bounds;
  g->n_bounds = m->n_bounds;
  for (size_t i = 0; i < m->ring_len; i++) {
    const vw_point_t *p = ring_at(m, i), *prev = i ? ring_at(m, i - 1) : NULL;
    bool since_prev;
    uint64_t t0 = interval_start(m, i, &since_prev);
    if (!t0 || p->time_ns <= t0 || p->n_buckets != nb) continue;
    long s = slot_of(g, p->time_ns);
    if (s < 0) continue;
    uint64_t dc = since_prev ? p->count - prev->count : p->count;
    g->v[s] += (double)dc / ((double)(p->time_ns - t0) / 1e9);
    for (size_t k = 0; k < nb && p->buckets; k++)
      g->b[s][k] += since_prev && prev->buckets && p->buckets[k] >= prev->buckets[k]
                        ? p->buckets[k] - prev->buckets[k]
                        : p->buckets[k];
  }
}

/* The value of attribute key in a stream's "k=v k=v" text into out. */
static void attr_of(const char *attrs, const char *key, char *out, size_t cap) {
  size_t kl = strlen(key);
  snprintf(out, cap, "(none)");
  for (const char *p = attrs; p && *p;) {
    if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
      const char *v = p + kl + 1, *end = strchr(v, ' ');
      size_t n = end ? (size_t)(end - v) : strlen(v);
      snprintf(out, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), v);
      return;
    }
    p = strchr(p, ' ');
    if (p) p++;
  }
}

static void lines_of(group_t *g, size_t n, vw_chart_line_t *lines) {
  for (size_t i = 0; i < n; i++) lines[i] = (vw_chart_line_t){g[i].name, g[i].t, g[i].v, g[i].n};
}

char *vw_page_workshop(const vw_metric_t *const *metrics, size_t n, const vw_log_t *const *logs,
                       size_t n_logs) {
  group_t *rate = calloc(MAXG, sizeof *rate), *iss = calloc(MAXG, sizeof *iss);
  double (*p99)[MAXP] = calloc(MAXG, sizeof *p99);
  if (!rate || !iss || !p99) { free(rate); free(iss); free(p99); return NULL; }
  size_t n_rate = 0, n_iss = 0;
  for (size_t i = 0; i < n; i++) {
    const vw_metric_t *m = metrics[i];
    if (strcmp(m->name, "http.server.request.duration") == 0)
      add_histogram(group_of(rate, &n_rate, m->service), m);
    if (strcmp(m->name, "iss.requests") == 0 && m->type == VW_METRIC_SUM && m->monotonic) {
      char status[64];
      attr_of(m->attrs, "response.status", status, sizeof status);
      group_t *g = group_of(iss, &n_iss, status);
      vw_series_point_t pts[VW_RING];
      size_t k = vw_metric_series(m, pts);
      for (size_t j = 0; g && j < k; j++) {
        long s = slot_of(g, pts[j].time_ns);
        if (s >= 0) g->v[s] += pts[j].v;
      }
    }
  }
  vw_chart_line_t lines[MAXG], lat[MAXG];
  for (size_t g = 0; g < n_rate; g++) {
    for (size_t j = 0; j < rate[g].n; j++) {
      uint64_t total = 0;
      for (size_t k = 0; k < rate[g].n_buckets; k++) total += rate[g].b[j][k];
      p99[g][j] = total ? vw_histogram_quantile(rate[g].b[j], rate[g].n_buckets, rate[g].bounds,
                                                rate[g].n_bounds, 0.99)
                        : NAN;
    }
    lat[g] = (vw_chart_line_t){rate[g].name, rate[g].t, p99[g], rate[g].n};
  }
  vw_buf_t b = {0};
  vw_page_head(&b, "Workshop dashboard", "/charts");
  vw_buf_put(&b, "<h1>Workshop dashboard <small>(the Grafana dashboard's panels, from the "
                 "viewer's history; rates per export interval) &middot; <a href=\"/charts\">all "
                 "charts</a></small></h1>\n<div class=\"charts\">\n<div class=\"chart\"><b>Requests "
                 "per second by service</b>");
  lines_of(rate, n_rate, lines);
  vw_svg_chart(&b, "panel-rate", lines, n_rate, true);
  vw_buf_put(&b, "</div>\n<div class=\"chart\"><b>p99 server latency (s)</b>");
  vw_svg_chart(&b, "panel-p99", lat, n_rate, true);
  vw_buf_put(&b, "</div>\n<div class=\"chart\"><b>ISS position requests by response status</b>");
  lines_of(iss, n_iss, lines);
  vw_svg_chart(&b, "panel-iss", lines, n_iss, true);
  vw_buf_put(&b, "</div>\n<div class=\"chart\"><b>iss-distance-service logs</b> <a "
                 "href=\"/logs?service=iss-distance-service\">all</a><table id=\"panel-logs\">");
  size_t shown = 0;
  for (size_t i = n_logs; i-- > 0 && shown < 15;) {
    const vw_log_t *l = logs[i];
    if (strcmp(l->service, "iss-distance-service") != 0) continue;
    char clock[16], tid[33], sid[17];
    vw_format_clock(l->time_ns, clock, sizeof clock);
    vw_buf_printf(&b, "<tr><td class=\"mono\">%s</td><td>", clock);
    vw_html_text(&b, l->body);
    vw_buf_put(&b, "</td><td>");
    if (l->has_trace) {
      vw_hex(l->trace_id, 16, tid);
      vw_hex(l->span_id, 8, sid);
      vw_buf_printf(&b, "<a href=\"/trace/%s?span=%s\">span</a>", tid, sid);
    }
    vw_buf_put(&b, "</td></tr>");
    shown++;
  }
  vw_buf_put(&b, "</table></div>\n</div>\n");
  vw_page_foot(&b);
  free(rate);
  free(iss);
  free(p99);
  return vw_buf_take(&b);
}
