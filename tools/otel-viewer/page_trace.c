/* SPDX-License-Identifier: Apache-2.0
 *
 * page_trace.c: one trace, the viewer's "/trace/<id>" page.
 *
 *   - a legend (a colour per service, the terminal view's palette) and a
 *     search box (the script dims the rows that do not match);
 *   - an SVG waterfall: one row per span in draw order (trace_layout.c),
 *     its bar on the trace's time axis in its service's colour; spans on
 *     the critical path outlined in black, ERROR spans dashed red; span
 *     events as circles and the span's log records as triangles on the bar;
 *     a triangle before a span with children collapses them (script);
 *   - a detail panel per span (the selected one shown): kind, ids, times,
 *     status, attributes, resource and scope attributes, events (an
 *     exception with its type, message and stacktrace), links, and the
 *     span's log records with links to /logs;
 *   - the trace's log records, each a link to its span;
 *   - a link that downloads the trace as OTLP/JSON.
 * Every telemetry string goes through html_escape.c. Pure: the page depends
 * only on its arguments.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

typedef Opentelemetry__Proto__Trace__V1__Span Span;
typedef Opentelemetry__Proto__Common__V1__KeyValue KeyValue;

#define ROW 22      /* px per span row */
#define TOP 26      /* px above the first row (time axis) */
#define LABEL 340   /* px of the name column */
#define BARS 560    /* px of the time axis */
#define WIDTH (LABEL + BARS + 130) /* room for the duration after the bar */
#define NAME_CHARS 46

/* x in px of time ns on the axis of l. */
static double x_of(const vw_trace_layout_t *l, uint64_t ns) {
  uint64_t total = l->t1 > l->t0 ? l->t1 - l->t0 : 1;
  uint64_t off = ns > l->t0 ? ns - l->t0 : 0;
  if (off > total) off = total;
  return LABEL + (double)off * BARS / (double)total;
}

/* Text of s cut to at most max characters (UTF-8), with "…" when cut. */
static void put_cut(vw_buf_t *b, const char *s, int max) {
  int chars = 0;
  const char *p = s;
  for (; *p; p++)
    if (((unsigned char)*p & 0xC0) != 0x80 && chars++ == max) break;
  if (!*p) { vw_html_text(b, s); return; }
  char *cut = strndup(s, (size_t)(p - s));
  if (!cut) { b->oom = true; return; }
  vw_html_text(b, cut);
  free(cut);
  vw_buf_put(b, "\xe2\x80\xa6");
}

/* ASCII-lowercased text of s, escaped for an attribute. */
static void put_lower_attr(vw_buf_t *b, const char *s) {
  char *low = strdup(s);
  if (!low) { b->oom = true; return; }
  for (char *p = low; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  vw_html_attr(b, low);
  free(low);
}

static Span *unpack_span(const vw_span_t *s) {
  if (!s->pb.data) return NULL;
  return (Span *)protobuf_c_message_unpack(&opentelemetry__proto__trace__v1__span__descriptor,
                                           NULL, s->pb.len, s->pb.data);
}

static void put_path(vw_buf_t *b, const vw_trace_t *t, const vw_trace_layout_t *l, size_t i,
                     int guard) {
  if (l->parent[i] >= 0 && guard < 1000) {
    put_path(b, t, l, (size_t)l->parent[i], guard + 1);
    vw_buf_put(b, "/");
  }
  char sid[17];
  vw_hex(t->spans[i].span_id, 8, sid);
  vw_buf_put(b, sid);
}

static bool same_id(const uint8_t *a, const uint8_t *b, size_t n) { return memcmp(a, b, n) == 0; }

static void put_row(vw_buf_t *b, const vw_trace_t *t, const vw_trace_layout_t *l, size_t k,
                    const Span *sp, const vw_log_t *const *logs, size_t n_logs, bool sel) {
  size_t i = l->seq[k];
  const vw_span_t *s = &t->spans[i];
  char sid[17], dur[32];
  vw_hex(s->span_id, 8, sid);
  const char *colour = vw_service_colour(l->service[i]);
  bool kids = false;
  for (size_t c = 0; c < t->n_spans && !kids; c++) kids = l->parent[c] == (long)i;
  vw_buf_printf(b, "<g class=\"row%s\" data-span=\"%s\" data-path=\"", sel ? " sel" : "", sid);
  put_path(b, t, l, i, 0);
  vw_buf_put(b, "\" data-text=\"");
  put_lower_attr(b, s->service);
  vw_buf_put(b, " ");
  put_lower_attr(b, s->name);
  vw_buf_put(b, " ");
  put_lower_attr(b, s->attrs);
  vw_buf_printf(b, "\" transform=\"translate(0,%d)\">", TOP + (int)k * ROW);
  vw_buf_printf(b, "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                   "fill=\"transparent\"/>", WIDTH, ROW);
  int indent = 4 + l->depth[i] * 12;
  if (indent > 200) indent = 200;
  if (kids) vw_buf_printf(b, "<text class=\"tog\" x=\"%d\" y=\"15\">\xe2\x96\xbe</text>", indent);
  vw_buf_printf(b, "<text class=\"label\" x=\"%d\" y=\"15\" clip-path=\"url(#label-clip)\">"
                   "<tspan fill=\"%s\" font-weight=\"bold\">", indent + 12, colour);
  vw_html_text(b, s->service);
  vw_buf_put(b, "</tspan> ");
  put_cut(b, s->name, NAME_CHARS - (int)strlen(s->service) > 8 ? NAME_CHARS - (int)strlen(s->service) : 8);
  vw_buf_put(b, "</text>");
  double x0 = x_of(l, s->start_ns), x1 = x_of(l, s->end_ns);
  double w = x1 - x0 < 1 ? 1 : x1 - x0;
  vw_buf_printf(b, "<rect class=\"bar%s%s\" x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"14\" "
                   "rx=\"2\" fill=\"%s\"><title>",
                l->critical[i] ? " crit" : "", s->status_code == 2 ? " error" : "", x0, w, colour);
  vw_html_text(b, s->service);
  vw_buf_put(b, " ");
  vw_html_text(b, s->name);
  vw_buf_put(b, "</title></rect>");
  vw_format_duration(s->end_ns >= s->start_ns ? s->end_ns - s->start_ns : 0, dur, sizeof dur);
  vw_buf_printf(b, "<text class=\"dur\" x=\"%.1f\" y=\"15\">%s%s</text>", x0 + w + 4, dur,
                s->status_code == 2 ? " ERROR" : "");
  for (size_t e = 0; sp && e < sp->n_events; e++) {
    vw_buf_printf(b, "<circle class=\"event\" cx=\"%.1f\" cy=\"11\" r=\"4\" fill=\"#fff\" "
                     "stroke=\"#000\"><title>",
                  x_of(l, sp->events[e]->time_unix_nano));
    vw_html_text(b, sp->events[e]->name);
    vw_buf_put(b, "</title></circle>");
  }
  for (size_t g = 0; g < n_logs; g++) {
    const vw_log_t *lg = logs[g];
    if (!same_id(lg->span_id, s->span_id, 8)) continue;
    double lx = x_of(l, lg->time_ns);
    vw_buf_printf(b, "<polygon class=\"log\" points=\"%.1f,21 %.1f,14 %.1f,14\" fill=\"%s\" "
                     "stroke=\"#000\"><title>",
                  lx, lx - 4, lx + 4, lg->severity_number >= 17 ? "#cc0000" : "#fce94f");
    vw_html_text(b, lg->body);
    vw_buf_put(b, "</title></polygon>");
  }
  vw_buf_put(b, "</g>\n");
}

static void put_kv_rows(vw_buf_t *b, KeyValue *const *kv, size_t n) {
  if (!n) { vw_buf_put(b, "<i>none</i>\n"); return; }
  vw_buf_put(b, "<table class=\"kv\">");
  for (size_t i = 0; i < n; i++) {
    char *v = vw_anyvalue_text(kv[i]->value);
    vw_buf_put(b, "<tr><td class=\"mono\">");
    vw_html_text(b, kv[i]->key);
    vw_buf_put(b, "</td><td class=\"mono\">");
    vw_html_text(b, v ? v : "");
    vw_buf_put(b, "</td></tr>");
    free(v);
  }
  vw_buf_put(b, "</table>\n");
}

static const KeyValue *find_kv(KeyValue *const *kv, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (kv[i]->key && strcmp(kv[i]->key, key) == 0) return kv[i];
  return NULL;
}

static void put_origin(vw_buf_t *b, const vw_origin_t *o) {
  Opentelemetry__Proto__Resource__V1__Resource *r = o->resource.data
      ? opentelemetry__proto__resource__v1__resource__unpack(NULL, o->resource.len, o->resource.data)
      : NULL;
  Opentelemetry__Proto__Common__V1__InstrumentationScope *sc = o->scope.data
      ? opentelemetry__proto__common__v1__instrumentation_scope__unpack(NULL, o->scope.len,
                                                                        o->scope.data)
      : NULL;
  vw_buf_put(b, "<h3>Resource</h3>");
  put_kv_rows(b, r ? r->attributes : NULL, r ? r->n_attributes : 0);
  vw_buf_put(b, "<h3>Scope</h3><div class=\"mono scope\">");
  vw_html_text(b, sc && sc->name ? sc->name : "");
  if (sc && sc->version && *sc->version) {
    vw_buf_put(b, " ");
    vw_html_text(b, sc->version);
  }
  vw_buf_put(b, "</div>");
  if (sc && sc->n_attributes) put_kv_rows(b, sc->attributes, sc->n_attributes);
  if (r) opentelemetry__proto__resource__v1__resource__free_unpacked(r, NULL);
  if (sc) opentelemetry__proto__common__v1__instrumentation_scope__free_unpacked(sc, NULL);
}

static void put_offset(vw_buf_t *b, const vw_trace_layout_t *l, uint64_t ns) {
  char d[32];
  vw_format_duration(ns > l->t0 ? ns - l->t0 : 0, d, sizeof d);
  vw_buf_printf(b, "+%s", d);
}

static const char *const status_names[] = {"UNSET", "OK", "ERROR"};

static void put_detail(vw_buf_t *b, const vw_trace_t *t, const vw_trace_layout_t *l, size_t i,
                       const Span *sp, const vw_log_t *const *logs, size_t n_logs, bool sel) {
  const vw_span_t *s = &t->spans[i];
  char tid[33], sid[17], pid[17], dur[32], clock[16];
  vw_hex(t->trace_id, 16, tid);
  vw_hex(s->span_id, 8, sid);
  vw_hex(s->parent_id, 8, pid);
  vw_buf_printf(b, "<div class=\"detail%s\" id=\"d-%s\"><h2><span class=\"sw\" "
                   "style=\"background:%s\"></span>",
                sel ? " on" : "", sid, vw_service_colour(l->service[i]));
  vw_html_text(b, s->service);
  vw_buf_put(b, " &middot; <span class=\"name\">");
  vw_html_text(b, s->name);
  vw_buf_put(b, "</span></h2><table class=\"kv\">");
  vw_format_duration(s->end_ns >= s->start_ns ? s->end_ns - s->start_ns : 0, dur, sizeof dur);
  vw_format_clock(s->start_ns, clock, sizeof clock);
  vw_buf_printf(b, "<tr><td>kind</td><td class=\"kind\">%s</td></tr>"
                   "<tr><td>span id</td><td class=\"mono\">%s</td></tr>"
                   "<tr><td>parent</td><td class=\"mono\">%s</td></tr>"
                   "<tr><td>start</td><td>%s UTC (",
                vw_kind_name(s->kind), sid, s->has_parent ? pid : "none (root)", clock);
  put_offset(b, l, s->start_ns);
  vw_buf_printf(b, ")</td></tr><tr><td>duration</td><td>%s</td></tr>"
                   "<tr><td>status</td><td class=\"status\">%s",
                dur, status_names[s->status_code >= 0 && s->status_code <= 2 ? s->status_code : 0]);
  if (s->status_message[0]) {
    vw_buf_put(b, ": ");
    vw_html_text(b, s->status_message);
  }
  vw_buf_printf(b, "</td></tr><tr><td>critical path</td><td>%s</td></tr></table>\n",
                l->critical[i] ? "yes" : "no");
  vw_buf_put(b, "<h3>Attributes</h3>");
  put_kv_rows(b, sp ? sp->attributes : NULL, sp ? sp->n_attributes : 0);
  put_origin(b, &s->origin);
  vw_buf_printf(b, "<h3>Events (%zu)</h3>", sp ? sp->n_events : 0);
  for (size_t e = 0; sp && e < sp->n_events; e++) {
    const Opentelemetry__Proto__Trace__V1__Span__Event *ev = sp->events[e];
    vw_buf_put(b, "<div class=\"event\"><b>");
    vw_html_text(b, ev->name);
    vw_buf_put(b, "</b> ");
    put_offset(b, l, ev->time_unix_nano);
    if (ev->name && strcmp(ev->name, "exception") == 0) {
      static const char *const keys[] = {"exception.type", "exception.message",
                                         "exception.stacktrace"};
      for (int k = 0; k < 3; k++) {
        const KeyValue *kv = find_kv(ev->attributes, ev->n_attributes, keys[k]);
        if (!kv) continue;
        char *v = vw_anyvalue_text(kv->value);
        vw_buf_printf(b, k == 2 ? "<pre class=\"stack\">" : "<div class=\"%s\">",
                      k == 0 ? "extype" : "exmsg");
        vw_html_text(b, v ? v : "");
        vw_buf_put(b, k == 2 ? "</pre>" : "</div>");
        free(v);
      }
    }
    put_kv_rows(b, ev->attributes, ev->n_attributes);
    vw_buf_put(b, "</div>");
  }
  vw_buf_printf(b, "<h3>Links (%zu)</h3>", sp ? sp->n_links : 0);
  for (size_t k = 0; sp && k < sp->n_links; k++) {
    const Opentelemetry__Proto__Trace__V1__Span__Link *ln = sp->links[k];
    if (ln->trace_id.len != 16 || ln->span_id.len != 8) continue;
    char lt[33], ls[17];
    vw_hex(ln->trace_id.data, 16, lt);
    vw_hex(ln->span_id.data, 8, ls);
    vw_buf_printf(b, "<div class=\"link\"><a class=\"mono\" href=\"/trace/%s?span=%s\">%s / %s</a>",
                  lt, ls, lt, ls);
    put_kv_rows(b, ln->attributes, ln->n_attributes);
    vw_buf_put(b, "</div>");
  }
  size_t mine = 0;
  for (size_t g = 0; g < n_logs; g++) mine += same_id(logs[g]->span_id, s->span_id, 8);
  vw_buf_printf(b, "<h3>Logs (%zu) <a href=\"/logs?trace_id=%s&amp;span_id=%s\">in /logs</a></h3>",
                mine, tid, sid);
  for (size_t g = 0; g < n_logs; g++) {
    const vw_log_t *lg = logs[g];
    if (!same_id(lg->span_id, s->span_id, 8)) continue;
    vw_format_clock(lg->time_ns, clock, sizeof clock);
    vw_buf_printf(b, "<div class=\"spanlog\"><span class=\"mono\">%s</span> <b>", clock);
    vw_html_text(b, lg->severity_text[0] ? lg->severity_text : "-");
    vw_buf_put(b, "</b> ");
    vw_html_text(b, lg->body);
    vw_buf_put(b, "</div>");
  }
  vw_buf_put(b, "</div>\n");
}

char *vw_page_trace(const vw_trace_t *t, const vw_log_t *const *logs, size_t n_logs,
                    const char *selected) {
  vw_trace_layout_t l;
  if (!vw_trace_layout(t, &l)) return NULL;
  Span **sp = calloc(t->n_spans + 1, sizeof *sp);
  if (!sp) { vw_trace_layout_free(&l); return NULL; }
  for (size_t i = 0; i < t->n_spans; i++) sp[i] = unpack_span(&t->spans[i]);
  char tid[33], sel_id[17] = "", dur[32], clock[16];
  vw_hex(t->trace_id, 16, tid);
  if (selected && strlen(selected) == 16) memcpy(sel_id, selected, 17);
  else if (l.n_seq) vw_hex(t->spans[l.seq[0]].span_id, 8, sel_id);
  vw_buf_t b = {0};
  char title[64];
  snprintf(title, sizeof title, "Trace %.8s", tid);
  vw_page_head(&b, title, "");
  const vw_span_t *root = l.n_seq ? &t->spans[l.seq[0]] : NULL;
  vw_format_duration(l.t1 - l.t0, dur, sizeof dur);
  vw_format_clock(l.t0, clock, sizeof clock);
  vw_buf_printf(&b, "<h1>Trace <span class=\"mono\">%s</span> ", tid);
  if (root) {
    vw_html_text(&b, root->service);
    vw_buf_put(&b, " ");
    vw_html_text(&b, root->name);
  }
  vw_buf_printf(&b, "</h1>\n<p>%zu spans, %zu services, %s, started %s UTC%s &middot; "
                    "<a href=\"/api/traces/%s/otlp\" download=\"trace-%s.json\">download "
                    "OTLP/JSON</a> &middot; <a href=\"/logs?trace_id=%s\">logs</a></p>\n",
                t->n_spans, l.n_services, dur, clock,
                t->root_seen ? "" : " (root span not received yet)", tid, tid, tid);
  vw_buf_put(&b, "<div class=\"legend\">");
  for (size_t i = 0; i < l.n_services; i++) {
    vw_buf_printf(&b, "<span class=\"svc\"><span class=\"sw\" style=\"background:%s\"></span>",
                  vw_service_colour((int)i));
    vw_html_text(&b, l.services[i]);
    vw_buf_put(&b, "</span>");
  }
  vw_buf_put(&b, "<span><span class=\"sw\" style=\"border:2px solid #000\"></span>critical path"
                 "</span><span>&#9675; event</span><span>&#9661; log</span> "
                 "<input type=\"search\" id=\"q\" placeholder=\"search in trace\"></div>\n");
  int height = TOP + (int)l.n_seq * ROW + 4;
  vw_buf_printf(&b, "<div class=\"wrap\"><div class=\"wf\"><svg id=\"waterfall\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                    "data-row=\"%d\" data-top=\"%d\">\n",
                WIDTH, height, ROW, TOP);
  /* names stay in their column (in each row's coordinates) */
  vw_buf_printf(&b, "<defs><clipPath id=\"label-clip\"><rect x=\"0\" y=\"0\" width=\"%d\" "
                    "height=\"%d\"/></clipPath></defs>\n", LABEL - 8, ROW);
  for (int q = 0; q <= 4; q++) { /* time axis */
    double x = LABEL + (double)BARS * q / 4;
    vw_format_duration((l.t1 - l.t0) / 4 * (uint64_t)q, dur, sizeof dur);
    vw_buf_printf(&b, "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                      "<text x=\"%.1f\" y=\"14\" text-anchor=\"%s\" fill=\"#555\">%s</text>\n",
                  x, x, height, x, q == 0 ? "start" : q == 4 ? "end" : "middle", dur);
  }
  for (size_t k = 0; k < l.n_seq; k++) {
    char sid[17];
    vw_hex(t->spans[l.seq[k]].span_id, 8, sid);
    put_row(&b, t, &l, k, sp[l.seq[k]], logs, n_logs, strcmp(sid, sel_id) == 0);
  }
  vw_buf_put(&b, "</svg></div>\n<div class=\"panel\" id=\"panel\">\n");
  for (size_t k = 0; k < l.n_seq; k++) {
    size_t i = l.seq[k];
    char sid[17];
    vw_hex(t->spans[i].span_id, 8, sid);
    put_detail(&b, t, &l, i, sp[i], logs, n_logs, strcmp(sid, sel_id) == 0);
  }
  vw_buf_printf(&b, "</div></div>\n<h3>Logs of this trace (%zu)</h3>\n<table id=\"trace-logs\">"
                    "<thead><tr><th>time (UTC)</th><th>severity</th><th>service</th><th>body</th>"
                    "<th>span</th></tr></thead><tbody>\n", n_logs);
  for (size_t g = 0; g < n_logs; g++) {
    const vw_log_t *lg = logs[g];
    char sid[17];
    vw_hex(lg->span_id, 8, sid);
    vw_format_clock(lg->time_ns, clock, sizeof clock);
    vw_buf_printf(&b, "<tr><td class=\"mono\">%s</td><td>", clock);
    vw_html_text(&b, lg->severity_text);
    vw_buf_put(&b, "</td><td>");
    vw_html_text(&b, lg->service);
    vw_buf_put(&b, "</td><td><pre>");
    vw_html_text(&b, lg->body);
    vw_buf_printf(&b, "</pre></td><td><a class=\"mono spanlink\" href=\"/trace/%s?span=%s\">%s</a>"
                      "</td></tr>\n", tid, sid, sid);
  }
  vw_buf_put(&b, "</tbody></table>\n");
  vw_page_foot(&b);
  for (size_t i = 0; i < t->n_spans; i++)
    if (sp[i]) protobuf_c_message_free_unpacked(&sp[i]->base, NULL);
  free(sp);
  vw_trace_layout_free(&l);
  return vw_buf_take(&b);
}
