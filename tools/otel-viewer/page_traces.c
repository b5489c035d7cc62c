/* SPDX-License-Identifier: Apache-2.0
 *
 * page_traces.c: the trace list, the viewer's "/" page. One row per trace:
 * root service and span name (a link to /trace/<id>), start (UTC), duration,
 * span count, a chip per service in the trace page's colours, an error
 * badge. Filters (a GET form, so a filtered list is a link): service, span
 * name text (and a second service, for the map's calls), attribute key=value, minimum duration, errors only, the last
 * N minutes; sort by start or duration, newest or longest first. The rows
 * refresh live: the script fetches the same URL with fragment=1, which
 * answers the rows alone. Pure: the page depends only on its arguments.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

typedef Opentelemetry__Proto__Trace__V1__Span Span;

/* One trace's row, computed once per render. */
typedef struct row {
  const vw_trace_t *t;
  vw_trace_layout_t l;
  uint64_t dur;
  bool error;
} row_t;

/* Whether some span has attribute key with text value want ("k=v"). */
static bool has_attr(const vw_trace_t *t, const char *kv) {
  const char *eq = strchr(kv, '=');
  if (!eq) return true;
  size_t klen = (size_t)(eq - kv);
  for (size_t i = 0; i < t->n_spans; i++) {
    const vw_packed_t *p = &t->spans[i].pb;
    if (!p->data) continue;
    Span *sp = (Span *)protobuf_c_message_unpack(&opentelemetry__proto__trace__v1__span__descriptor,
                                                 NULL, p->len, p->data);
    if (!sp) continue;
    bool found = false;
    for (size_t a = 0; a < sp->n_attributes && !found; a++) {
      const char *key = sp->attributes[a]->key;
      if (!key || strlen(key) != klen || strncmp(key, kv, klen) != 0) continue;
      char *v = vw_anyvalue_text(sp->attributes[a]->value);
      found = v && strcmp(v, eq + 1) == 0;
      free(v);
    }
    protobuf_c_message_free_unpacked(&sp->base, NULL);
    if (found) return true;
  }
  return false;
}

static bool matches(const vw_trace_t *t, const vw_trace_filter_t *f, const row_t *r) {
  if (f->errors && !r->error) return false;
  if (f->min_ms > 0 && (double)r->dur < f->min_ms * 1e6) return false;
  if (f->last_min > 0 && r->l.t0 + (uint64_t)f->last_min * 60000000000ull < f->now_unix_ns)
    return false;
  bool svc = !f->service[0], svc2 = !f->and_service[0], name = !f->name[0];
  for (size_t i = 0; i < t->n_spans && (!svc || !svc2 || !name); i++) {
    if (!svc && strcmp(t->spans[i].service, f->service) == 0) svc = true;
    if (!svc2 && strcmp(t->spans[i].service, f->and_service) == 0) svc2 = true;
    if (!name && strstr(t->spans[i].name, f->name)) name = true;
  }
  if (!svc || !svc2 || !name) return false;
  return !f->attr[0] || has_attr(t, f->attr);
}

static void put_row(vw_buf_t *b, const row_t *r) {
  const vw_trace_t *t = r->t;
  char tid[33], clock[16], dur[32];
  vw_hex(t->trace_id, 16, tid);
  const vw_span_t *root = r->l.n_seq ? &t->spans[r->l.seq[0]] : NULL;
  vw_format_clock(r->l.t0, clock, sizeof clock);
  vw_format_duration(r->dur, dur, sizeof dur);
  vw_buf_printf(b, "<tr class=\"trace\" data-trace=\"%s\"><td><a href=\"/trace/%s\">", tid, tid);
  if (root) {
    vw_buf_printf(b, "<b style=\"color:%s\">", vw_service_colour(r->l.service[r->l.seq[0]]));
    vw_html_text(b, root->service);
    vw_buf_put(b, "</b> ");
    vw_html_text(b, root->name);
  }
  vw_buf_printf(b, "</a>%s</td><td class=\"mono\">%s</td><td class=\"num\">%s</td>"
                   "<td class=\"num\">%zu</td><td>",
                t->root_seen ? "" : " <i>(root not received)</i>", clock, dur, t->n_spans);
  for (size_t i = 0; i < r->l.n_services; i++) {
    vw_buf_printf(b, "<span class=\"chip\" style=\"background:%s\">", vw_service_colour((int)i));
    vw_html_text(b, r->l.services[i]);
    vw_buf_put(b, "</span>");
  }
  vw_buf_printf(b, "</td><td>%s</td></tr>\n", r->error ? "<span class=\"err\">ERROR</span>" : "");
}

static int by_start_desc(const void *a, const void *b) {
  const row_t *x = a, *y = b;
  if (x->l.t0 != y->l.t0) return x->l.t0 > y->l.t0 ? -1 : 1;
  return x->t->seq > y->t->seq ? -1 : x->t->seq < y->t->seq;
}

static int by_duration_desc(const void *a, const void *b) {
  const row_t *x = a, *y = b;
  if (x->dur != y->dur) return x->dur > y->dur ? -1 : 1;
  return by_start_desc(a, b);
}

/* The filter as a query string (values %-encoded, "&" as "&amp;": it goes
 * into an attribute), without fragment. */
static void put_query(vw_buf_t *b, const vw_trace_filter_t *f) {
  vw_buf_put(b, "?service=");
  vw_url_part(b, f->service);
  if (f->and_service[0]) {
    vw_buf_put(b, "&amp;and_service=");
    vw_url_part(b, f->and_service);
  }
  vw_buf_put(b, "&amp;name=");
  vw_url_part(b, f->name);
  vw_buf_put(b, "&amp;attr=");
  vw_url_part(b, f->attr);
  if (f->min_ms > 0) vw_buf_printf(b, "&amp;min_ms=%g", f->min_ms);
  if (f->errors) vw_buf_put(b, "&amp;errors=1");
  if (f->last_min > 0) vw_buf_printf(b, "&amp;last_min=%d", f->last_min);
  if (f->sort_duration) vw_buf_put(b, "&amp;sort=duration");
}

static void put_input(vw_buf_t *b, const char *label, const char *name, const char *value) {
  vw_buf_printf(b, "<label>%s <input type=\"text\" name=\"%s\" value=\"", label, name);
  vw_html_attr(b, value);
  vw_buf_put(b, "\"></label>");
}

char *vw_page_traces(const vw_trace_t *const *traces, size_t n, const vw_trace_filter_t *f) {
  vw_buf_t b = {0};
  row_t *rows = calloc(n + 1, sizeof *rows);
  if (!rows) return NULL;
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    row_t *r = &rows[kept];
    r->t = traces[i];
    if (!vw_trace_layout(r->t, &r->l)) { b.oom = true; break; }
    r->dur = r->l.t1 - r->l.t0;
    for (size_t k = 0; k < r->t->n_spans; k++)
      if (r->t->spans[k].status_code == 2) r->error = true;
    if (matches(r->t, f, r)) kept++;
    else vw_trace_layout_free(&r->l);
  }
  qsort(rows, kept, sizeof *rows, f->sort_duration ? by_duration_desc : by_start_desc);
  if (!f->fragment) {
    vw_page_head(&b, "Traces", "/");
    vw_buf_printf(&b, "<h1>Traces <small>(%zu of %zu)</small></h1>\n", kept, n);
    vw_buf_put(&b, "<form class=\"filters\" method=\"get\" action=\"/\">");
    put_input(&b, "service", "service", f->service);
    if (f->and_service[0]) put_input(&b, "and service", "and_service", f->and_service);
    put_input(&b, "span name", "name", f->name);
    put_input(&b, "attribute", "attr", f->attr);
    char num[32] = "";
    if (f->min_ms > 0) snprintf(num, sizeof num, "%g", f->min_ms);
    put_input(&b, "min ms", "min_ms", num);
    num[0] = '\0';
    if (f->last_min > 0) snprintf(num, sizeof num, "%d", f->last_min);
    put_input(&b, "last minutes", "last_min", num);
    vw_buf_printf(&b, "<label><input type=\"checkbox\" name=\"errors\" value=\"1\"%s> errors only"
                      "</label><label>sort <select name=\"sort\"><option value=\"start\">newest"
                      "</option><option value=\"duration\"%s>longest</option></select></label>"
                      "<button type=\"submit\">filter</button>"
                      "<label><input type=\"checkbox\" id=\"pause\"> pause</label></form>\n",
                  f->errors ? " checked" : "", f->sort_duration ? " selected" : "");
    vw_buf_put(&b, "<table id=\"traces\"><thead><tr><th>root</th><th>start (UTC)</th>"
                   "<th>duration</th><th>spans</th><th>services</th><th></th></tr></thead>\n"
                   "<tbody id=\"rows\" data-live=\"/");
    put_query(&b, f);
    vw_buf_put(&b, "&amp;fragment=1\">\n");
  }
  for (size_t i = 0; i < kept; i++) put_row(&b, &rows[i]);
  if (!f->fragment) {
    vw_buf_put(&b, "</tbody></table>\n");
    vw_page_foot(&b);
  }
  for (size_t i = 0; i < kept; i++) vw_trace_layout_free(&rows[i].l);
  free(rows);
  return vw_buf_take(&b);
}
