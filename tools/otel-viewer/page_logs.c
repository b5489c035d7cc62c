/* SPDX-License-Identifier: Apache-2.0
 *
 * page_logs.c: the log records, the viewer's "/logs" page: a live tail
 * (newest first; the script refreshes the rows every 2 s unless "pause" is
 * ticked) filtered by service, minimum severity, body text, trace id and
 * span id. Every record with a trace id links to its trace with its span
 * selected (/trace/<trace>?span=<span>). Pure: the page depends only on
 * its arguments.
 */
#include "viewer.h"

#include <string.h>

static const struct { int number; const char *name; } severities[] = {
    {0, "any"}, {5, "DEBUG"}, {9, "INFO"}, {13, "WARN"}, {17, "ERROR"}, {21, "FATAL"}};

static bool matches(const vw_log_t *l, const vw_log_filter_t *f) {
  if (f->service[0] && strcmp(l->service, f->service) != 0) return false;
  if (f->min_severity && l->severity_number < f->min_severity) return false;
  if (f->text[0] && !strstr(l->body, f->text)) return false;
  char id[33];
  if (f->trace_id[0]) {
    vw_hex(l->trace_id, 16, id);
    if (!l->has_trace || strcmp(id, f->trace_id) != 0) return false;
  }
  if (f->span_id[0]) {
    vw_hex(l->span_id, 8, id);
    if (!l->has_trace || strcmp(id, f->span_id) != 0) return false;
  }
  return true;
}

/* "sev-warn" and the like, from the severity number (1-4 trace ...). */
static const char *sev_class(int n) {
  if (n >= 21) return "sev-fatal";
  if (n >= 17) return "sev-error";
  if (n >= 13) return "sev-warn";
  if (n >= 9) return "sev-info";
  return "sev-debug";
}

static void put_row(vw_buf_t *b, const vw_log_t *l) {
  char clock[16], tid[33], sid[17];
  vw_format_clock(l->time_ns, clock, sizeof clock);
  vw_buf_printf(b, "<tr class=\"log\"><td class=\"mono\">%s</td><td class=\"%s\">", clock,
                sev_class(l->severity_number));
  vw_html_text(b, l->severity_text[0] ? l->severity_text : "-");
  vw_buf_put(b, "</td><td>");
  vw_html_text(b, l->service);
  vw_buf_put(b, "</td><td><pre class=\"body\">");
  vw_html_text(b, l->body);
  vw_buf_put(b, "</pre></td><td>");
  if (l->has_trace) {
    vw_hex(l->trace_id, 16, tid);
    vw_hex(l->span_id, 8, sid);
    vw_buf_printf(b, "<a class=\"mono tracelink\" href=\"/trace/%s?span=%s\">%.8s&hellip; / %s</a>",
                  tid, sid, tid, sid);
  }
  vw_buf_put(b, "</td></tr>\n");
}

static void put_input(vw_buf_t *b, const char *label, const char *name, const char *value) {
  vw_buf_printf(b, "<label>%s <input type=\"text\" name=\"%s\" value=\"", label, name);
  vw_html_attr(b, value);
  vw_buf_put(b, "\"></label>");
}

char *vw_page_logs(const vw_log_t *const *logs, size_t n, const vw_log_filter_t *f) {
  vw_buf_t b = {0};
  size_t limit = f->limit ? f->limit : 500, shown = 0, matched = 0;
  for (size_t i = 0; i < n; i++) matched += matches(logs[i], f);
  if (!f->fragment) {
    vw_page_head(&b, "Logs", "/logs");
    vw_buf_printf(&b, "<h1>Logs <small>(%zu of %zu%s)</small></h1>\n", matched, n,
                  matched > limit ? ", newest shown" : "");
    vw_buf_put(&b, "<form class=\"filters\" method=\"get\" action=\"/logs\">");
    put_input(&b, "service", "service", f->service);
    vw_buf_put(&b, "<label>severity <select name=\"severity\">");
    for (size_t i = 0; i < sizeof severities / sizeof severities[0]; i++)
      vw_buf_printf(&b, "<option value=\"%d\"%s>%s%s</option>", severities[i].number,
                    severities[i].number == f->min_severity ? " selected" : "",
                    severities[i].name, severities[i].number ? "+" : "");
    vw_buf_put(&b, "</select></label>");
    put_input(&b, "text", "text", f->text);
    put_input(&b, "trace id", "trace_id", f->trace_id);
    put_input(&b, "span id", "span_id", f->span_id);
    vw_buf_put(&b, "<button type=\"submit\">filter</button><label><input type=\"checkbox\" "
                   "id=\"pause\"> pause</label></form>\n<table id=\"logs\"><thead><tr>"
                   "<th>time (UTC)</th><th>severity</th><th>service</th><th>body</th>"
                   "<th>trace / span</th></tr></thead>\n<tbody id=\"rows\" data-live=\"/logs?service=");
    vw_url_part(&b, f->service);
    vw_buf_printf(&b, "&amp;severity=%d&amp;text=", f->min_severity);
    vw_url_part(&b, f->text);
    vw_buf_put(&b, "&amp;trace_id=");
    vw_url_part(&b, f->trace_id);
    vw_buf_put(&b, "&amp;span_id=");
    vw_url_part(&b, f->span_id);
    vw_buf_put(&b, "&amp;fragment=1\">\n");
  }
  for (size_t i = n; i-- > 0 && shown < limit;)
    if (matches(logs[i], f)) { put_row(&b, logs[i]); shown++; }
  if (!f->fragment) {
    vw_buf_put(&b, "</tbody></table>\n");
    vw_page_foot(&b);
  }
  return vw_buf_take(&b);
}
