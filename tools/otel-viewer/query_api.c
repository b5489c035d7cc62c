/* SPDX-License-Identifier: Apache-2.0
 *
 * query_api.c: the read side for tests and workshop checks, served on the
 * HTTP port under /api/. Every answer is JSON made from what the store
 * holds (the OTLP/JSON of each item plus a "service" key), filtered by the
 * query parameters:
 *
 *   GET /api/traces?service=S&trace_id=HEX&name=SPAN   {"traces":[...]}
 *   GET /api/traces/<trace_id>/waterfall                the plain text view
 *   GET /api/logs?service=S&trace_id=HEX&body=TEXT      {"logs":[...]}
 *   GET /api/metrics?service=S&name=NAME                {"metrics":[...]}
 *   GET /api/stats                                      counters
 *   GET /api/services       {"services":[{name,traces,spans,errors,logs,metrics}]}
 *   GET /api/map            the service map (service_map.c)
 *   GET /api/metrics/series?service=S&name=NAME   each stream's history
 *                           (metric_series.c): {"series":[...]}
 *   GET /api/traces/<id>/otlp   the trace as OTLP/JSON (a download)
 *
 * A trace carries "ready": true once the live view would show it (root span
 * arrived, or quiet for the quiet period), so tests wait on a condition
 * instead of on time.
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

#define QUIET_NS 500000000ull

bool vw_query_param(const char *query, const char *name, char *out, size_t size) {
  size_t nlen = strlen(name);
  for (const char *p = query; p && *p;) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
      size_t o = 0;
      for (size_t i = nlen + 1; i < len && o + 1 < size; i++) {
        char ch = p[i];
        if (ch == '+') ch = ' ';
        else if (ch == '%' && i + 2 < len) {
          char hex[3] = {p[i + 1], p[i + 2], 0};
          char *end;
          long v = strtol(hex, &end, 16);
          if (*end == '\0') { ch = (char)v; i += 2; }
        }
        out[o++] = ch;
      }
      out[o] = '\0';
      return true;
    }
    p = amp ? amp + 1 : NULL;
  }
  return false;
}

typedef struct query {
  char service[256], trace_id[64], name[256], body[256];
  bool has_service, has_trace_id, has_name, has_body;
  cJSON *list;
  uint64_t now;
  const char *want_trace;  /* waterfall: hex id */
  char *text;              /* waterfall result */
} query_t;

static void trace_cb(const vw_trace_t *t, void *ud) {
  query_t *q = ud;
  char tid[33];
  vw_hex(t->trace_id, 16, tid);
  if (q->has_trace_id && strcmp(q->trace_id, tid) != 0) return;
  bool svc = !q->has_service, name = !q->has_name;
  for (size_t i = 0; i < t->n_spans; i++) {
    if (q->has_service && strcmp(t->spans[i].service, q->service) == 0) svc = true;
    if (q->has_name && strcmp(t->spans[i].name, q->name) == 0) name = true;
  }
  if (!svc || !name) return;
  cJSON *o = cJSON_CreateObject();
  if (!o) return;
  cJSON_AddStringToObject(o, "traceId", tid);
  cJSON_AddBoolToObject(o, "rootReceived", t->root_seen);
  cJSON_AddBoolToObject(o, "ready", vw_trace_ready(t, q->now, QUIET_NS));
  cJSON_AddNumberToObject(o, "spanCount", (double)t->n_spans);
  cJSON *spans = cJSON_AddArrayToObject(o, "spans");
  for (size_t i = 0; spans && i < t->n_spans; i++) {
    cJSON *j = vw_packed_json(&t->spans[i].pb, &opentelemetry__proto__trace__v1__span__descriptor,
                              t->spans[i].service);
    if (j) vw_add_origin_json(j, &t->spans[i].origin);
    if (j) cJSON_AddItemToArray(spans, j);
  }
  cJSON_AddItemToArray(q->list, o);
}

static void waterfall_cb(const vw_trace_t *t, void *ud) {
  query_t *q = ud;
  char tid[33];
  vw_hex(t->trace_id, 16, tid);
  if (q->text || strcmp(tid, q->want_trace) != 0) return;
  vw_render_opts_t o = {.color = false, .bar_width = 40};
  q->text = vw_render_waterfall(t, &o);
}

static void log_cb(const vw_log_t *l, void *ud) {
  query_t *q = ud;
  if (q->has_service && strcmp(l->service, q->service) != 0) return;
  if (q->has_body && !strstr(l->body, q->body)) return;
  if (q->has_trace_id) {
    char tid[33];
    vw_hex(l->trace_id, 16, tid);
    if (!l->has_trace || strcmp(tid, q->trace_id) != 0) return;
  }
  cJSON *j = vw_packed_json(&l->pb, &opentelemetry__proto__logs__v1__log_record__descriptor,
                            l->service);
  if (j) vw_add_origin_json(j, &l->origin);
  if (j) cJSON_AddItemToArray(q->list, j);
}

static void series_cb(const vw_metric_t *m, void *ud) {
  query_t *q = ud;
  if (q->has_service && strcmp(m->service, q->service) != 0) return;
  if (q->has_name && strcmp(m->name, q->name) != 0) return;
  cJSON *j = vw_metric_series_json(m);
  if (j) cJSON_AddItemToArray(q->list, j);
}

static void metric_cb(const vw_metric_t *m, void *ud) {
  query_t *q = ud;
  if (q->has_service && strcmp(m->service, q->service) != 0) return;
  if (q->has_name && strcmp(m->name, q->name) != 0) return;
  if (m->json) cJSON_AddItemToArray(q->list, cJSON_Duplicate(m->json, 1));
}

bool vw_parse_hex(const char *hex, uint8_t *out, size_t n) {
  if (strlen(hex) != 2 * n) return false;
  for (size_t i = 0; i < 2 * n; i++) {
    char c = hex[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return false;
    if (i % 2 == 0) out[i / 2] = (uint8_t)(v << 4);
    else out[i / 2] |= (uint8_t)v;
  }
  return true;
}

static bool same_packed(const vw_packed_t *a, const vw_packed_t *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* The trace as an ExportTraceServiceRequest in OTLP/JSON: one
 * resourceSpans per distinct resource, one scopeSpans per distinct scope
 * in it, spans in arrival order. */
static void otlp_cb(const vw_trace_t *t, const vw_log_t *const *logs, size_t n, void *ud) {
  (void)logs, (void)n;
  cJSON **out = ud;
  if (!t) return;
  cJSON *root = cJSON_CreateObject(), *rss = cJSON_AddArrayToObject(root, "resourceSpans");
  bool *done = calloc(t->n_spans + 1, sizeof *done);
  if (!root || !rss || !done) { cJSON_Delete(root); free(done); return; }
  for (size_t i = 0; i < t->n_spans; i++) {
    if (done[i]) continue;
    const vw_origin_t *o = &t->spans[i].origin;
    cJSON *rs = cJSON_CreateObject(), *tmp = cJSON_CreateObject();
    if (!rs || !tmp || !vw_add_origin_json(tmp, o)) { cJSON_Delete(rs); cJSON_Delete(tmp); break; }
    cJSON_AddItemToObject(rs, "resource", cJSON_DetachItemFromObject(tmp, "resource"));
    cJSON_Delete(tmp);
    cJSON *sss = cJSON_AddArrayToObject(rs, "scopeSpans");
    cJSON_AddItemToArray(rss, rs);
    for (size_t k = i; k < t->n_spans; k++) { /* each scope of this resource */
      const vw_origin_t *ok = &t->spans[k].origin;
      if (done[k] || !same_packed(&ok->resource, &o->resource)) continue;
      cJSON *ss = cJSON_CreateObject(), *st = cJSON_CreateObject();
      if (!ss || !st || !vw_add_origin_json(st, ok)) { cJSON_Delete(ss); cJSON_Delete(st); break; }
      cJSON_AddItemToObject(ss, "scope", cJSON_DetachItemFromObject(st, "scope"));
      cJSON_Delete(st);
      cJSON *spans = cJSON_AddArrayToObject(ss, "spans");
      cJSON_AddItemToArray(sss, ss);
      for (size_t m = k; m < t->n_spans; m++) {
        const vw_origin_t *om = &t->spans[m].origin;
        if (done[m] || !same_packed(&om->resource, &o->resource) ||
            !same_packed(&om->scope, &ok->scope))
          continue;
        done[m] = true;
        cJSON *j = vw_packed_json(&t->spans[m].pb,
                                  &opentelemetry__proto__trace__v1__span__descriptor, NULL);
        if (!j) continue;
        cJSON_DeleteItemFromObject(j, "service");
        cJSON_AddItemToArray(spans, j);
      }
    }
  }
  free(done);
  *out = root;
}

static void map_json_cb(const vw_trace_t *const *v, size_t n, void *ud) {
  vw_service_map_t m;
  if (!vw_service_map(v, n, &m)) return;
  *(cJSON **)ud = vw_service_map_json(&m);
  vw_service_map_free(&m);
}

/* /api/services: every service seen in traces, logs or metrics, with
 * counts of each; built from the map's nodes plus the logs and metrics. */
typedef struct services { cJSON *list; } services_t;

static cJSON *service_entry(services_t *sv, const char *name) {
  cJSON *o;
  cJSON_ArrayForEach(o, sv->list)
    if (strcmp(cJSON_GetObjectItem(o, "name")->valuestring, name) == 0) return o;
  o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "name", name);
  static const char *const keys[] = {"traces", "spans", "errors", "logs", "metrics"};
  for (int i = 0; i < 5; i++) cJSON_AddNumberToObject(o, keys[i], 0);
  cJSON_AddItemToArray(sv->list, o);
  return o;
}

static void bump(cJSON *o, const char *key, double by) {
  cJSON *v = o ? cJSON_GetObjectItem(o, key) : NULL;
  if (v) cJSON_SetNumberValue(v, v->valuedouble + by);
}

static void services_trace_cb(const vw_trace_t *t, void *ud) {
  services_t *sv = ud;
  for (size_t i = 0; i < t->n_spans; i++) {
    cJSON *o = service_entry(sv, t->spans[i].service);
    bool first = true; /* count the trace once per service */
    for (size_t k = 0; k < i && first; k++)
      first = strcmp(t->spans[k].service, t->spans[i].service) != 0;
    if (first) bump(o, "traces", 1);
    bump(o, "spans", 1);
    if (t->spans[i].status_code == 2) bump(o, "errors", 1);
  }
}

static void services_log_cb(const vw_log_t *l, void *ud) {
  bump(service_entry(ud, l->service), "logs", 1);
}

static void services_metric_cb(const vw_metric_t *m, void *ud) {
  bump(service_entry(ud, m->service), "metrics", 1);
}

static char *json_answer(cJSON *root, int *status, const char **ct) {
  char *s = root ? cJSON_PrintUnformatted(root) : NULL;
  cJSON_Delete(root);
  *status = s ? 200 : 500;
  *ct = "application/json";
  return s ? s : strdup("{\"error\":\"out of memory\"}");
}

char *vw_query(vw_store_t *s, const char *path, const char *query,
               int *status, const char **content_type) {
  query_t q = {.now = vw_monotonic_ns()};
  q.has_service = vw_query_param(query, "service", q.service, sizeof q.service);
  q.has_trace_id = vw_query_param(query, "trace_id", q.trace_id, sizeof q.trace_id);
  q.has_name = vw_query_param(query, "name", q.name, sizeof q.name);
  q.has_body = vw_query_param(query, "body", q.body, sizeof q.body);
  const char *key = NULL;
  cJSON *root = cJSON_CreateObject();
  if (root) q.list = cJSON_CreateArray();
  if (!root || !q.list) { cJSON_Delete(root); cJSON_Delete(q.list); return json_answer(NULL, status, content_type); }

  const char *wf = "/waterfall", *otlp = "/otlp";
  uint8_t id[16];
  char idhex[33] = "";
  if (strncmp(path, "/api/traces/", 12) == 0 && strlen(path) >= 12 + 32) {
    memcpy(idhex, path + 12, 32);
    idhex[32] = '\0';
  }
  if (idhex[0] && strcmp(path + 12 + 32, otlp) == 0 && vw_parse_hex(idhex, id, 16)) {
    cJSON_Delete(root);
    cJSON_Delete(q.list);
    cJSON *j = NULL;
    vw_store_read_trace(s, id, otlp_cb, &j);
    if (!j) {
      *status = 404;
      *content_type = "application/json";
      return strdup("{\"error\":\"trace not found\"}");
    }
    return json_answer(j, status, content_type);
  }
  size_t plen = strlen(path), wlen = strlen(wf);
  if (strcmp(path, "/api/traces") == 0) {
    key = "traces";
    vw_store_each_trace(s, trace_cb, &q);
  } else if (strncmp(path, "/api/traces/", 12) == 0 && plen == 12 + 32 + wlen &&
             strcmp(path + plen - wlen, wf) == 0) {
    char id[33];
    memcpy(id, path + 12, 32);
    id[32] = '\0';
    q.want_trace = id;
    vw_store_each_trace(s, waterfall_cb, &q);
    cJSON_Delete(root);
    cJSON_Delete(q.list);
    *content_type = "text/plain; charset=utf-8";
    if (!q.text) { *status = 404; return strdup("trace not found\n"); }
    *status = 200;
    return q.text;
  } else if (strcmp(path, "/api/map") == 0) {
    cJSON_Delete(root);
    cJSON_Delete(q.list);
    cJSON *j = NULL;
    vw_store_read_traces(s, map_json_cb, &j);
    return json_answer(j, status, content_type);
  } else if (strcmp(path, "/api/services") == 0) {
    key = "services";
    services_t sv = {q.list};
    vw_store_each_trace(s, services_trace_cb, &sv);
    vw_store_each_log(s, services_log_cb, &sv);
    vw_store_each_metric(s, services_metric_cb, &sv);
  } else if (strcmp(path, "/api/logs") == 0) {
    key = "logs";
    vw_store_each_log(s, log_cb, &q);
  } else if (strcmp(path, "/api/metrics/series") == 0) {
    key = "series";
    vw_store_each_metric(s, series_cb, &q);
  } else if (strcmp(path, "/api/metrics") == 0) {
    key = "metrics";
    vw_store_each_metric(s, metric_cb, &q);
  } else if (strcmp(path, "/api/stats") == 0) {
    cJSON_Delete(q.list);
    vw_stats_t st = vw_store_stats(s);
    cJSON_AddNumberToObject(root, "requests", (double)st.requests);
    cJSON_AddNumberToObject(root, "spans", (double)st.spans);
    cJSON_AddNumberToObject(root, "logs", (double)st.logs);
    cJSON_AddNumberToObject(root, "points", (double)st.points);
    cJSON_AddNumberToObject(root, "rejected", (double)st.rejected);
    cJSON_AddNumberToObject(root, "badRequests", (double)st.bad_requests);
    cJSON_AddNumberToObject(root, "evictedTraces", (double)st.evicted_traces);
    cJSON_AddNumberToObject(root, "evictedLogs", (double)st.evicted_logs);
    cJSON_AddNumberToObject(root, "evictedMetrics", (double)st.evicted_metrics);
    cJSON_AddNumberToObject(root, "droppedSpans", (double)st.dropped_spans);
    return json_answer(root, status, content_type);
  } else {
    cJSON_Delete(q.list);
    cJSON_Delete(root);
    *status = 404;
    *content_type = "application/json";
    return strdup("{\"error\":\"not found\"}");
  }
  cJSON_AddItemToObject(root, key, q.list);
  return json_answer(root, status, content_type);
}
