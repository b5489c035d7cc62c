/* SPDX-License-Identifier: Apache-2.0
 *
 * prometheus_exporter.c: the Prometheus text exposition of a collected
 * metric batch, and the civetweb /metrics endpoint (see
 * exporter_prometheus.h). Formatting is a pure function of the batch.
 * Label values and HELP texts that are not valid UTF-8 get U+FFFD.
 */
#include "otel/exporter_prometheus.h"

#include "internal.h"
#include "metrics_internal.h"
#include "utf8.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text {
  char *data;
  size_t len, cap;
  bool oom;
} text_t;

static void add(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text_t *t, const char *fmt, ...) {
  if (t->oom) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (t->len + (size_t)n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + (size_t)n + 1) cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d) {
      t->oom = true;
      return;
    }
    t->data = d;
    t->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]*, repeated underscores collapsed. */
static void sanitize(const char *in, char *out, size_t cap, bool allow_colon) {
  size_t n = 0;
  if (isdigit((unsigned char)in[0]) && n + 1 < cap) out[n++] = '_';
  for (const char *p = in; *p && n + 1 < cap; p++) {
    char c = *p;
    bool ok = isalnum((unsigned char)c) || c == '_' || (allow_colon && c == ':');
    c = ok ? c : '_';
    if (c == '_' && n && out[n - 1] == '_') continue;
    out[n++] = c;
  }
  out[n] = '\0';
}

/* OTel unit -> Prometheus suffix ("" for none). */
static void unit_suffix(const char *unit, char *out, size_t cap) {
  static const char *const table[][2] = {
      {"s", "seconds"}, {"ms", "milliseconds"}, {"us", "microseconds"}, {"ns", "nanoseconds"},
      {"min", "minutes"}, {"h", "hours"}, {"d", "days"}, {"By", "bytes"}, {"KiBy", "kibibytes"},
      {"MiBy", "mebibytes"}, {"GiBy", "gibibytes"}, {"KBy", "kilobytes"}, {"MBy", "megabytes"},
      {"m", "meters"}, {"km", "kilometers"}, {"V", "volts"}, {"A", "amperes"}, {"J", "joules"},
      {"W", "watts"}, {"g", "grams"}, {"Cel", "celsius"}, {"Hz", "hertz"}, {"%", "percent"}};
  out[0] = '\0';
  if (!unit || !unit[0] || unit[0] == '{' || !strcmp(unit, "1")) return;
  char main_unit[64], per[64] = "";
  snprintf(main_unit, sizeof main_unit, "%s", unit);
  char *slash = strchr(main_unit, '/');
  if (slash) {
    *slash = '\0';
    snprintf(per, sizeof per, "%s", slash + 1);
  }
  const char *a = main_unit, *b = per;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    if (!strcmp(main_unit, table[i][0])) a = table[i][1];
    if (per[0] && !strcmp(per, table[i][0])) b = table[i][1];
  }
  if (!strcmp(per, "s")) b = "second";
  if (main_unit[0] == '{') a = "";
  char raw[160];
  if (per[0]) snprintf(raw, sizeof raw, "%s%sper_%s", a, a[0] ? "_" : "", b);
  else snprintf(raw, sizeof raw, "%s", a);
  sanitize(raw, out, cap, false);
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

/* The shortest %g form that reads back as the same double. */
static void shortest(double v, char *out, size_t cap) {
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(out, cap, "%.*g", prec, v);
    if (strtod(out, NULL) == v) return;
  }
}

/* A label value or HELP text: escaped, and made valid UTF-8 (the format
 * requires it; Prometheus fails the whole scrape on one invalid value). */
static void escape_value(text_t *t, const char *v) {
  size_t len = strlen(v), clean_len = otel__utf8_clean_len(v, len);
  char *clean = NULL;
  if (clean_len != len) {
    if (!(clean = malloc(clean_len + 1))) {
      t->oom = true;
      return;
    }
    *otel__utf8_put_clean((uint8_t *)clean, v, len) = '\0';
    v = clean;
  }
  for (const char *p = v; *p; p++) {
    if (*p == '\\') add(t, "\\\\");
    else if (*p == '"') add(t, "\\\"");
    else if (*p == '\n') add(t, "\\n");
    else add(t, "%c", *p);
  }
  free(clean);
}

static void attr_value(text_t *t, const otel_attr_t *a) {
  char buf[64];
  switch (a->type) {
  case OTEL_ATTR_TYPE_STRING: escape_value(t, a->value.s ? a->value.s : ""); return;
  case OTEL_ATTR_TYPE_BOOL: add(t, "%s", a->value.b ? "true" : "false"); return;
  case OTEL_ATTR_TYPE_INT: add(t, "%lld", (long long)a->value.i); return;
  case OTEL_ATTR_TYPE_DOUBLE: shortest(a->value.d, buf, sizeof buf); add(t, "%s", buf); return;
  default: add(t, "[array]"); return;
  }
}

static void labels(text_t *t, const otel_metric_stream_t *s, const otel_metric_point_t *p,
                   const char *le) {
  add(t, "{otel_scope_name=\"");
  escape_value(t, s->scope_name ? s->scope_name : "");
  add(t, "\"");
  if (s->scope_version && s->scope_version[0]) {
    add(t, ",otel_scope_version=\"");
    escape_value(t, s->scope_version);
    add(t, "\"");
  }
  for (size_t i = 0; p && i < p->attr_count; i++) {
    char key[256];
    sanitize(p->attrs[i].key, key, sizeof key, false);
    if (!strncmp(key, "__", 2)) memmove(key + 4, key, strlen(key) + 1), memcpy(key, "key_", 4);
    add(t, ",%s=\"", key);
    attr_value(t, &p->attrs[i]);
    add(t, "\"");
  }
  if (le) add(t, ",le=\"%s\"", le);
  add(t, "}");
}

static void number(text_t *t, double v) {
  if (isinf(v)) add(t, v > 0 ? "+Inf" : "-Inf");
  else if (isnan(v)) add(t, "NaN");
  else {
    char buf[40];
    shortest(v, buf, sizeof buf);
    add(t, "%s", buf);
  }
}

static void format_stream(text_t *t, const otel_metric_stream_t *s) {
  char base[300], unit[64], name[400];
  sanitize(s->name, base, sizeof base, true);
  unit_suffix(s->unit, unit, sizeof unit);
  if (unit[0] && !ends_with(base, unit)) snprintf(name, sizeof name, "%s_%s", base, unit);
  else snprintf(name, sizeof name, "%s", base);
  bool histogram = s->kind == OTEL_INSTRUMENT_HISTOGRAM;
  bool counter = s->monotonic;
  if (counter && !ends_with(name, "_total")) strncat(name, "_total", sizeof name - strlen(name) - 1);
  const char *type = histogram ? "histogram" : counter ? "counter" : "gauge";
  add(t, "# HELP %s ", name);
  escape_value(t, s->description && s->description[0] ? s->description : s->name);
  add(t, "\n# TYPE %s %s\n", name, type);
  for (size_t i = 0; i < s->point_count; i++) {
    const otel_metric_point_t *p = &s->points[i];
    if (!histogram) {
      add(t, "%s", name);
      labels(t, s, p, NULL);
      add(t, " ");
      if (p->is_double) number(t, p->as_double);
      else add(t, "%lld", (long long)p->as_int);
      add(t, "\n");
      continue;
    }
    uint64_t cumulative = 0;
    for (size_t b = 0; b < p->bucket_count; b++) {
      cumulative += p->bucket_counts[b];
      char le[64];
      if (b < s->boundary_count) shortest(s->boundaries[b], le, sizeof le);
      else snprintf(le, sizeof le, "+Inf");
      add(t, "%s_bucket", name);
      labels(t, s, p, le);
      add(t, " %llu\n", (unsigned long long)cumulative);
    }
    add(t, "%s_sum", name);
    labels(t, s, p, NULL);
    add(t, " ");
    number(t, p->sum);
    add(t, "\n%s_count", name);
    labels(t, s, p, NULL);
    add(t, " %llu\n", (unsigned long long)p->count);
  }
}

static void format_target_info(text_t *t, const otel_resource_t *r) {
  add(t, "# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info{");
  for (size_t i = 0; i < otel_resource_attr_count(r); i++) {
    const otel_attr_t *a = otel_resource_attr_at(r, i);
    char key[256];
    sanitize(a->key, key, sizeof key, false);
    add(t, "%s%s=\"", i ? "," : "", key);
    attr_value(t, a);
    add(t, "\"");
  }
  add(t, "} 1\n");
}

static otel_err_t text_export(void *ctx, const otel_metric_batch_t *b) {
  text_t *t = ctx;
  format_target_info(t, b->resource);
  for (size_t i = 0; i < b->stream_count; i++) format_stream(t, &b->streams[i]);
  return t->oom ? OTEL_ENOMEM : OTEL_OK;
}

static const struct otel_metric_exporter_type text_type = {.name = "prometheus-text",
                                                           .export_metrics = text_export};

otel_err_t otel_prometheus_text(otel_meter_provider_t *mp, char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  text_t t = {0};
  otel_metric_exporter_t e = {&text_type, &t};
  otel_err_t err = otel__meter_provider_collect_export(mp, &e);
  if (err) {
    free(t.data);
    return err;
  }
  if (!t.data) t.data = calloc(1, 1);
  *out = t.data;
  *out_len = t.len;
  return t.data ? OTEL_OK : OTEL_ENOMEM;
}

static int serve_metrics(struct mg_connection *conn, void *cbdata) {
  char *body;
  size_t len;
  if (otel_prometheus_text(cbdata, &body, &len) != OTEL_OK) {
    mg_send_http_error(conn, 500, "%s", "metrics collection failed");
    return 500;
  }
  char head[256];
  int h = snprintf(head, sizeof head,
                   "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                   "Content-Length: %zu\r\n\r\n", len);
  char *all = malloc((size_t)h + len);
  if (all) { /* one write: headers and body (docs/design.md, civetweb: Nagle) */
    memcpy(all, head, (size_t)h);
    memcpy(all + h, body, len);
    mg_write(conn, all, (size_t)h + len);
  }
  free(all);
  free(body);
  return 200;
}

void otel_prometheus_mount(struct mg_context *ctx, const char *uri, otel_meter_provider_t *mp) {
  mg_set_request_handler(ctx, uri ? uri : "/metrics", serve_metrics, mp);
}

struct otel_prometheus_server {
  struct mg_context *ctx;
  int port;
};

otel_err_t otel_prometheus_server_start(otel_meter_provider_t *mp, const char *host, int port,
                                        otel_prometheus_server_t **out) {
  *out = NULL;
  if (!host) host = otel__env_str("OTEL_EXPORTER_PROMETHEUS_HOST");
  if (!host || !strcmp(host, "localhost")) host = "127.0.0.1";
  if (port <= 0) port = (int)otel__env_int("OTEL_EXPORTER_PROMETHEUS_PORT", 9464);
  char listen[128];
  snprintf(listen, sizeof listen, "%s:%d", host, port);
  const char *options[] = {"listening_ports", listen, "num_threads", "2", "tcp_nodelay", "1", NULL};
  otel_prometheus_server_t *s = calloc(1, sizeof(*s));
  if (!s) return OTEL_ENOMEM;
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  s->ctx = mg_start(&cb, NULL, options);
  if (!s->ctx) {
    otel__diag(OTEL_DIAG_ERROR, "prometheus", "Prometheus exporter cannot listen on %s", listen);
    free(s);
    return OTEL_EIO;
  }
  otel_prometheus_mount(s->ctx, "/metrics", mp);
  struct mg_server_port ports[2];
  s->port = mg_get_server_ports(s->ctx, 2, ports) > 0 ? ports[0].port : port;
  *out = s;
  return OTEL_OK;
}

int otel_prometheus_server_port(const otel_prometheus_server_t *s) { return s ? s->port : -1; }

void otel_prometheus_server_stop(otel_prometheus_server_t *s) {
  if (!s) return;
  mg_stop(s->ctx);
  free(s);
}
