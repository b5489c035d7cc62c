/* SPDX-License-Identifier: Apache-2.0
 *
 * page_charts.c: the viewer's "/charts" page: one SVG chart per metric
 * stream (service, name, attribute set), from its history (metric_series.c):
 * counters as a rate per second, gauges and up-down counters as values,
 * histograms as p50/p95/p99 lines with their exemplars as dots that link
 * to the exemplar's span. Each point is also a small circle carrying its
 * value (data-v), for people hovering and for tests. Filters: service and
 * metric name. Pure.
 */
#include "viewer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CW 460
#define CH 170
#define L 58   /* left margin (y labels) */
#define R 10
#define T 10
#define B 24

static int by_key(const void *a, const void *b) {
  const vw_metric_t *x = *(const vw_metric_t *const *)a, *y = *(const vw_metric_t *const *)b;
  int c = strcmp(x->service, y->service);
  if (!c) c = strcmp(x->name, y->name);
  return c ? c : strcmp(x->attrs, y->attrs);
}

static const char *const line_colour[] = {"#4e9a06", "#c4a000", "#cc0000"}; /* p50 p95 p99 */

static double yval(const vw_series_point_t *p, int line) {
  return line == 0 ? (isnan(p->v) ? p->p50 : p->v) : line == 1 ? p->p95 : p->p99;
}

static void put_chart(vw_buf_t *b, const vw_metric_t *m, size_t index) {
  vw_series_point_t pts[VW_RING];
  size_t n = vw_metric_series(m, pts);
  vw_series_kind_t kind = vw_series_kind(m);
  int lines = kind == VW_SERIES_QUANTILES ? 3 : 1;
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++)
    for (int l = 0; l < lines; l++) {
      double v = yval(&pts[i], l);
      if (isnan(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  for (size_t i = 0; kind == VW_SERIES_QUANTILES && i < n; i++)
    for (size_t e = 0; e < pts[i].point->n_exemplars; e++) {
      double v = pts[i].point->exemplars[e].value;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  if (!(lo <= hi)) lo = hi = 0;
  if (lo > 0 && kind != VW_SERIES_VALUE) lo = 0;
  if (hi == lo) hi = lo + 1;
  uint64_t t0 = n ? pts[0].time_ns : 0, t1 = n ? pts[n - 1].time_ns : 1;
  if (t1 <= t0) t1 = t0 + 1;
  static const char *const what[] = {"value", "rate /s", "p50 / p95 / p99"};
  vw_buf_printf(b, "<div class=\"chart\" id=\"chart-%zu\" data-kind=\"%s\"><div><b>", index,
                kind == VW_SERIES_RATE ? "rate" : kind == VW_SERIES_QUANTILES ? "quantiles" : "value");
  vw_html_text(b, m->service);
  vw_buf_put(b, "</b> &middot; <span class=\"metric\">");
  vw_html_text(b, m->name);
  vw_buf_put(b, "</span>");
  if (m->unit[0]) {
    vw_buf_put(b, " [");
    vw_html_text(b, m->unit);
    vw_buf_put(b, "]");
  }
  vw_buf_printf(b, " <small>%s</small> <span class=\"mono\">", what[kind]);
  vw_html_text(b, m->attrs);
  vw_buf_printf(b, "</span></div><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                   "height=\"%d\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" "
                   "stroke=\"#ccc\"/>",
                CW, CH, L, T, CW - L - R, CH - T - B);
  vw_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%.4g</text>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%.4g</text>",
                L - 4, T + 10, hi, L - 4, CH - B, lo);
  if (n) {
    char c0[16], c1[16];
    vw_format_clock(t0, c0, sizeof c0);
    vw_format_clock(t1, c1, sizeof c1);
    vw_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.8s</text><text x=\"%d\" y=\"%d\" "
                     "text-anchor=\"end\" font-size=\"11\">%.8s UTC</text>",
                  L, CH - 6, c0, CW - R, CH - 6, c1);
  } else {
    vw_buf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"#777\">not enough points yet</text>", L + 10,
                  CH / 2);
  }
  double xs = (double)(CW - L - R), ys = (double)(CH - T - B);
#define X(t) (L + xs * (double)((t) - t0) / (double)(t1 - t0))
#define Y(v) (T + ys - ys * ((v) - lo) / (hi - lo))
  for (int l = 0; l < lines; l++) {
    const char *colour = lines == 1 ? "#3465a4" : line_colour[l];
    vw_buf_printf(b, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                     "points=\"", colour);
    for (size_t i = 0; i < n; i++) {
      double v = yval(&pts[i], l);
      if (!isnan(v)) vw_buf_printf(b, "%.1f,%.1f ", n == 1 ? L + xs / 2 : X(pts[i].time_ns), Y(v));
    }
    vw_buf_put(b, "\"/>");
    static const char *const names[] = {"p50", "p95", "p99"};
    for (size_t i = 0; i < n; i++) {
      double v = yval(&pts[i], l);
      if (isnan(v)) continue;
      vw_buf_printf(b, "<circle class=\"pt\" data-line=\"%s\" data-t=\"%llu\" data-v=\"%.6g\" "
                       "cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"><title>%.6g</title></circle>",
                    lines == 1 ? "value" : names[l],
                    (unsigned long long)(pts[i].time_ns / 1000000u), v,
                    n == 1 ? L + xs / 2 : X(pts[i].time_ns), Y(v), colour, v);
    }
  }
  for (size_t i = 0; kind == VW_SERIES_QUANTILES && i < n; i++)
    for (size_t e = 0; e < pts[i].point->n_exemplars; e++) {
      const vw_exemplar_t *x = &pts[i].point->exemplars[e];
      uint64_t t = x->time_ns < t0 ? t0 : x->time_ns > t1 ? t1 : x->time_ns;
      char tid[33] = "", sid[17] = "";
      if (x->has_trace) {
        vw_hex(x->trace_id, 16, tid);
        vw_hex(x->span_id, 8, sid);
        vw_buf_printf(b, "<a class=\"exemplar\" href=\"/trace/%s?span=%s\">", tid, sid);
      }
      vw_buf_printf(b, "<circle class=\"ex\" data-v=\"%.6g\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
                       "fill=\"#75507b\" stroke=\"#000\"><title>exemplar %.6g %s</title></circle>",
                    x->value, n == 1 ? L + xs / 2 : X(t), Y(x->value), x->value, tid);
      if (x->has_trace) vw_buf_put(b, "</a>");
    }
#undef X
#undef Y
  vw_buf_put(b, "</svg></div>\n");
}

char *vw_page_charts(const vw_metric_t *const *metrics, size_t n, const char *service,
                     const char *name) {
  const vw_metric_t **v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (service && *service && strcmp(metrics[i]->service, service) != 0) continue;
    if (name && *name && strcmp(metrics[i]->name, name) != 0) continue;
    v[k++] = metrics[i];
  }
  qsort(v, k, sizeof *v, by_key);
  vw_buf_t b = {0};
  vw_page_head(&b, "Charts", "/charts");
  vw_buf_printf(&b, "<h1>Charts <small>(%zu of %zu streams, the last %d points each)</small></h1>\n"
                    "<form class=\"filters\" method=\"get\" action=\"/charts\"><label>service "
                    "<input type=\"text\" name=\"service\" value=\"", k, n, VW_RING);
  vw_html_attr(&b, service ? service : "");
  vw_buf_put(&b, "\"></label><label>metric <input type=\"text\" name=\"name\" value=\"");
  vw_html_attr(&b, name ? name : "");
  vw_buf_put(&b, "\"></label><button type=\"submit\">filter</button> <span class=\"legend\">"
                 "histograms: <span style=\"color:#4e9a06\">p50</span> <span "
                 "style=\"color:#c4a000\">p95</span> <span style=\"color:#cc0000\">p99</span>, "
                 "<span style=\"color:#75507b\">&#9679;</span> exemplar (links to its span)"
                 "</span> &middot; <a href=\"/charts?workshop=1\">Workshop dashboard</a></form>\n"
                 "<div class=\"charts\">\n");
  for (size_t i = 0; i < k; i++) put_chart(&b, v[i], i);
  vw_buf_put(&b, "</div>\n");
  vw_page_foot(&b);
  free(v);
  return vw_buf_take(&b);
}
