/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_trace.c: finished spans -> ExportTraceServiceRequest bytes.
 *
 * Spans are grouped into ResourceSpans by resource and into ScopeSpans by
 * instrumentation scope, in order of first appearance (otlp_wire_back.c),
 * and written in the protobuf wire format straight from the span data, in
 * one pass that writes backwards (otlp_wire_back.h): an earlier version
 * sized every span first, then wrote it, and the sizing cost a third of
 * the encoding. (Building the
 * protobuf-c message tree first, then sizing and packing it, wrote and
 * read about a kilobyte of structs per span; the exporter thread spent
 * most of its time there.) The bytes are those protobuf-c would produce
 * for the same message from our .proto files: fields in number order,
 * proto3 fields at their default value left out; the unit test checks
 * that unpacking and repacking them with protobuf-c gives the same bytes.
 * Span text is valid UTF-8 already (span.c cleans it when it copies it),
 * so it is written without a check.
 */
#include "otlp_encode.h"

#include "internal.h"
#include "otlp_wire_back.h"
#include "trace_internal.h"
#include "opentelemetry/proto/trace/v1/trace.pb-c.h"

#include <string.h>

/* ---- Span (trace.proto) --------------------------------------------------------- */

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

/* Written backwards (otlp_wire_back.h): each message's fields last to
 * first, repeated fields last to first, so the bytes come out in field
 * number order. */

/* Event content: time 1, name 2, attributes 3, dropped 4. */
static void event_back(otel__wback_t *w, const otel_span_event_t *e) {
  if (!otel__wback_room(w, 12)) return;
  wb_opt_varint(w, 4, e->dropped_attrs);
  otel__wback_attrs(w, 3, e->attrs, e->attr_count, true);
  wb_valid_string(w, 2, e->name, true);
  if (!otel__wback_room(w, 12)) return;
  wb_opt_fixed64(w, 1, e->time_ns);
}

/* Link content: trace_id 1, span_id 2, trace_state 3, attributes 4,
 * dropped 5, flags 6. */
static void link_back(otel__wback_t *w, const otel_span_link_data_t *l) {
  if (!otel__wback_room(w, 24)) return;
  wb_opt_fixed32(w, 6, span_flags(l->context.trace_flags, true, l->context.is_remote));
  wb_opt_varint(w, 5, l->dropped_attrs);
  otel__wback_attrs(w, 4, l->attrs, l->attr_count, true);
  wb_valid_string(w, 3, l->trace_state, true);
  if (!otel__wback_room(w, 2 * 12 + 16 + 8)) return;
  wb_bytes(w, 2, l->context.span_id, 8);
  wb_bytes(w, 1, l->context.trace_id, 16);
}

/* Span content, fields 16 down to 1. */
static void span_back(otel__wback_t *w, const otel_span_data_t *s) {
  bool has_parent = !is_zero(s->parent_span_id, 8);
  /* 16 flags, 15 status { 2 message, 3 code }, 14 dropped links */
  if (!otel__wback_room(w, 3 * 12)) return;
  wb_opt_fixed32(w, 16, span_flags(s->context.trace_flags, has_parent, s->parent_is_remote));
  size_t status_mark = otel__wback_len(w);
  wb_opt_varint(w, 3, (uint64_t)s->status);
  wb_valid_string(w, 2, s->status_description, true);
  if (!otel__wback_room(w, 2 * 12)) return;
  wb_header(w, 15, otel__wback_len(w) - status_mark);
  wb_opt_varint(w, 14, s->dropped_links);
  for (size_t i = s->link_count; i-- > 0;) {
    size_t mark = otel__wback_len(w);
    link_back(w, &s->links[i]);
    if (!otel__wback_room(w, 12)) return;
    wb_header(w, 13, otel__wback_len(w) - mark);
  }
  if (!otel__wback_room(w, 12)) return;
  wb_opt_varint(w, 12, s->dropped_events);
  for (size_t i = s->event_count; i-- > 0;) {
    size_t mark = otel__wback_len(w);
    event_back(w, &s->events[i]);
    if (!otel__wback_room(w, 12)) return;
    wb_header(w, 11, otel__wback_len(w) - mark);
  }
  if (!otel__wback_room(w, 12)) return;
  wb_opt_varint(w, 10, s->dropped_attrs);
  otel__wback_attrs(w, 9, s->attrs, s->attr_count, true);
  /* 8 end, 7 start, 6 kind */
  if (!otel__wback_room(w, 3 * 12)) return;
  wb_opt_fixed64(w, 8, s->end_time_ns);
  wb_opt_fixed64(w, 7, s->start_time_ns);
  wb_opt_varint(w, 6, (uint64_t)s->kind);
  wb_valid_string(w, 5, s->name, true);
  /* 4 parent, 3 trace_state, 2 span_id, 1 trace_id */
  if (has_parent) {
    if (!otel__wback_room(w, 12 + 8)) return;
    wb_bytes(w, 4, s->parent_span_id, 8);
  }
  wb_valid_string(w, 3, s->trace_state, true);
  if (!otel__wback_room(w, 2 * 12 + 16 + 8)) return;
  wb_bytes(w, 2, s->context.span_id, 8);
  wb_bytes(w, 1, s->context.trace_id, 16);
}

/* ---- the request -------------------------------------------------------------------- */

static const otel_resource_t *span_resource(const void *item) {
  return ((const otel_span_data_t *)item)->resource;
}

static bool same_str(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

static bool same_scope(const void *a, const void *b) {
  const otel_span_data_t *x = a, *y = b;
  /* spans of one tracer share its name and version strings */
  if (x->scope_name == y->scope_name && x->scope_version == y->scope_version) return true;
  return same_str(x->scope_name, y->scope_name) && same_str(x->scope_version, y->scope_version);
}

static void span_scope(const void *item, const char **name, const char **version) {
  const otel_span_data_t *s = item;
  *name = s->scope_name;
  *version = s->scope_version;
}

static void span_put_back(otel__wback_t *w, const void *item) { span_back(w, item); }
static void span_prefetch(const void *item) { otel__span_data_prefetch(item); }

/* bytes per span of the last request, for the next one's first buffer */
static _Atomic size_t bytes_per_span;

static otel__wback_request_t span_request(const otel_span_data_t *const *spans, size_t n) {
  otel__wback_request_t r = {
      .req = {.items = (const void *const *)spans, .n = n, .resource_of = span_resource,
              .same_scope = same_scope, .scope_of = span_scope, .prefetch = span_prefetch},
      .put_item_back = span_put_back, .size_hint = &bytes_per_span};
  return r;
}

otel_err_t otel__otlp_encode_spans_at(const otel_span_data_t *const *spans, size_t n, uint8_t **base,
                                      uint8_t **data, size_t *len) {
  otel__wback_request_t r = span_request(spans, n);
  return otel__wback_encode_request(&r, base, data, len);
}

otel_err_t otel__otlp_encode_spans(const otel_span_data_t *const *spans, size_t n,
                                   uint8_t **out, size_t *out_len) {
  uint8_t *base, *data;
  otel_err_t err = otel__otlp_encode_spans_at(spans, n, &base, &data, out_len);
  if (err) {
    *out = NULL;
    *out_len = 0;
    return err;
  }
  memmove(base, data, *out_len);
  *out = base;
  return OTEL_OK;
}
