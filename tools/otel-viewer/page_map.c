/* SPDX-License-Identifier: Apache-2.0
 *
 * page_map.c: the service map, the viewer's "/map" page (service_map.c
 * computes it). Services are boxes in columns by call depth (a service
 * one column right of its furthest caller), each with its requests,
 * errors and error ratio, rate, p50/p99; calls are arrows labelled with
 * their requests, errors and p50/p99. A service links to its traces
 * (/?service=S), a call to the traces that hold both ends
 * (/?service=A&and_service=B). Pure.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

#define BOX_W 230
#define BOX_H 74
#define COL_W 430
#define ROW_H 110
#define PAD 20

static void put_link_query(vw_buf_t *b, const char *a, const char *c) {
  vw_buf_put(b, "/?service=");
  vw_url_part(b, a);
  if (c) {
    vw_buf_put(b, "&amp;and_service=");
    vw_url_part(b, c);
  }
}

char *vw_page_map(const vw_service_map_t *m) {
  size_t n = m->n_nodes;
  int *col = calloc(n + 1, sizeof *col), *row = calloc(n + 1, sizeof *row);
  int *per_col = calloc(n + 1, sizeof *per_col);
  if (!col || !row || !per_col) { free(col); free(row); free(per_col); return NULL; }
  for (size_t pass = 0; pass < n; pass++) /* longest caller chain, cycle-safe */
    for (size_t e = 0; e < m->n_edges; e++) {
      long f = -1, t = -1;
      for (size_t i = 0; i < n; i++) {
        if (strcmp(m->nodes[i].name, m->edges[e].from) == 0) f = (long)i;
        if (strcmp(m->nodes[i].name, m->edges[e].to) == 0) t = (long)i;
      }
      if (f >= 0 && t >= 0 && f != t && col[t] < col[f] + 1 && col[f] + 1 < (int)n)
        col[t] = col[f] + 1;
    }
  int cols = 0, rows = 0;
  for (size_t i = 0; i < n; i++) {
    row[i] = per_col[col[i]]++;
    if (col[i] + 1 > cols) cols = col[i] + 1;
    if (row[i] + 1 > rows) rows = row[i] + 1;
  }
  vw_buf_t b = {0};
  vw_page_head(&b, "Service map", "/map");
  vw_buf_printf(&b, "<h1>Service map <small>(%zu services, %zu calls, from the stored traces)"
                    "</small></h1>\n", n, m->n_edges);
  int width = PAD * 2 + (cols ? cols - 1 : 0) * COL_W + BOX_W, height = PAD * 2 + rows * ROW_H;
  vw_buf_printf(&b, "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                    "height=\"%d\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" "
                    "refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path "
                    "d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n",
                width < 400 ? 400 : width, height < 120 ? 120 : height);
  for (size_t e = 0; e < m->n_edges; e++) {
    const vw_map_edge_t *ed = &m->edges[e];
    long f = -1, t = -1;
    for (size_t i = 0; i < n; i++) {
      if (strcmp(m->nodes[i].name, ed->from) == 0) f = (long)i;
      if (strcmp(m->nodes[i].name, ed->to) == 0) t = (long)i;
    }
    if (f < 0 || t < 0) continue;
    double x1 = PAD + col[f] * COL_W + BOX_W, y1 = PAD + row[f] * ROW_H + BOX_H / 2.0;
    double x2 = PAD + col[t] * COL_W, y2 = PAD + row[t] * ROW_H + BOX_H / 2.0;
    if (x2 <= x1) { x1 -= BOX_W / 2.0; y1 += BOX_H / 2.0; x2 += BOX_W / 2.0; y2 += BOX_H / 2.0; }
    vw_buf_put(&b, "<a class=\"edge\" href=\"");
    put_link_query(&b, ed->from, ed->to);
    vw_buf_put(&b, "\" data-from=\"");
    vw_html_attr(&b, ed->from);
    vw_buf_put(&b, "\" data-to=\"");
    vw_html_attr(&b, ed->to);
    vw_buf_printf(&b, "\" data-requests=\"%llu\" data-errors=\"%llu\"><line x1=\"%.1f\" "
                      "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                      "marker-end=\"url(#arrow)\"/><text x=\"%.1f\" y=\"%.1f\" "
                      "text-anchor=\"middle\" font-size=\"11\">%llu req%s",
                  (unsigned long long)ed->requests, (unsigned long long)ed->errors, x1, y1, x2,
                  y2, ed->errors ? "#cc0000" : "#555", (x1 + x2) / 2, (y1 + y2) / 2 - 6,
                  (unsigned long long)ed->requests, ed->errors ? ", " : "");
    if (ed->errors) vw_buf_printf(&b, "%llu err", (unsigned long long)ed->errors);
    vw_buf_printf(&b, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                      "font-size=\"11\" fill=\"#555\">p50 %.1f / p99 %.1f ms</text></a>\n",
                  (x1 + x2) / 2, (y1 + y2) / 2 + 8, ed->p50_ms, ed->p99_ms);
  }
  for (size_t i = 0; i < n; i++) {
    const vw_map_node_t *nd = &m->nodes[i];
    int x = PAD + col[i] * COL_W, y = PAD + row[i] * ROW_H;
    vw_buf_put(&b, "<a class=\"node\" href=\"");
    put_link_query(&b, nd->name, NULL);
    vw_buf_put(&b, "\" data-service=\"");
    vw_html_attr(&b, nd->name);
    vw_buf_printf(&b, "\" data-requests=\"%llu\" data-errors=\"%llu\"><rect x=\"%d\" y=\"%d\" "
                      "width=\"%d\" height=\"%d\" rx=\"6\" fill=\"#fff\" stroke=\"%s\" "
                      "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\" font-weight=\"bold\" "
                      "fill=\"%s\">",
                  (unsigned long long)nd->requests, (unsigned long long)nd->errors, x, y, BOX_W,
                  BOX_H, vw_service_colour((int)i), x + 8, y + 18, vw_service_colour((int)i));
    vw_html_text(&b, nd->name);
    double ratio = nd->requests ? 100.0 * (double)nd->errors / (double)nd->requests : 0;
    vw_buf_printf(&b, "</text><text x=\"%d\" y=\"%d\" font-size=\"12\">%llu req, %llu err "
                      "(%.1f%%)</text><text x=\"%d\" y=\"%d\" font-size=\"12\">%.2f req/s</text>"
                      "<text x=\"%d\" y=\"%d\" font-size=\"12\">p50 %.1f / p99 %.1f ms</text></a>\n",
                  x + 8, y + 36, (unsigned long long)nd->requests,
                  (unsigned long long)nd->errors, ratio, x + 8, y + 52, nd->rate_per_s, x + 8,
                  y + 68, nd->p50_ms, nd->p99_ms);
  }
  vw_buf_put(&b, "</svg>\n<p>Requests are SERVER spans; a call is a SERVER span whose parent "
                 "span is in another service. Click a service or a call for its traces.</p>\n");
  vw_page_foot(&b);
  free(col);
  free(row);
  free(per_col);
  return vw_buf_take(&b);
}
