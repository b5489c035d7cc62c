/* SPDX-License-Identifier: Apache-2.0
 *
 * chart_svg.c: a time-series chart as inline SVG: several named lines on
 * one time axis, the y range from the data (from 0 for rates and
 * latencies), the first and last time and the y extremes as labels, a
 * legend under the chart, and each point a small circle carrying its
 * value (data-v) and its line (data-line). Line names come from telemetry
 * (service names, attribute values): escaped. Used by the Workshop view.
 */
#include "viewer.h"

#include <math.h>
#include <string.h>

#define CW 460
#define CH 180
#define L 58
#define R 10
#define T 10
#define B 24

static const char *const colours[] = {"#06989a", "#c4a000", "#75507b", "#4e9a06", "#3465a4",
                                      "#cc0000", "#34e2e2", "#555753"};

void vw_svg_chart(vw_buf_t *b, const char *id, const vw_chart_line_t *lines, size_t n_lines,
                  bool from_zero) {
  double lo = INFINITY, hi = -INFINITY;
  uint64_t t0 = UINT64_MAX, t1 = 0;
  for (size_t l = 0; l < n_lines; l++)
    for (size_t i = 0; i < lines[l].n; i++) {
      double v = lines[l].v[i];
      if (isnan(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (lines[l].t[i] < t0) t0 = lines[l].t[i];
      if (lines[l].t[i] > t1) t1 = lines[l].t[i];
    }
  if (!(lo <= hi)) { lo = 0; hi = 1; t0 = 0; t1 = 1; }
  if (from_zero && lo > 0) lo = 0;
  if (hi == lo) hi = lo + 1;
  if (t1 <= t0) { t0 = t0 ? t0 - 1000000000ull : 0; t1 = t0 + 2000000000ull; }
  vw_buf_printf(b, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">"
                   "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"#ccc\"/>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%.4g</text>"
                   "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%.4g</text>",
                id, CW, CH, L, T, CW - L - R, CH - T - B, L - 4, T + 10, hi, L - 4, CH - B, lo);
  char c0[16], c1[16];
  vw_format_clock(t0, c0, sizeof c0);
  vw_format_clock(t1, c1, sizeof c1);
  vw_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.8s</text><text x=\"%d\" y=\"%d\" "
                   "text-anchor=\"end\" font-size=\"11\">%.8s UTC</text>",
                L, CH - 6, c0, CW - R, CH - 6, c1);
  double xs = CW - L - R, ys = CH - T - B;
  for (size_t l = 0; l < n_lines; l++) {
    const char *colour = colours[l % 8];
    vw_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", colour);
    for (size_t i = 0; i < lines[l].n; i++)
      if (!isnan(lines[l].v[i]))
        vw_buf_printf(b, "%.1f,%.1f ", L + xs * (double)(lines[l].t[i] - t0) / (double)(t1 - t0),
                      T + ys - ys * (lines[l].v[i] - lo) / (hi - lo));
    vw_buf_put(b, "\"/>");
    for (size_t i = 0; i < lines[l].n; i++) {
      if (isnan(lines[l].v[i])) continue;
      vw_buf_put(b, "<circle class=\"pt\" data-line=\"");
      vw_html_attr(b, lines[l].name);
      vw_buf_printf(b, "\" data-v=\"%.6g\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"><title>",
                    lines[l].v[i], L + xs * (double)(lines[l].t[i] - t0) / (double)(t1 - t0),
                    T + ys - ys * (lines[l].v[i] - lo) / (hi - lo), colour);
      vw_html_text(b, lines[l].name);
      vw_buf_printf(b, " %.6g</title></circle>", lines[l].v[i]);
    }
  }
  vw_buf_put(b, "</svg><div class=\"legend\">");
  for (size_t l = 0; l < n_lines; l++) {
    vw_buf_printf(b, "<span><span class=\"sw\" style=\"background:%s\"></span>", colours[l % 8]);
    vw_html_text(b, lines[l].name);
    vw_buf_put(b, "</span>");
  }
  if (!n_lines) vw_buf_put(b, "<i>no data yet</i>");
  vw_buf_put(b, "</div>");
}
