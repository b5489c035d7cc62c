/* SPDX-License-Identifier: Apache-2.0
 *
 * ingest.c: the one place where a decoded Export*ServiceRequest, whatever
 * transport it came on, becomes viewer records. It validates each item
 * (spans need a 16-byte trace id and an 8-byte span id; metrics need a name
 * and data), stores the valid ones, counts the others as rejected for the
 * partial_success of the response, and appends the whole request as one
 * line of OTLP/JSON to the JSON-lines file when there is one (the format of
 * the Collector's file exporter). A span or log record is stored as one
 * block (record_block.c) holding its text and its bytes as they arrived
 * (wire_slices.c; packed again only for requests that came as JSON).
 */
#include "viewer.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef Opentelemetry__Proto__Common__V1__KeyValue KeyValue;
typedef Opentelemetry__Proto__Common__V1__AnyValue AnyValue;
typedef Opentelemetry__Proto__Resource__V1__Resource Resource;

struct vw_ingest {
  vw_store_t *store;
  FILE *jsonl;
  pthread_mutex_t file_mu;
};

uint64_t vw_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

vw_ingest_t *vw_ingest_create(vw_store_t *store, FILE *jsonl) {
  vw_ingest_t *in = calloc(1, sizeof *in);
  if (!in) return NULL;
  in->store = store;
  in->jsonl = jsonl;
  pthread_mutex_init(&in->file_mu, NULL);
  return in;
}

void vw_ingest_flush(vw_ingest_t *in) {
  pthread_mutex_lock(&in->file_mu);
  if (in->jsonl) fflush(in->jsonl);
  pthread_mutex_unlock(&in->file_mu);
}

void vw_ingest_destroy(vw_ingest_t *in) {
  if (!in) return;
  if (in->jsonl) fclose(in->jsonl);
  pthread_mutex_destroy(&in->file_mu);
  free(in);
}

static void append_jsonl(vw_ingest_t *in, const ProtobufCMessage *req) {
  if (!in->jsonl) return;
  cJSON *j = vw_pb_to_json(req);
  char *line = j ? cJSON_PrintUnformatted(j) : NULL;
  cJSON_Delete(j);
  if (!line) return;
  pthread_mutex_lock(&in->file_mu);
  fputs(line, in->jsonl);
  fputc('\n', in->jsonl);
  fflush(in->jsonl);
  pthread_mutex_unlock(&in->file_mu);
  free(line);
}

char *vw_anyvalue_text(const AnyValue *v) {
  if (!v) return strdup("");
  if (v->value_case == OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE)
    return strdup(v->string_value ? v->string_value : "");
  char buf[64];
  switch (v->value_case) {
  case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
    return strdup(v->bool_value ? "true" : "false");
  case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
    snprintf(buf, sizeof buf, "%lld", (long long)v->int_value);
    return strdup(buf);
  case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
    snprintf(buf, sizeof buf, "%g", v->double_value);
    return strdup(buf);
  case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE__NOT_SET:
    return strdup("");
  default: {
    cJSON *j = vw_pb_to_json(&v->base);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return s ? s : strdup("");
  }
  }
}

/* Text of the attributes of one span or data point, built on the stack:
 * this runs for every span that arrives. Longer text is cut with "...". */
#define VW_ATTR_TEXT_MAX 512
typedef struct attr_line {
  char text[VW_ATTR_TEXT_MAX];
  size_t len;
} attr_line_t;

/* Appends s[0..n) (cut, and the cut marked with "...", when full). */
static void line_putn(attr_line_t *l, const char *s, size_t n) {
  size_t room = sizeof l->text - 1 - l->len;
  if (n > room) { /* cut, and mark the cut */
    n = room;
    if (n >= 3) memcpy(l->text + sizeof l->text - 4, "...", 3);
    memcpy(l->text + l->len, s, n - (n >= 3 ? 3 : 0));
  } else {
    memcpy(l->text + l->len, s, n);
  }
  l->len += n;
  l->text[l->len] = '\0';
}

static void line_put(attr_line_t *l, const char *s) { line_putn(l, s, strlen(s)); }

static void line_putc(attr_line_t *l, char c) {
  if (l->len + 1 < sizeof l->text) {
    l->text[l->len++] = c;
    l->text[l->len] = '\0';
  } else {
    line_putn(l, &c, 1);
  }
}

/* The decimal text of v into buf[24], returning its start (snprintf's
 * "%lld" cost about 700 instructions; two integer attributes per span). */
static const char *int_text(long long v, char buf[24]) {
  char *p = buf + 23;
  *p = '\0';
  unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) *--p = '-';
  return p;
}

/* Appends "k=v" for one attribute, space-separated from what precedes. */
static void put_attr(attr_line_t *l, const KeyValue *kv) {
  const AnyValue *v = kv->value;
  if (l->len) line_putc(l, ' ');
  line_put(l, kv->key);
  line_putc(l, '=');
  if (v && v->value_case == OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE) {
    line_put(l, v->string_value ? v->string_value : "");
  } else if (v && v->value_case == OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE) {
    char num[24];
    line_put(l, int_text((long long)v->int_value, num));
  } else {
    char *text = vw_anyvalue_text(v);
    if (text) line_put(l, text);
    free(text);
  }
}

/* "k=v k=v" for the attributes kv[0..n), in their order, into out
 * (VW_ATTR_TEXT_MAX bytes). */
static void attrs_text_into(KeyValue *const *kv, size_t n, char *out) {
  attr_line_t line; /* not zeroed whole: 512 bytes for each span */
  line.len = 0;
  line.text[0] = '\0';
  for (size_t i = 0; i < n; i++)
    if (kv[i]->key) put_attr(&line, kv[i]);
  memcpy(out, line.text, line.len + 1);
}

/* As attrs_text_into, malloc'd (NULL when out of memory). */
static char *attrs_text(KeyValue *const *kv, size_t n) {
  char text[VW_ATTR_TEXT_MAX];
  attrs_text_into(kv, n, text);
  return strdup(text);
}

/* The attributes a person looks at first (HTTP semantic conventions). */
static const char *const key_attrs[] = {
    "http.request.method", "http.route", "url.path", "url.full",
    "http.response.status_code", "server.address", "server.port",
    "rpc.method", "db.system", "error.type", "exception.message", NULL};

#define N_KEY_ATTRS (sizeof key_attrs / sizeof key_attrs[0] - 1)
_Static_assert(N_KEY_ATTRS <= 16, "key_first holds 16 bits");
/* Bit w of key_first[c]: key_attrs[w] begins with c (a span's other
 * attributes are passed over without a strcmp). */
static uint16_t key_first[256];
static pthread_once_t key_first_once = PTHREAD_ONCE_INIT;

static void key_first_init(void) {
  for (size_t w = 0; w < N_KEY_ATTRS; w++)
    key_first[(unsigned char)key_attrs[w][0]] |= (uint16_t)(1u << w);
}

/* As attrs_text_into, for only the attributes of key_attrs, in its order
 * (the first of a key given twice), looked up by their first byte. */
static void key_attrs_text_into(KeyValue *const *kv, size_t n, char *out) {
  pthread_once(&key_first_once, key_first_init);
  const KeyValue *found[N_KEY_ATTRS];
  uint32_t have = 0; /* bit w: found[w] is set */
  for (size_t i = 0; i < n; i++) {
    const char *key = kv[i]->key;
    if (!key) continue;
    for (uint32_t maybe = key_first[(unsigned char)key[0]] & ~have; maybe; maybe &= maybe - 1) {
      unsigned w = (unsigned)__builtin_ctz(maybe);
      if (strcmp(key, key_attrs[w]) == 0) {
        found[w] = kv[i];
        have |= 1u << w;
        break;
      }
    }
  }
  attr_line_t line;
  line.len = 0;
  line.text[0] = '\0';
  for (unsigned w = 0; w < N_KEY_ATTRS; w++)
    if (have & (1u << w)) put_attr(&line, found[w]);
  memcpy(out, line.text, line.len + 1);
}

static void span_attrs(const Opentelemetry__Proto__Trace__V1__Span *sp, char *out) {
  key_attrs_text_into(sp->attributes, sp->n_attributes, out);
  if (!*out && sp->n_attributes) /* none of the known keys: the first three attributes */
    attrs_text_into(sp->attributes, sp->n_attributes < 3 ? sp->n_attributes : 3, out);
}

static char *service_of(const Resource *r) {
  if (r)
    for (size_t i = 0; i < r->n_attributes; i++)
      if (r->attributes[i]->key && strcmp(r->attributes[i]->key, "service.name") == 0)
        return vw_anyvalue_text(r->attributes[i]->value);
  return strdup("unknown_service");
}

/* The packed bytes of a request's Resource or InstrumentationScope (NULL:
 * none, an empty range). Free with origin_part_free. .data NULL when out of
 * memory. */
static vw_packed_t origin_part(const ProtobufCMessage *m) {
  static uint8_t none;
  return m ? vw_pack(m) : (vw_packed_t){&none, 0};
}

static void origin_part_free(vw_packed_t *p, const ProtobufCMessage *m) {
  if (m) free(p->data);
}

static bool is_zero(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) if (b[i]) return false;
  return true;
}

static void set_msg(char *msg, size_t size, const char *text) {
  if (!*msg) snprintf(msg, size, "%s", text);
}

/* The byte ranges of the n records of a request, when raw is given and
 * its walk finds exactly n; else NULL (the records are packed again). */
static vw_slice_t *record_slices(const vw_slice_t *raw, size_t n) {
  if (!raw || n == 0) return NULL;
  vw_slice_t *slices;
  if (vw_wire_slices(raw->data, raw->len, &slices) == n) return slices;
  free(slices);
  return NULL;
}

/* A record's packed bytes: its slice of the request when there is one
 * (borrowed: *owned false), else the record packed again (*owned true:
 * the caller frees .data). .data is NULL when out of memory. */
static vw_packed_t record_bytes(const ProtobufCMessage *m, const vw_slice_t *slice, bool *owned) {
  *owned = !slice;
  return slice ? (vw_packed_t){(uint8_t *)slice->data, slice->len} : vw_pack(m);
}

/* Stores the record's strings and packed bytes in one block; false when
 * out of memory. */
static bool fill_span(vw_span_t *v, const char *service,
                      const Opentelemetry__Proto__Trace__V1__Span *sp, const vw_slice_t *slice,
                      const vw_origin_t *origin) {
  char attrs[VW_ATTR_TEXT_MAX];
  span_attrs(sp, attrs);
  const char *status = sp->status && sp->status->message ? sp->status->message : "";
  bool owned;
  vw_packed_t pb = record_bytes(&sp->base, slice, &owned);
  bool ok = pb.data && vw_span_fill(v, service, sp->name, status, attrs, pb.data, pb.len, origin);
  if (owned) free(pb.data);
  return ok;
}

static size_t count_spans(
    const Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req) {
  size_t n = 0;
  for (size_t r = 0; r < req->n_resource_spans; r++)
    for (size_t s = 0; s < req->resource_spans[r]->n_scope_spans; s++)
      n += req->resource_spans[r]->scope_spans[s]->n_spans;
  return n;
}

int64_t vw_ingest_traces(vw_ingest_t *in,
    const Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req,
    const vw_slice_t *raw, char *msg, size_t msg_size) {
  vw_stats_t st = {.requests = 1};
  msg[0] = '\0';
  size_t total = count_spans(req), kept = 0;
  vw_slice_t *slices = record_slices(raw, total);
  vw_span_t *batch = total ? malloc(total * sizeof *batch) : NULL;
  size_t nth = 0; /* the span's position in the request, valid or not */
  for (size_t r = 0; r < req->n_resource_spans; r++) {
    const Opentelemetry__Proto__Trace__V1__ResourceSpans *rs = req->resource_spans[r];
    char *service = service_of(rs->resource);
    const ProtobufCMessage *res = rs->resource ? &rs->resource->base : NULL;
    vw_origin_t origin = {.resource = origin_part(res)};
    for (size_t s = 0; s < rs->n_scope_spans; s++) {
      const Opentelemetry__Proto__Trace__V1__ScopeSpans *ss = rs->scope_spans[s];
      const ProtobufCMessage *scope = ss->scope ? &ss->scope->base : NULL;
      origin.scope = origin_part(scope);
      for (size_t k = 0; k < ss->n_spans; k++, nth++) {
        const Opentelemetry__Proto__Trace__V1__Span *sp = ss->spans[k];
        if (sp->trace_id.len != 16 || sp->span_id.len != 8 ||
            is_zero(sp->trace_id.data, 16) || is_zero(sp->span_id.data, 8) ||
            (sp->parent_span_id.len != 0 && sp->parent_span_id.len != 8)) {
          st.rejected++;
          set_msg(msg, msg_size, "span with an invalid trace id, span id or parent span id");
          continue;
        }
        vw_span_t v = {0};
        memcpy(v.trace_id, sp->trace_id.data, 16);
        memcpy(v.span_id, sp->span_id.data, 8);
        if (sp->parent_span_id.len == 8 && !is_zero(sp->parent_span_id.data, 8)) {
          memcpy(v.parent_id, sp->parent_span_id.data, 8);
          v.has_parent = true;
        }
        v.kind = (int)sp->kind;
        v.start_ns = sp->start_time_unix_nano;
        v.end_ns = sp->end_time_unix_nano;
        v.status_code = sp->status ? (int)sp->status->code : 0;
        if (!batch || !origin.resource.data || !origin.scope.data ||
            !fill_span(&v, service, sp, slices ? &slices[nth] : NULL, &origin)) {
          st.rejected++;
          set_msg(msg, msg_size, "out of memory");
          continue;
        }
        batch[kept++] = v;
        st.spans++;
      }
      origin_part_free(&origin.scope, scope);
    }
    origin_part_free(&origin.resource, res);
    free(service);
  }
  vw_store_add_spans(in->store, batch, kept);
  free(batch);
  free(slices);
  vw_store_count(in->store, &st);
  append_jsonl(in, &req->base);
  return (int64_t)st.rejected;
}

static size_t count_logs(
    const Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest *req) {
  size_t n = 0;
  for (size_t r = 0; r < req->n_resource_logs; r++)
    for (size_t s = 0; s < req->resource_logs[r]->n_scope_logs; s++)
      n += req->resource_logs[r]->scope_logs[s]->n_log_records;
  return n;
}

/* As fill_span, for a log record. */
static bool fill_log(vw_log_t *l, const char *service,
                     const Opentelemetry__Proto__Logs__V1__LogRecord *lr, const vw_slice_t *slice,
                     const vw_origin_t *origin) {
  char *body = vw_anyvalue_text(lr->body);
  if (!body) return false;
  bool owned;
  vw_packed_t pb = record_bytes(&lr->base, slice, &owned);
  bool ok = pb.data && vw_log_fill(l, lr->severity_text, service, body, pb.data, pb.len, origin);
  if (owned) free(pb.data);
  free(body);
  return ok;
}

int64_t vw_ingest_logs(vw_ingest_t *in,
    const Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest *req,
    const vw_slice_t *raw, char *msg, size_t msg_size) {
  vw_stats_t st = {.requests = 1};
  msg[0] = '\0';
  vw_slice_t *slices = record_slices(raw, count_logs(req));
  size_t nth = 0;
  for (size_t r = 0; r < req->n_resource_logs; r++) {
    const Opentelemetry__Proto__Logs__V1__ResourceLogs *rl = req->resource_logs[r];
    char *service = service_of(rl->resource);
    const ProtobufCMessage *res = rl->resource ? &rl->resource->base : NULL;
    vw_origin_t origin = {.resource = origin_part(res)};
    for (size_t s = 0; s < rl->n_scope_logs; s++) {
      const Opentelemetry__Proto__Logs__V1__ScopeLogs *sl = rl->scope_logs[s];
      const ProtobufCMessage *scope = sl->scope ? &sl->scope->base : NULL;
      origin.scope = origin_part(scope);
      for (size_t k = 0; k < sl->n_log_records; k++, nth++) {
        const Opentelemetry__Proto__Logs__V1__LogRecord *lr = sl->log_records[k];
        if ((lr->trace_id.len != 0 && lr->trace_id.len != 16) ||
            (lr->span_id.len != 0 && lr->span_id.len != 8)) {
          st.rejected++;
          set_msg(msg, msg_size, "log record with an invalid trace id or span id");
          continue;
        }
        vw_log_t l = {0};
        l.time_ns = lr->time_unix_nano ? lr->time_unix_nano : lr->observed_time_unix_nano;
        l.severity_number = (int)lr->severity_number;
        if (lr->trace_id.len == 16 && !is_zero(lr->trace_id.data, 16)) {
          memcpy(l.trace_id, lr->trace_id.data, 16);
          l.has_trace = true;
          if (lr->span_id.len == 8) memcpy(l.span_id, lr->span_id.data, 8);
        }
        if (!origin.resource.data || !origin.scope.data ||
            !fill_log(&l, service, lr, slices ? &slices[nth] : NULL, &origin)) {
          st.rejected++;
          set_msg(msg, msg_size, "out of memory");
          continue;
        }
        vw_store_add_log(in->store, &l);
        st.logs++;
      }
      origin_part_free(&origin.scope, scope);
    }
    origin_part_free(&origin.resource, res);
    free(service);
  }
  free(slices);
  vw_store_count(in->store, &st);
  append_jsonl(in, &req->base);
  return (int64_t)st.rejected;
}

double vw_histogram_quantile(const uint64_t *counts, size_t n_counts,
                             const double *bounds, size_t n_bounds, double q) {
  uint64_t total = 0;
  for (size_t i = 0; i < n_counts; i++) total += counts[i];
  if (total == 0 || n_counts == 0) return NAN;
  double rank = q * (double)total;
  uint64_t cum = 0;
  for (size_t i = 0; i < n_counts; i++) {
    if (counts[i] == 0) { continue; }
    if ((double)(cum + counts[i]) >= rank) {
      /* bucket i is (bounds[i-1], bounds[i]]; the outer ones are open */
      if (n_bounds == 0) return NAN;
      if (i == 0) return bounds[0];
      if (i >= n_bounds) return bounds[n_bounds - 1];
      double lo = bounds[i - 1], hi = bounds[i];
      double frac = (rank - (double)cum) / (double)counts[i];
      return lo + (hi - lo) * frac;
    }
    cum += counts[i];
  }
  return n_bounds ? bounds[n_bounds - 1] : NAN;
}

/* Copies up to VW_MAX_EXEMPLARS exemplars of a point into p. */
static void take_exemplars(vw_point_t *p, Opentelemetry__Proto__Metrics__V1__Exemplar *const *ex,
                           size_t n) {
  for (size_t i = 0; i < n && p->n_exemplars < VW_MAX_EXEMPLARS; i++) {
    vw_exemplar_t *e = &p->exemplars[p->n_exemplars++];
    e->time_ns = ex[i]->time_unix_nano;
    e->value = ex[i]->value_case == OPENTELEMETRY__PROTO__METRICS__V1__EXEMPLAR__VALUE_AS_INT
                   ? (double)ex[i]->as_int
                   : ex[i]->as_double;
    e->has_trace = ex[i]->trace_id.len == 16 && ex[i]->span_id.len == 8;
    if (e->has_trace) {
      memcpy(e->trace_id, ex[i]->trace_id.data, 16);
      memcpy(e->span_id, ex[i]->span_id.data, 8);
    }
  }
}

/* Stores one data point of metric m (pt is the point message). */
static void put_point(vw_ingest_t *in, const char *service,
                      const Opentelemetry__Proto__Metrics__V1__Metric *m,
                      vw_metric_type_t type, const ProtobufCMessage *pt,
                      KeyValue *const *attrs, size_t n_attrs, const cJSON *origin,
                      const char *res_attrs) {
  vw_metric_t v = {0};
  v.resource_attrs = strdup(res_attrs ? res_attrs : "");
  v.service = strdup(service);
  v.name = strdup(m->name);
  v.unit = strdup(m->unit ? m->unit : "");
  v.attrs = attrs_text(attrs, n_attrs);
  if (!v.attrs) v.attrs = strdup("");
  v.type = type;
  v.p50 = v.p99 = NAN;
  if (type == VW_METRIC_GAUGE || type == VW_METRIC_SUM) {
    const Opentelemetry__Proto__Metrics__V1__NumberDataPoint *p = (const void *)pt;
    if (p->value_case == OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_INT) {
      v.is_int = true;
      v.int_value = p->as_int;
      v.value = (double)p->as_int;
    } else {
      v.value = p->as_double;
    }
    v.time_ns = p->time_unix_nano;
    v.point.value = v.value;
    v.point.start_ns = p->start_time_unix_nano;
    take_exemplars(&v.point, p->exemplars, p->n_exemplars);
    if (type == VW_METRIC_SUM) {
      v.monotonic = m->sum->is_monotonic;
      v.temporality = (int)m->sum->aggregation_temporality;
    }
  } else if (type == VW_METRIC_HISTOGRAM) {
    const Opentelemetry__Proto__Metrics__V1__HistogramDataPoint *p = (const void *)pt;
    v.temporality = (int)m->histogram->aggregation_temporality;
    v.point.start_ns = p->start_time_unix_nano;
    v.point.count = p->count;
    v.point.sum = p->has_sum ? p->sum : NAN;
    if (p->n_bucket_counts && (v.point.buckets = malloc(p->n_bucket_counts * sizeof(uint64_t)))) {
      memcpy(v.point.buckets, p->bucket_counts, p->n_bucket_counts * sizeof(uint64_t));
      v.point.n_buckets = p->n_bucket_counts;
    }
    if (p->n_explicit_bounds && (v.bounds = malloc(p->n_explicit_bounds * sizeof(double)))) {
      memcpy(v.bounds, p->explicit_bounds, p->n_explicit_bounds * sizeof(double));
      v.n_bounds = p->n_explicit_bounds;
    }
    take_exemplars(&v.point, p->exemplars, p->n_exemplars);
    v.count = p->count;
    v.sum = p->has_sum ? p->sum : NAN;
    v.p50 = vw_histogram_quantile(p->bucket_counts, p->n_bucket_counts,
                                  p->explicit_bounds, p->n_explicit_bounds, 0.5);
    v.p99 = vw_histogram_quantile(p->bucket_counts, p->n_bucket_counts,
                                  p->explicit_bounds, p->n_explicit_bounds, 0.99);
    v.time_ns = p->time_unix_nano;
  } else if (type == VW_METRIC_EXP_HISTOGRAM) {
    const Opentelemetry__Proto__Metrics__V1__ExponentialHistogramDataPoint *p = (const void *)pt;
    v.count = p->count;
    v.sum = p->has_sum ? p->sum : NAN;
    v.time_ns = p->time_unix_nano;
  } else {
    const Opentelemetry__Proto__Metrics__V1__SummaryDataPoint *p = (const void *)pt;
    v.count = p->count;
    v.sum = p->has_sum ? p->sum : NAN;
    for (size_t i = 0; i < p->n_quantile_values; i++) {
      if (p->quantile_values[i]->quantile == 0.5) v.p50 = p->quantile_values[i]->value;
      if (p->quantile_values[i]->quantile == 0.99) v.p99 = p->quantile_values[i]->value;
    }
    v.time_ns = p->time_unix_nano;
  }
  v.point.time_ns = v.time_ns;
  static const char *const type_names[] = {"gauge", "sum", "histogram",
                                           "exponentialHistogram", "summary"};
  cJSON *j = cJSON_CreateObject();
  if (j) {
    cJSON_AddStringToObject(j, "service", service);
    cJSON_AddStringToObject(j, "name", m->name);
    cJSON_AddStringToObject(j, "unit", v.unit ? v.unit : "");
    cJSON_AddStringToObject(j, "description", m->description ? m->description : "");
    cJSON_AddStringToObject(j, "type", type_names[type]);
    cJSON_AddStringToObject(j, "attributes", v.attrs ? v.attrs : "");
    if (type == VW_METRIC_GAUGE || type == VW_METRIC_SUM) {
      cJSON_AddNumberToObject(j, "value", v.value);
    } else {
      cJSON_AddNumberToObject(j, "count", (double)v.count);
      if (!isnan(v.sum)) cJSON_AddNumberToObject(j, "sum", v.sum);
      if (!isnan(v.p50)) cJSON_AddNumberToObject(j, "p50", v.p50);
      if (!isnan(v.p99)) cJSON_AddNumberToObject(j, "p99", v.p99);
    }
    cJSON *pj = vw_pb_to_json(pt);
    if (pj) cJSON_AddItemToObject(j, "point", pj);
    for (const cJSON *o = origin ? origin->child : NULL; o; o = o->next)
      cJSON_AddItemToObject(j, o->string, cJSON_Duplicate(o, 1));
  }
  v.json = j;
  vw_store_put_metric(in->store, &v);
}

int64_t vw_ingest_metrics(vw_ingest_t *in,
    const Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *req,
    char *msg, size_t msg_size) {
  vw_stats_t st = {.requests = 1};
  msg[0] = '\0';
  for (size_t r = 0; r < req->n_resource_metrics; r++) {
    const Opentelemetry__Proto__Metrics__V1__ResourceMetrics *rm = req->resource_metrics[r];
    char *service = service_of(rm->resource);
    const char *svc = service ? service : "";
    char res_text[VW_ATTR_TEXT_MAX] = "";
    if (rm->resource)
      attrs_text_into(rm->resource->attributes, rm->resource->n_attributes, res_text);
    for (size_t s = 0; s < rm->n_scope_metrics; s++) {
      const Opentelemetry__Proto__Metrics__V1__ScopeMetrics *sm = rm->scope_metrics[s];
      /* "resource" and "scope" of every point of this scope */
      cJSON *origin = cJSON_CreateObject();
      if (origin) {
        cJSON_AddItemToObject(origin, "resource",
                              vw_resource_json(rm->resource ? &rm->resource->base : NULL));
        cJSON_AddItemToObject(origin, "scope", sm->scope ? vw_pb_to_json(&sm->scope->base)
                                                         : cJSON_CreateObject());
      }
      for (size_t k = 0; k < sm->n_metrics; k++) {
        const Opentelemetry__Proto__Metrics__V1__Metric *m = sm->metrics[k];
        if (!m->name || !*m->name ||
            m->data_case == OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA__NOT_SET) {
          st.rejected++;
          set_msg(msg, msg_size, "metric without a name or without data");
          continue;
        }
        switch (m->data_case) {
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_GAUGE:
          for (size_t i = 0; i < m->gauge->n_data_points; i++, st.points++)
            put_point(in, svc, m, VW_METRIC_GAUGE, &m->gauge->data_points[i]->base,
                      m->gauge->data_points[i]->attributes,
                      m->gauge->data_points[i]->n_attributes, origin, res_text);
          break;
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM:
          for (size_t i = 0; i < m->sum->n_data_points; i++, st.points++)
            put_point(in, svc, m, VW_METRIC_SUM, &m->sum->data_points[i]->base,
                      m->sum->data_points[i]->attributes,
                      m->sum->data_points[i]->n_attributes, origin, res_text);
          break;
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM:
          for (size_t i = 0; i < m->histogram->n_data_points; i++, st.points++)
            put_point(in, svc, m, VW_METRIC_HISTOGRAM, &m->histogram->data_points[i]->base,
                      m->histogram->data_points[i]->attributes,
                      m->histogram->data_points[i]->n_attributes, origin, res_text);
          break;
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_EXPONENTIAL_HISTOGRAM:
          for (size_t i = 0; i < m->exponential_histogram->n_data_points; i++, st.points++)
            put_point(in, svc, m, VW_METRIC_EXP_HISTOGRAM,
                      &m->exponential_histogram->data_points[i]->base,
                      m->exponential_histogram->data_points[i]->attributes,
                      m->exponential_histogram->data_points[i]->n_attributes, origin, res_text);
          break;
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUMMARY:
          for (size_t i = 0; i < m->summary->n_data_points; i++, st.points++)
            put_point(in, svc, m, VW_METRIC_SUMMARY, &m->summary->data_points[i]->base,
                      m->summary->data_points[i]->attributes,
                      m->summary->data_points[i]->n_attributes, origin, res_text);
          break;
        default:
          break;
        }
      }
      cJSON_Delete(origin);
    }
    free(service);
  }
  vw_store_count(in->store, &st);
  append_jsonl(in, &req->base);
  return (int64_t)st.rejected;
}

const ProtobufCMessageDescriptor *vw_request_descriptor(vw_signal_t sig) {
  switch (sig) {
  case VW_TRACES:
    return &opentelemetry__proto__collector__trace__v1__export_trace_service_request__descriptor;
  case VW_METRICS:
    return &opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__descriptor;
  default:
    return &opentelemetry__proto__collector__logs__v1__export_logs_service_request__descriptor;
  }
}

ProtobufCMessage *vw_ingest_request(vw_ingest_t *in, vw_signal_t sig,
                                    const ProtobufCMessage *req, const vw_slice_t *raw) {
  char msg[256];
  if (sig == VW_TRACES) {
    int64_t rej = vw_ingest_traces(in, (const void *)req, raw, msg, sizeof msg);
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceResponse *r = malloc(sizeof *r);
    if (!r) return NULL;
    opentelemetry__proto__collector__trace__v1__export_trace_service_response__init(r);
    if (rej || *msg) {
      r->partial_success = malloc(sizeof *r->partial_success);
      if (r->partial_success) {
        opentelemetry__proto__collector__trace__v1__export_trace_partial_success__init(r->partial_success);
        r->partial_success->rejected_spans = rej;
        r->partial_success->error_message = strdup(msg);
      }
    }
    return &r->base;
  }
  if (sig == VW_METRICS) {
    int64_t rej = vw_ingest_metrics(in, (const void *)req, msg, sizeof msg);
    Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceResponse *r = malloc(sizeof *r);
    if (!r) return NULL;
    opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__init(r);
    if (rej || *msg) {
      r->partial_success = malloc(sizeof *r->partial_success);
      if (r->partial_success) {
        opentelemetry__proto__collector__metrics__v1__export_metrics_partial_success__init(r->partial_success);
        r->partial_success->has_rejected_data_points = 1;
        r->partial_success->rejected_data_points = rej;
        r->partial_success->error_message = strdup(msg);
      }
    }
    return &r->base;
  }
  int64_t rej = vw_ingest_logs(in, (const void *)req, raw, msg, sizeof msg);
  Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse *r = malloc(sizeof *r);
  if (!r) return NULL;
  opentelemetry__proto__collector__logs__v1__export_logs_service_response__init(r);
  if (rej || *msg) {
    r->partial_success = malloc(sizeof *r->partial_success);
    if (r->partial_success) {
      opentelemetry__proto__collector__logs__v1__export_logs_partial_success__init(r->partial_success);
      r->partial_success->rejected_log_records = rej;
      r->partial_success->error_message = strdup(msg);
    }
  }
  return &r->base;
}
