/* SPDX-License-Identifier: Apache-2.0
 *
 * render_metrics.c: the metrics table: one row per metric stream (service,
 * name, attribute set) with its latest value. Sums and gauges show the
 * value; histograms show count, sum, p50 and p99 estimated from the
 * buckets; summaries show count, sum and their own 0.5/0.99 quantiles.
 * Rows are sorted by service, then name, then attributes.
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
  int w_svc = 7, w_name = 6;
  for (size_t i = 0; i < n; i++) {
    if ((int)strlen(rows[i]->service) > w_svc) w_svc = (int)strlen(rows[i]->service);
    int w = (int)strlen(rows[i]->name) + (rows[i]->unit[0] ? (int)strlen(rows[i]->unit) + 3 : 0);
    if (w > w_name) w_name = w;
  }
  if (w_svc > 24) w_svc = 24;
  if (w_name > 60) w_name = 60;
  vw_buf_t b = {0};
  vw_buf_printf(&b, "%sMetrics (%zu stream%s)%s\n", o->color ? "\x1b[1m" : "", n,
                n == 1 ? "" : "s", o->color ? "\x1b[0m" : "");
  vw_buf_printf(&b, "%s%-*s %-*s %-9s %14s %10s %12s %10s %10s  %s%s\n",
                o->color ? "\x1b[2m" : "", w_svc, "SERVICE", w_name, "METRIC", "TYPE",
                "VALUE", "COUNT", "SUM", "P50", "P99", "ATTRIBUTES",
                o->color ? "\x1b[0m" : "");
  for (size_t i = 0; i < n; i++) {
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
    char name[80];
    snprintf(name, sizeof name, "%s%s%s%s", r->name, r->unit[0] ? " [" : "", r->unit,
             r->unit[0] ? "]" : "");
    vw_buf_printf(&b, "%s%-*.*s%s %-*s %-9s %14s %10s %12s %10s %10s%s%s\n",
                  o->color ? "\x1b[36m" : "", w_svc, w_svc, r->service,
                  o->color ? "\x1b[0m" : "", w_name, name, types[r->type], value, count,
                  sum, p50, p99, r->attrs[0] ? "  " : "", r->attrs);
  }
  free(rows);
  return vw_buf_take(&b);
}
