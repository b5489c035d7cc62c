/* SPDX-License-Identifier: Apache-2.0
 *
 * prom_text.c: GET /metrics, everything the viewer has received as the
 * Prometheus text exposition, named as the OpenTelemetry Collector's
 * Prometheus exporter names it, so that a real Prometheus can scrape the
 * viewer and the workshop dashboard's PromQL works unchanged:
 *
 *   - the name: characters other than [a-zA-Z0-9_:] become '_' (runs of
 *     them one '_', a leading digit gets one before it), then the unit as
 *     a word ("s" -> _seconds, "By" -> _bytes, "1/s" -> _per_second;
 *     "1" and {annotations} add nothing), then _total for counters
 *     (monotonic sums); other sums and gauges are gauges;
 *   - labels: the point's attributes (names sanitized the same way) plus
 *     service_name (service.name), job (service.namespace/service.name, or
 *     service.name) and instance (service.instance.id) when there is one;
 *   - histograms: _bucket{le=...} (cumulative), _sum, _count.
 * With openmetrics (a scraper whose Accept names application/openmetrics-
 * text), the OpenMetrics form: counter families without _total, buckets
 * carrying their exemplars (# {trace_id,span_id} value time), "# EOF".
 * Streams with delta temporality, exponential histograms and summaries are
 * left out (a delta stream would need the viewer to add up its points).
 * Pure: the text depends only on the streams.
 */
#include "viewer.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void sanitize_into(const char *in, char *out, size_t cap) {
  size_t n = 0;
  if (isdigit((unsigned char)in[0])) out[n++] = '_';
  for (; *in && n + 1 < cap; in++) {
    char c = isalnum((unsigned char)*in) || *in == ':' ? *in : '_';
    if (c == '_' && n && out[n - 1] == '_') continue;
    out[n++] = c;
  }
  out[n] = '\0';
}

static const char *unit_word(const char *u) {
  static const char *const words[][2] = {
      {"s", "seconds"},   {"ms", "milliseconds"}, {"us", "microseconds"}, {"ns", "nanoseconds"},
      {"min", "minutes"}, {"h", "hours"},         {"d", "days"},          {"By", "bytes"},
      {"KiBy", "kibibytes"}, {"MiBy", "mebibytes"}, {"KBy", "kilobytes"}, {"MBy", "megabytes"},
      {"m", "meters"},    {"km", "kilometers"},   {"Hz", "hertz"},        {"%", "percent"},
      {"Cel", "celsius"}, {"V", "volts"},         {"W", "watts"},         {"J", "joules"}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strcmp(u, words[i][0]) == 0) return words[i][1];
  return u;
}

/* The family name of m (without _total) into out. */
static void family_name(const vw_metric_t *m, char *out, size_t cap) {
  char raw[512];
  snprintf(raw, sizeof raw, "%s", m->name);
  const char *unit = m->unit;
  if (unit[0] && unit[0] != '{' && strcmp(unit, "1") != 0) {
    char main_u[64], per[64] = "";
    snprintf(main_u, sizeof main_u, "%s", unit);
    char *slash = strchr(main_u, '/');
    if (slash) { *slash = '\0'; snprintf(per, sizeof per, "%s", slash + 1); }
    char suffix[160];
    const char *a = main_u[0] == '{' || strcmp(main_u, "1") == 0 ? "" : unit_word(main_u);
    if (per[0]) snprintf(suffix, sizeof suffix, "%s%sper_%s", a, a[0] ? "_" : "",
                         strcmp(per, "s") == 0 ? "second" : unit_word(per));
    else snprintf(suffix, sizeof suffix, "%s", a);
    char sfx[160];
    sanitize_into(suffix, sfx, sizeof sfx);
    size_t rl = strlen(raw), sl = strlen(sfx);
    bool has = rl > sl && strcmp(raw + rl - sl, sfx) == 0;
    if (sfx[0] && !has) snprintf(raw + rl, sizeof raw - rl, "_%s", sfx);
  }
  sanitize_into(raw, out, cap);
}

static bool is_counter(const vw_metric_t *m) { return m->type == VW_METRIC_SUM && m->monotonic; }

static bool exposed(const vw_metric_t *m) {
  if (m->type == VW_METRIC_GAUGE) return true;
  if (m->type != VW_METRIC_SUM && m->type != VW_METRIC_HISTOGRAM) return false;
  return m->temporality != 1 && m->ring_len > 0;
}

static void put_label_value(vw_buf_t *b, const char *v, size_t n) {
  char one[2] = {0, 0};
  for (size_t i = 0; i < n; i++) {
    if (v[i] == '\\') vw_buf_put(b, "\\\\");
    else if (v[i] == '"') vw_buf_put(b, "\\\"");
    else if (v[i] == '\n') vw_buf_put(b, "\\n");
    else { one[0] = v[i]; vw_buf_put(b, one); }
  }
}

/* Value of key in "k=v k=v" text (the resource attributes), or NULL. */
static const char *kv_find(const char *text, const char *key, size_t *len) {
  size_t kl = strlen(key);
  for (const char *p = text; p && *p;) {
    if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
      const char *v = p + kl + 1, *end = strchr(v, ' ');
      *len = end ? (size_t)(end - v) : strlen(v);
      return v;
    }
    p = strchr(p, ' ');
    if (p) p++;
  }
  return NULL;
}

/* The labels of m, then extra (e.g. le="0.5"), in braces. */
static void put_labels(vw_buf_t *b, const vw_metric_t *m, const char *extra) {
  vw_buf_put(b, "{");
  bool first = true;
  /* attributes: "k=v k=v" as the stream key holds them */
  for (const char *p = m->attrs; *p;) {
    const char *eq = strchr(p, '='), *end = strchr(p, ' ');
    if (!eq || (end && end < eq)) break;
    const char *next = end;
    /* a value runs to the next " key=" */
    while (next) {
      const char *e2 = strchr(next + 1, '='), *s2 = strchr(next + 1, ' ');
      if (e2 && (!s2 || e2 < s2)) break;
      next = s2;
    }
    char key[256];
    size_t kl = (size_t)(eq - p) < sizeof key - 1 ? (size_t)(eq - p) : sizeof key - 1;
    memcpy(key, p, kl);
    key[kl] = '\0';
    char name[256];
    sanitize_into(key, name, sizeof name);
    vw_buf_printf(b, "%s%s=\"", first ? "" : ",", name);
    put_label_value(b, eq + 1, next ? (size_t)(next - eq - 1) : strlen(eq + 1));
    vw_buf_put(b, "\"");
    first = false;
    p = next ? next + 1 : p + strlen(p);
  }
  size_t nl = 0, il = 0;
  const char *ns = kv_find(m->resource_attrs, "service.namespace", &nl);
  const char *inst = kv_find(m->resource_attrs, "service.instance.id", &il);
  vw_buf_printf(b, "%sservice_name=\"", first ? "" : ",");
  put_label_value(b, m->service, strlen(m->service));
  vw_buf_put(b, "\",job=\"");
  if (ns) {
    put_label_value(b, ns, nl);
    vw_buf_put(b, "/");
  }
  put_label_value(b, m->service, strlen(m->service));
  vw_buf_put(b, "\"");
  if (inst) {
    vw_buf_put(b, ",instance=\"");
    put_label_value(b, inst, il);
    vw_buf_put(b, "\"");
  }
  if (extra) vw_buf_printf(b, ",%s", extra);
  vw_buf_put(b, "}");
}

/* The shortest text that reads back as v ("0.1", not "0.10000000000000001"). */
static void shortest(double v, char *out, size_t cap) {
  if (v == (double)(long long)v && fabs(v) < 1e15) { /* integers as integers, not 6e+01 */
    snprintf(out, cap, "%lld", (long long)v);
    return;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(out, cap, "%.*g", prec, v);
    if (strtod(out, NULL) == v) return;
  }
}

static void put_number(vw_buf_t *b, double v) {
  char num[40];
  if (isnan(v)) vw_buf_put(b, "NaN");
  else if (isinf(v)) vw_buf_put(b, v > 0 ? "+Inf" : "-Inf");
  else { shortest(v, num, sizeof num); vw_buf_put(b, num); }
}

static const vw_point_t *latest(const vw_metric_t *m) {
  return &m->ring[(m->ring_head + m->ring_len - 1) % VW_RING];
}

/* The newest exemplar in the stream's history whose value falls in the
 * bucket (lo, hi], if any. */
static void put_exemplar(vw_buf_t *b, const vw_metric_t *m, double lo, double hi) {
  for (size_t k = m->ring_len; k-- > 0;) {
  const vw_point_t *p = &m->ring[(m->ring_head + k) % VW_RING];
  for (size_t e = 0; e < p->n_exemplars; e++) {
    const vw_exemplar_t *x = &p->exemplars[e];
    if (!x->has_trace || !(x->value > lo && x->value <= hi)) continue;
    char tid[33], sid[17];
    vw_hex(x->trace_id, 16, tid);
    vw_hex(x->span_id, 8, sid);
    vw_buf_printf(b, " # {trace_id=\"%s\",span_id=\"%s\"} ", tid, sid);
    put_number(b, x->value);
    vw_buf_printf(b, " %.3f", (double)x->time_ns / 1e9);
    return; /* one exemplar per bucket line */
  }
  }
}

static void put_stream(vw_buf_t *b, const vw_metric_t *m, const char *fam, bool om) {
  const vw_point_t *p = latest(m);
  if (m->type != VW_METRIC_HISTOGRAM) {
    vw_buf_printf(b, "%s%s", fam, is_counter(m) ? "_total" : "");
    put_labels(b, m, NULL);
    vw_buf_put(b, " ");
    put_number(b, p->value);
    vw_buf_put(b, "\n");
    return;
  }
  uint64_t cum = 0;
  for (size_t i = 0; i < p->n_buckets; i++) {
    cum += p->buckets[i];
    char le[64];
    char num[40] = "+Inf";
    if (i < m->n_bounds) shortest(m->bounds[i], num, sizeof num);
    snprintf(le, sizeof le, "le=\"%s\"", num);
    vw_buf_printf(b, "%s_bucket", fam);
    put_labels(b, m, le);
    vw_buf_printf(b, " %llu", (unsigned long long)cum);
    if (om) put_exemplar(b, m, i ? m->bounds[i - 1] : -INFINITY, i < m->n_bounds ? m->bounds[i] : INFINITY);
    vw_buf_put(b, "\n");
  }
  if (p->n_buckets <= m->n_bounds) { /* no overflow bucket sent: +Inf is the count */
    vw_buf_printf(b, "%s_bucket", fam);
    put_labels(b, m, "le=\"+Inf\"");
    vw_buf_printf(b, " %llu\n", (unsigned long long)p->count);
  }
  vw_buf_printf(b, "%s_sum", fam);
  put_labels(b, m, NULL);
  vw_buf_put(b, " ");
  put_number(b, isnan(p->sum) ? 0 : p->sum);
  vw_buf_printf(b, "\n%s_count", fam);
  put_labels(b, m, NULL);
  vw_buf_printf(b, " %llu\n", (unsigned long long)p->count);
}

typedef struct fam { char name[256]; const vw_metric_t *m; } fam_t;

static int by_family(const void *a, const void *b) {
  const fam_t *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (!c) c = strcmp(x->m->service, y->m->service);
  return c ? c : strcmp(x->m->attrs, y->m->attrs);
}

char *vw_prometheus_text(const vw_metric_t *const *metrics, size_t n, bool openmetrics) {
  fam_t *f = calloc(n + 1, sizeof *f);
  if (!f) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!exposed(metrics[i])) continue;
    family_name(metrics[i], f[k].name, sizeof f[k].name);
    f[k++].m = metrics[i];
  }
  qsort(f, k, sizeof *f, by_family);
  vw_buf_t b = {0};
  for (size_t i = 0; i < k; i++) {
    const vw_metric_t *m = f[i].m;
    bool new_family = i == 0 || strcmp(f[i].name, f[i - 1].name) != 0;
    /* one family, one type: a stream whose type differs from its family's is left out */
    if (!new_family && (f[i - 1].m->type != m->type || is_counter(f[i - 1].m) != is_counter(m))) {
      f[i].m = f[i - 1].m; /* keep comparing with the family's type */
      continue;
    }
    if (new_family) {
      const char *type = m->type == VW_METRIC_HISTOGRAM ? "histogram" : is_counter(m) ? "counter" : "gauge";
      const char *suffix = is_counter(m) && !openmetrics ? "_total" : "";
      vw_buf_printf(&b, "# HELP %s%s OpenTelemetry metric ", f[i].name, suffix);
      char name[256];
      sanitize_into(m->name, name, sizeof name); /* HELP text: no newlines, no escapes needed */
      vw_buf_printf(&b, "%s\n# TYPE %s%s %s\n", name, f[i].name, suffix, type);
    }
    put_stream(&b, m, f[i].name, openmetrics);
  }
  if (openmetrics) vw_buf_put(&b, "# EOF\n");
  free(f);
  return vw_buf_take(&b);
}
