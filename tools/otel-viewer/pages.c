/* SPDX-License-Identifier: Apache-2.0
 *
 * pages.c: the HTML pages on the HTTP port, between civetweb and the pure
 * renderers (page_*.c): parses the query string into a filter, reads the
 * store under its lock, renders.
 *
 *   GET /                    trace list (page_traces.c)
 *   GET /trace/<trace-id>    one trace (page_trace.c), ?span=<id> selects
 *   GET /logs                log records (page_logs.c)
 *   GET /map                 service map (service_map.c, page_map.c)
 *   GET /charts              metric charts (metric_series.c, page_charts.c)
 *   GET /charts?workshop=1   the workshop dashboard's panels (page_workshop.c)
 *   GET /static/viewer.css, /static/viewer.js   (page_assets.c)
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

typedef struct page_ctx {
  const char *service, *name;
  const vw_trace_filter_t *tf;
  const vw_log_filter_t *lf;
  const char *selected;
  char *html;
} page_ctx_t;

static void traces_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  page_ctx_t *c = ud;
  c->html = vw_page_traces(v, n, c->tf);
}

static void charts_cb(const vw_metric_t *const *v, size_t n, void *ud) {
  page_ctx_t *c = ud;
  c->html = vw_page_charts(v, n, c->service, c->name);
}

static void workshop_cb(const vw_metric_t *const *m, size_t n, const vw_log_t *const *logs,
                        size_t n_logs, void *ud) {
  page_ctx_t *c = ud;
  c->html = vw_page_workshop(m, n, logs, n_logs);
}

static void map_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  page_ctx_t *c = ud;
  vw_service_map_t m;
  if (!vw_service_map(v, n, &m)) return;
  c->html = vw_page_map(&m);
  vw_service_map_free(&m);
}

static void trace_cb(const vw_trace_t *t, const vw_log_t *const *logs, size_t n, void *ud) {
  page_ctx_t *c = ud;
  if (t) c->html = vw_page_trace(t, logs, n, c->selected);
}

static void logs_cb(const vw_log_t *const *v, size_t n, void *ud) {
  page_ctx_t *c = ud;
  c->html = vw_page_logs(v, n, c->lf);
}

static bool flag(const char *query, const char *name) {
  char v[8];
  return vw_query_param(query, name, v, sizeof v) && v[0] && strcmp(v, "0") != 0;
}

static char *html_or_oom(char *html, int *status, const char **ct) {
  *ct = "text/html; charset=utf-8";
  *status = html ? 200 : 500;
  return html ? html : strdup("out of memory\n");
}

char *vw_pages(vw_store_t *s, const char *path, const char *query, uint64_t now_unix_ns,
               int *status, const char **content_type) {
  const char *asset = vw_asset(path, content_type);
  if (asset) {
    *status = 200;
    return strdup(asset);
  }
  page_ctx_t c = {0};
  char v[64];
  if (strcmp(path, "/") == 0) {
    vw_trace_filter_t f = {.now_unix_ns = now_unix_ns};
    vw_query_param(query, "service", f.service, sizeof f.service);
    vw_query_param(query, "and_service", f.and_service, sizeof f.and_service);
    vw_query_param(query, "name", f.name, sizeof f.name);
    vw_query_param(query, "attr", f.attr, sizeof f.attr);
    if (vw_query_param(query, "min_ms", v, sizeof v)) f.min_ms = strtod(v, NULL);
    if (vw_query_param(query, "last_min", v, sizeof v)) f.last_min = atoi(v);
    f.errors = flag(query, "errors");
    f.fragment = flag(query, "fragment");
    f.sort_duration = vw_query_param(query, "sort", v, sizeof v) && strcmp(v, "duration") == 0;
    c.tf = &f;
    vw_store_read_traces(s, traces_cb, &c);
    return html_or_oom(c.html, status, content_type);
  }
  if (strcmp(path, "/charts") == 0 && flag(query, "workshop")) {
    vw_store_read_metrics_logs(s, workshop_cb, &c);
    return html_or_oom(c.html, status, content_type);
  }
  if (strcmp(path, "/charts") == 0) {
    char svc[256] = "", name[256] = "";
    vw_query_param(query, "service", svc, sizeof svc);
    vw_query_param(query, "name", name, sizeof name);
    c.service = svc;
    c.name = name;
    vw_store_read_metrics(s, charts_cb, &c);
    return html_or_oom(c.html, status, content_type);
  }
  if (strcmp(path, "/map") == 0) {
    vw_store_read_traces(s, map_cb, &c);
    return html_or_oom(c.html, status, content_type);
  }
  if (strcmp(path, "/logs") == 0) {
    vw_log_filter_t f = {0};
    vw_query_param(query, "service", f.service, sizeof f.service);
    vw_query_param(query, "text", f.text, sizeof f.text);
    vw_query_param(query, "trace_id", f.trace_id, sizeof f.trace_id);
    vw_query_param(query, "span_id", f.span_id, sizeof f.span_id);
    for (char *p = f.trace_id; *p; p++) if (*p >= 'A' && *p <= 'F') *p = (char)(*p - 'A' + 'a');
    for (char *p = f.span_id; *p; p++) if (*p >= 'A' && *p <= 'F') *p = (char)(*p - 'A' + 'a');
    if (vw_query_param(query, "severity", v, sizeof v)) f.min_severity = atoi(v);
    if (vw_query_param(query, "limit", v, sizeof v)) f.limit = (size_t)strtoul(v, NULL, 10);
    f.fragment = flag(query, "fragment");
    c.lf = &f;
    vw_store_read_logs(s, logs_cb, &c);
    return html_or_oom(c.html, status, content_type);
  }
  if (strncmp(path, "/trace/", 7) == 0) {
    uint8_t id[16];
    char sel[20] = "";
    vw_query_param(query, "span", sel, sizeof sel);
    c.selected = sel;
    if (vw_parse_hex(path + 7, id, 16)) vw_store_read_trace(s, id, trace_cb, &c);
    if (c.html) return html_or_oom(c.html, status, content_type);
    vw_buf_t b = {0};
    vw_page_head(&b, "Trace not found", "");
    vw_buf_put(&b, "<h1>Trace not found</h1><p>No trace with id <span class=\"mono\">");
    vw_html_text(&b, path + 7);
    vw_buf_put(&b, "</span> is stored (yet). <a href=\"/\">All traces</a></p>\n");
    vw_page_foot(&b);
    char *html = html_or_oom(vw_buf_take(&b), status, content_type);
    *status = 404;
    return html;
  }
  return NULL;
}
