/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_trace.c: finished spans -> ExportTraceServiceRequest bytes.
 * The message tree is built in an arena (one free for everything) and
 * packed once. Spans are grouped into ResourceSpans by resource and into
 * ScopeSpans by instrumentation scope, in order of first appearance.
 */
#include "otlp_encode.h"

#include "trace_internal.h"

#include "arena.h"
#include "proto_attr.h"
#include "proto_resource.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

#include <stdlib.h>
#include <string.h>

/* Spans that ended long ago are cold in cache by the time a batch is
 * encoded: their memory is requested this many spans ahead. */
#define PREFETCH_AHEAD 4

typedef Opentelemetry__Proto__Trace__V1__ResourceSpans pb_resource_spans_t;
typedef Opentelemetry__Proto__Trace__V1__ScopeSpans pb_scope_spans_t;
typedef Opentelemetry__Proto__Trace__V1__Span pb_span_t;

static ProtobufCBinaryData bytes(otel__arena_t *a, const uint8_t *p, size_t n) {
  ProtobufCBinaryData b = {0, NULL};
  uint8_t *copy = otel__arena_alloc(a, n);
  if (copy) {
    memcpy(copy, p, n);
    b.len = n;
    b.data = copy;
  }
  return b;
}

static bool is_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

/* OTLP span flags: the W3C trace flags plus the "parent is remote" bits. */
static uint32_t span_flags(uint8_t trace_flags, bool has_parent, bool parent_remote) {
  uint32_t f = trace_flags;
  f |= OPENTELEMETRY__PROTO__TRACE__V1__SPAN_FLAGS__SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK;
  if (has_parent && parent_remote)
    f |= OPENTELEMETRY__PROTO__TRACE__V1__SPAN_FLAGS__SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK;
  return f;
}

static pb_span_t *encode_span(otel__arena_t *a, const otel_span_data_t *s) {
  pb_span_t *p = otel__arena_alloc(a, sizeof(*p));
  if (!p) return NULL;
  opentelemetry__proto__trace__v1__span__init(p);
  p->trace_id = bytes(a, s->context.trace_id, 16);
  p->span_id = bytes(a, s->context.span_id, 8);
  bool has_parent = !is_zero(s->parent_span_id, 8);
  if (has_parent) p->parent_span_id = bytes(a, s->parent_span_id, 8);
  p->trace_state = (char *)(s->trace_state ? s->trace_state : "");
  p->flags = span_flags(s->context.trace_flags, has_parent, s->parent_is_remote);
  p->name = (char *)(s->name ? s->name : "");
  p->kind = (Opentelemetry__Proto__Trace__V1__Span__SpanKind)s->kind;
  p->start_time_unix_nano = s->start_time_ns;
  p->end_time_unix_nano = s->end_time_ns;
  p->attributes = otel__proto_kvs(a, s->attrs, s->attr_count, &p->n_attributes);
  p->dropped_attributes_count = s->dropped_attrs;
  if (s->event_count) {
    p->events = otel__arena_alloc(a, s->event_count * sizeof(*p->events));
    if (!p->events) return NULL;
    for (size_t i = 0; i < s->event_count; i++) {
      Opentelemetry__Proto__Trace__V1__Span__Event *e = otel__arena_alloc(a, sizeof(*e));
      if (!e) return NULL;
      opentelemetry__proto__trace__v1__span__event__init(e);
      e->time_unix_nano = s->events[i].time_ns;
      e->name = (char *)s->events[i].name;
      e->attributes = otel__proto_kvs(a, s->events[i].attrs, s->events[i].attr_count, &e->n_attributes);
      e->dropped_attributes_count = s->events[i].dropped_attrs;
      p->events[p->n_events++] = e;
    }
  }
  p->dropped_events_count = s->dropped_events;
  if (s->link_count) {
    p->links = otel__arena_alloc(a, s->link_count * sizeof(*p->links));
    if (!p->links) return NULL;
    for (size_t i = 0; i < s->link_count; i++) {
      const otel_span_link_data_t *l = &s->links[i];
      Opentelemetry__Proto__Trace__V1__Span__Link *pl = otel__arena_alloc(a, sizeof(*pl));
      if (!pl) return NULL;
      opentelemetry__proto__trace__v1__span__link__init(pl);
      pl->trace_id = bytes(a, l->context.trace_id, 16);
      pl->span_id = bytes(a, l->context.span_id, 8);
      pl->trace_state = (char *)(l->trace_state ? l->trace_state : "");
      pl->attributes = otel__proto_kvs(a, l->attrs, l->attr_count, &pl->n_attributes);
      pl->dropped_attributes_count = l->dropped_attrs;
      pl->flags = span_flags(l->context.trace_flags, true, l->context.is_remote);
      p->links[p->n_links++] = pl;
    }
  }
  p->dropped_links_count = s->dropped_links;
  p->status = otel__arena_alloc(a, sizeof(*p->status));
  if (!p->status) return NULL;
  opentelemetry__proto__trace__v1__status__init(p->status);
  p->status->code = (Opentelemetry__Proto__Trace__V1__Status__StatusCode)s->status;
  p->status->message = (char *)(s->status_description ? s->status_description : "");
  return p;
}

/* Finds or adds the ScopeSpans for span s; returns NULL on OOM. */
static pb_scope_spans_t *group_for(otel__arena_t *a, pb_resource_spans_t **rs, size_t *n_rs,
                                   const otel_resource_t **rs_key, const otel_span_data_t *s,
                                   size_t max) {
  size_t r = 0;
  while (r < *n_rs && rs_key[r] != s->resource) r++;
  if (r == *n_rs) {
    pb_resource_spans_t *x = otel__arena_alloc(a, sizeof(*x));
    if (!x) return NULL;
    opentelemetry__proto__trace__v1__resource_spans__init(x);
    x->resource = otel__proto_resource(a, s->resource);
    x->scope_spans = otel__arena_alloc(a, max * sizeof(*x->scope_spans));
    if (!x->resource || !x->scope_spans) return NULL;
    rs[r] = x;
    rs_key[r] = s->resource;
    (*n_rs)++;
  }
  pb_resource_spans_t *x = rs[r];
  for (size_t i = 0; i < x->n_scope_spans; i++) {
    Opentelemetry__Proto__Common__V1__InstrumentationScope *sc = x->scope_spans[i]->scope;
    if (!strcmp(sc->name, s->scope_name ? s->scope_name : "") &&
        !strcmp(sc->version, s->scope_version ? s->scope_version : ""))
      return x->scope_spans[i];
  }
  pb_scope_spans_t *ss = otel__arena_alloc(a, sizeof(*ss));
  if (!ss) return NULL;
  opentelemetry__proto__trace__v1__scope_spans__init(ss);
  ss->scope = otel__proto_scope(a, s->scope_name, s->scope_version);
  ss->spans = otel__arena_alloc(a, max * sizeof(*ss->spans));
  if (!ss->scope || !ss->spans) return NULL;
  x->scope_spans[x->n_scope_spans++] = ss;
  return ss;
}

otel_err_t otel__otlp_encode_spans(const otel_span_data_t *const *spans, size_t n,
                                   uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  otel__arena_t a;
  otel__arena_init(&a, 64 * 1024);
  otel_err_t err = OTEL_ENOMEM;
  Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest req =
      OPENTELEMETRY__PROTO__COLLECTOR__TRACE__V1__EXPORT_TRACE_SERVICE_REQUEST__INIT;
  size_t slots = n ? n : 1;
  pb_resource_spans_t **rs = otel__arena_alloc(&a, slots * sizeof(*rs));
  const otel_resource_t **keys = otel__arena_alloc(&a, slots * sizeof(*keys));
  if (!rs || !keys) goto out;
  for (size_t i = 0; i < n && i < PREFETCH_AHEAD; i++) otel__span_data_prefetch(spans[i]);
  for (size_t i = 0; i < n; i++) {
    if (i + PREFETCH_AHEAD < n) otel__span_data_prefetch(spans[i + PREFETCH_AHEAD]);
    pb_scope_spans_t *ss = group_for(&a, rs, &req.n_resource_spans, keys, spans[i], n);
    pb_span_t *p = ss ? encode_span(&a, spans[i]) : NULL;
    if (!p) goto out;
    ss->spans[ss->n_spans++] = p;
  }
  req.resource_spans = rs;
  size_t len = opentelemetry__proto__collector__trace__v1__export_trace_service_request__get_packed_size(&req);
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) goto out;
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__pack(&req, buf);
  *out = buf;
  *out_len = len;
  err = OTEL_OK;
out:
  otel__arena_cleanup(&a);
  return err;
}
