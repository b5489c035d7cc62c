/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_metrics.c: a collected metric batch -> an
 * ExportMetricsServiceRequest. metrics.proto is written in proto2 syntax
 * (see its header), so every scalar is emitted by setting its has_ flag;
 * the bytes are the same as proto3's. Streams are grouped by scope.
 */
#include "metrics_internal.h"

#include "arena.h"
#include "proto_attr.h"
#include "proto_resource.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"

#include <stdlib.h>
#include <string.h>

typedef Opentelemetry__Proto__Metrics__V1__Metric pb_metric_t;
typedef Opentelemetry__Proto__Metrics__V1__ScopeMetrics pb_scope_t;
typedef Opentelemetry__Proto__Metrics__V1__NumberDataPoint pb_number_t;
typedef Opentelemetry__Proto__Metrics__V1__HistogramDataPoint pb_hist_t;
typedef Opentelemetry__Proto__Metrics__V1__Exemplar pb_exemplar_t;

static bool nonzero(const uint8_t *id, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (id[i]) return true;
  return false;
}

/* The point's exemplars, with their ids when a span was current. */
static bool encode_exemplars(otel__arena_t *a, const otel_metric_point_t *p, size_t *n_out,
                             pb_exemplar_t ***out) {
  *n_out = 0;
  *out = NULL;
  if (!p->exemplar_count) return true;
  pb_exemplar_t **xs = otel__arena_alloc(a, p->exemplar_count * sizeof(*xs));
  if (!xs) return false;
  for (size_t i = 0; i < p->exemplar_count; i++) {
    const otel_exemplar_t *e = &p->exemplars[i];
    pb_exemplar_t *x = xs[i] = otel__arena_alloc(a, sizeof(*x));
    if (!x) return false;
    opentelemetry__proto__metrics__v1__exemplar__init(x);
    x->has_time_unix_nano = 1;
    x->time_unix_nano = e->time_ns;
    x->value_case = OPENTELEMETRY__PROTO__METRICS__V1__EXEMPLAR__VALUE_AS_DOUBLE;
    x->as_double = e->value;
    if (nonzero(e->trace_id, sizeof(e->trace_id))) {
      x->has_trace_id = x->has_span_id = 1;
      x->trace_id.len = sizeof(e->trace_id);
      x->trace_id.data = (uint8_t *)e->trace_id;
      x->span_id.len = sizeof(e->span_id);
      x->span_id.data = (uint8_t *)e->span_id;
    }
  }
  *n_out = p->exemplar_count;
  *out = xs;
  return true;
}

static pb_number_t *number_point(otel__arena_t *a, const otel_metric_point_t *p) {
  pb_number_t *d = otel__arena_alloc(a, sizeof(*d));
  if (!d) return NULL;
  opentelemetry__proto__metrics__v1__number_data_point__init(d);
  d->attributes = otel__proto_kvs(a, p->attrs, p->attr_count, &d->n_attributes);
  d->has_start_time_unix_nano = d->has_time_unix_nano = 1;
  d->start_time_unix_nano = p->start_time_ns;
  d->time_unix_nano = p->time_ns;
  if (p->is_double) {
    d->value_case = OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_DOUBLE;
    d->as_double = p->as_double;
  } else {
    d->value_case = OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_INT;
    d->as_int = p->as_int;
  }
  return d;
}

static pb_hist_t *histogram_point(otel__arena_t *a, const otel_metric_stream_t *s,
                                  const otel_metric_point_t *p) {
  pb_hist_t *d = otel__arena_alloc(a, sizeof(*d));
  if (!d) return NULL;
  opentelemetry__proto__metrics__v1__histogram_data_point__init(d);
  d->attributes = otel__proto_kvs(a, p->attrs, p->attr_count, &d->n_attributes);
  d->has_start_time_unix_nano = d->has_time_unix_nano = d->has_count = d->has_sum = 1;
  d->start_time_unix_nano = p->start_time_ns;
  d->time_unix_nano = p->time_ns;
  d->count = p->count;
  d->sum = p->sum;
  if (p->count) {
    d->has_min = d->has_max = 1;
    d->min = p->min;
    d->max = p->max;
  }
  d->n_bucket_counts = p->bucket_count;
  d->bucket_counts = otel__arena_alloc(a, p->bucket_count * sizeof(uint64_t));
  d->n_explicit_bounds = s->boundary_count;
  d->explicit_bounds = otel__arena_alloc(a, s->boundary_count * sizeof(double) + 1);
  if (!d->bucket_counts || !d->explicit_bounds) return NULL;
  memcpy(d->bucket_counts, p->bucket_counts, p->bucket_count * sizeof(uint64_t));
  memcpy(d->explicit_bounds, s->boundaries, s->boundary_count * sizeof(double));
  if (!encode_exemplars(a, p, &d->n_exemplars, &d->exemplars)) return NULL;
  return d;
}

static pb_metric_t *encode_stream(otel__arena_t *a, const otel_metric_stream_t *s) {
  pb_metric_t *m = otel__arena_alloc(a, sizeof(*m));
  if (!m) return NULL;
  opentelemetry__proto__metrics__v1__metric__init(m);
  m->name = (char *)s->name; /* checked against the instrument name syntax: ASCII */
  m->description = otel__proto_text(a, s->description);
  m->unit = otel__proto_text(a, s->unit);
  if (!m->description || !m->unit) return NULL;
  int temporality = s->temporality == OTEL_TEMPORALITY_DELTA
                        ? OPENTELEMETRY__PROTO__METRICS__V1__AGGREGATION_TEMPORALITY__AGGREGATION_TEMPORALITY_DELTA
                        : OPENTELEMETRY__PROTO__METRICS__V1__AGGREGATION_TEMPORALITY__AGGREGATION_TEMPORALITY_CUMULATIVE;
  if (s->kind == OTEL_INSTRUMENT_HISTOGRAM) {
    Opentelemetry__Proto__Metrics__V1__Histogram *h = otel__arena_alloc(a, sizeof(*h));
    pb_hist_t **pts = otel__arena_alloc(a, s->point_count * sizeof(*pts));
    if (!h || !pts) return NULL;
    opentelemetry__proto__metrics__v1__histogram__init(h);
    for (size_t i = 0; i < s->point_count; i++)
      if (!(pts[i] = histogram_point(a, s, &s->points[i]))) return NULL;
    h->data_points = pts;
    h->n_data_points = s->point_count;
    h->has_aggregation_temporality = 1;
    h->aggregation_temporality = temporality;
    m->data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM;
    m->histogram = h;
    return m;
  }
  pb_number_t **pts = otel__arena_alloc(a, s->point_count * sizeof(*pts));
  if (!pts) return NULL;
  for (size_t i = 0; i < s->point_count; i++)
    if (!(pts[i] = number_point(a, &s->points[i]))) return NULL;
  if (s->kind == OTEL_INSTRUMENT_GAUGE || s->kind == OTEL_INSTRUMENT_OBSERVABLE_GAUGE) {
    Opentelemetry__Proto__Metrics__V1__Gauge *g = otel__arena_alloc(a, sizeof(*g));
    if (!g) return NULL;
    opentelemetry__proto__metrics__v1__gauge__init(g);
    g->data_points = pts;
    g->n_data_points = s->point_count;
    m->data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_GAUGE;
    m->gauge = g;
  } else {
    Opentelemetry__Proto__Metrics__V1__Sum *sum = otel__arena_alloc(a, sizeof(*sum));
    if (!sum) return NULL;
    opentelemetry__proto__metrics__v1__sum__init(sum);
    sum->data_points = pts;
    sum->n_data_points = s->point_count;
    sum->has_aggregation_temporality = sum->has_is_monotonic = 1;
    sum->aggregation_temporality = temporality;
    sum->is_monotonic = s->monotonic;
    m->data_case = OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM;
    m->sum = sum;
  }
  return m;
}

otel_err_t otel__otlp_encode_metrics(const otel_metric_batch_t *b, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  otel__arena_t a;
  otel__arena_init(&a, 16384);
  otel_err_t err = OTEL_ENOMEM;
  Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest req =
      OPENTELEMETRY__PROTO__COLLECTOR__METRICS__V1__EXPORT_METRICS_SERVICE_REQUEST__INIT;
  Opentelemetry__Proto__Metrics__V1__ResourceMetrics rm =
      OPENTELEMETRY__PROTO__METRICS__V1__RESOURCE_METRICS__INIT;
  Opentelemetry__Proto__Metrics__V1__ResourceMetrics *rms[1] = {&rm};
  size_t n = b->stream_count ? b->stream_count : 1;
  pb_scope_t **scopes = otel__arena_alloc(&a, n * sizeof(*scopes));
  rm.resource = otel__proto_resource(&a, b->resource);
  if (!scopes || !rm.resource) goto out;
  for (size_t i = 0; i < b->stream_count; i++) {
    const otel_metric_stream_t *s = &b->streams[i];
    pb_scope_t *sc = NULL;
    for (size_t j = 0; j < rm.n_scope_metrics && !sc; j++)
      if (!strcmp(scopes[j]->scope->name, s->scope_name) && !strcmp(scopes[j]->scope->version, s->scope_version))
        sc = scopes[j];
    if (!sc) {
      sc = otel__arena_alloc(&a, sizeof(*sc));
      if (!sc) goto out;
      opentelemetry__proto__metrics__v1__scope_metrics__init(sc);
      sc->scope = otel__proto_scope(&a, s->scope_name, s->scope_version);
      sc->metrics = otel__arena_alloc(&a, n * sizeof(*sc->metrics));
      if (!sc->scope || !sc->metrics) goto out;
      scopes[rm.n_scope_metrics++] = sc;
    }
    pb_metric_t *m = encode_stream(&a, s);
    if (!m) goto out;
    sc->metrics[sc->n_metrics++] = m;
  }
  rm.scope_metrics = scopes;
  req.resource_metrics = rms;
  req.n_resource_metrics = 1;
  size_t len = opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__get_packed_size(&req);
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) goto out;
  opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__pack(&req, buf);
  *out = buf;
  *out_len = len;
  err = OTEL_OK;
out:
  otel__arena_cleanup(&a);
  return err;
}
