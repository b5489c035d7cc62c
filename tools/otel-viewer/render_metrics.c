/* SPDX-License-Identifier: Apache-2.0
 *
 * render_metrics.c: the metrics table: one row per metric stream (service,
 * name, attribute set) with its latest value. Sums and gauges show the
 * value; histograms show count, sum, p50 and p99 estimated from the
 * buckets; summaries show count, sum and their own 0.5/0.99 quantiles.
 * Rows are sorted by service, then name, then attributes. Telemetry
 * strings go through term_escape.c before they are measured and printed.
 */
#include "viewer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int row_cmp(const vw_metric_t *a, const vw_metric_t *b) {
  int c = strcmp(a->service, b->service);
  if (!c) c = strcmp(a->name, b->name);
  if (!c) c = strcmp(a->attrs, b->attrs);
  return c;
}

static void num(char *out, size_t size, double v) {
  if (isnan(v)) snprintf(out, size, "-");
  else snprintf(out, size, "%.6g", v);
}

char *vw_render_metrics(const vw_metric_t *const *m, size_t n,
                        const vw_render_opts_t *o) {
  static const char *const types[] = {"gauge", "sum", "histogram", "exphist", "summary"};
  const vw_metric_t **rows = malloc((n ? n : 1) * sizeof *rows);
  if (!rows) return NULL;
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    for (; j > 0 && row_cmp(m[i], rows[j - 1]) < 0; j--) rows[j] = rows[j - 1];
    rows[j] = m[i];
  }
  /* per row: service, "name [unit]" and attributes, escaped */
  char **text = calloc(3 * (n ? n : 1), sizeof *text);
  if (!text) { free(rows); return NULL; }
  bool oom = false;
  for (size_t i = 0; i < n && !oom; i++) {
    vw_buf_t nb = {0};
    vw_term_text(&nb, rows[i]->name);
    if (rows[i]->unit[0]) {
      vw_buf_put(&nb, " [");
      vw_term_text(&nb, rows[i]->unit);
      vw_buf_put(&nb, "]");
    }
    text[3 * i] = vw_term_escape(rows[i]->service);
    text[3 * i + 1] = vw_buf_take(&nb);
    text[3 * i + 2] = vw_term_escape(rows[i]->attrs);
    oom = !text[3 * i] || !text[3 * i + 1] || !text[3 * i + 2];
  }
  int w_svc = 7, w_name = 6;
  for (size_t i = 0; i < n && !oom; i++) {
    if ((int)strlen(text[3 * i]) > w_svc) w_svc = (int)strlen(text[3 * i]);
    if ((int)strlen(text[3 * i + 1]) > w_name) w_name = (int)strlen(text[3 * i + 1]);
  }
  if (w_svc > 24) w_svc = 24;
  if (w_name > 60) w_name = 60;
  vw_buf_t b = {.oom = oom};
  vw_buf_printf(&b, "%sMetrics (%zu stream%s)%s\n", o->color ? "\x1b[1m" : "", n,
                n == 1 ? "" : "s", o->color ? "\x1b[0m" : "");
  vw_buf_printf(&b, "%s%-*s %-*s %-9s %14s %10s %12s %10s %10s  %s%s\n",
                o->color ? "\x1b[2m" : "", w_svc, "SERVICE", w_name, "METRIC", "TYPE",
                "VALUE", "COUNT", "SUM", "P50", "P99", "ATTRIBUTES",
                o->color ? "\x1b[0m" : "");
  for (size_t i = 0; i < n && !oom; i++) {
    const vw_metric_t *r = rows[i];
    char value[32] = "-", count[24] = "-", sum[32] = "-", p50[32] = "-", p99[32] = "-";
    if (r->type == VW_METRIC_GAUGE || r->type == VW_METRIC_SUM) {
      if (r->is_int) snprintf(value, sizeof value, "%lld", (long long)r->int_value);
      else num(value, sizeof value, r->value);
    } else {
      snprintf(count, sizeof count, "%llu", (unsigned long long)r->count);
      num(sum, sizeof sum, r->sum);
      num(p50, sizeof p50, r->p50);
      num(p99, sizeof p99, r->p99);
    }
    vw_buf_printf(&b, "%s%-*.*s%s %-*.*s %-9s %14s %10s %12s %10s %10s%s%s\n",
                  o->color ? "\x1b[36m" : "", w_svc, w_svc, text[3 * i],
                  o->color ? "\x1b[0m" : "", w_name, 79, text[3 * i + 1], types[r->type], value,
                  count, sum, p50, p99, r->attrs[0] ? "  " : "", text[3 * i + 2]);
  }
  for (size_t i = 0; i < 3 * n; i++) free(text[i]);
  free(text);
  free(rows);
  return vw_buf_take(&b);
}
