/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_trace.c: finished spans -> ExportTraceServiceRequest bytes.
 *
 * Spans are grouped into ResourceSpans by resource and into ScopeSpans by
 * instrumentation scope, in order of first appearance (otlp_wire_request.c),
 * and written in the protobuf wire format straight from the span data: a
 * first pass sizes every span, a second writes them into one buffer. (Building the
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
#include "otlp_wire.h"
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

/* Event content: time 1, name 2, attributes 3, dropped 4. */
static size_t event_size(const otel_span_event_t *e) {
  return wire_opt_fixed64_size(1, e->time_ns) + wire_opt_valid_string_size(2, e->name) +
         otel__wire_attrs_size(3, e->attrs, e->attr_count, true) + wire_opt_varint_size(4, e->dropped_attrs);
}

static uint8_t *put_event(uint8_t *p, const otel_span_event_t *e) {
  p = wire_put_opt_fixed64(p, 1, e->time_ns);
  p = wire_put_opt_valid_string(p, 2, e->name);
  p = otel__wire_put_attrs(p, 3, e->attrs, e->attr_count, true);
  return wire_put_opt_varint(p, 4, e->dropped_attrs);
}

/* Link content: trace_id 1, span_id 2, trace_state 3, attributes 4,
 * dropped 5, flags 6. */
static size_t link_size(const otel_span_link_data_t *l) {
  return wire_len_field(1, 16) + wire_len_field(2, 8) + wire_opt_valid_string_size(3, l->trace_state) +
         otel__wire_attrs_size(4, l->attrs, l->attr_count, true) + wire_opt_varint_size(5, l->dropped_attrs) +
         wire_opt_fixed32_size(6, span_flags(l->context.trace_flags, true, l->context.is_remote));
}

static uint8_t *put_link(uint8_t *p, const otel_span_link_data_t *l) {
  p = wire_put_bytes(p, 1, l->context.trace_id, 16);
  p = wire_put_bytes(p, 2, l->context.span_id, 8);
  p = wire_put_opt_valid_string(p, 3, l->trace_state);
  p = otel__wire_put_attrs(p, 4, l->attrs, l->attr_count, true);
  p = wire_put_opt_varint(p, 5, l->dropped_attrs);
  return wire_put_opt_fixed32(p, 6, span_flags(l->context.trace_flags, true, l->context.is_remote));
}

/* Status content: message 2, code 3. */
static size_t status_size(const otel_span_data_t *s) {
  return wire_opt_valid_string_size(2, s->status_description) + wire_opt_varint_size(3, (uint64_t)s->status);
}

/* Span content, fields 1 to 16 in number order. */
static size_t span_size(const otel_span_data_t *s) {
  bool has_parent = !is_zero(s->parent_span_id, 8);
  size_t n = wire_len_field(1, 16) + wire_len_field(2, 8) + wire_opt_valid_string_size(3, s->trace_state) +
             (has_parent ? wire_len_field(4, 8) : 0) + wire_opt_valid_string_size(5, s->name) +
             wire_opt_varint_size(6, (uint64_t)s->kind) + wire_opt_fixed64_size(7, s->start_time_ns) +
             wire_opt_fixed64_size(8, s->end_time_ns) + otel__wire_attrs_size(9, s->attrs, s->attr_count, true) +
             wire_opt_varint_size(10, s->dropped_attrs);
  for (size_t i = 0; i < s->event_count; i++) n += wire_len_field(11, event_size(&s->events[i]));
  n += wire_opt_varint_size(12, s->dropped_events);
  for (size_t i = 0; i < s->link_count; i++) n += wire_len_field(13, link_size(&s->links[i]));
  n += wire_opt_varint_size(14, s->dropped_links);
  n += wire_len_field(15, status_size(s));
  n += wire_opt_fixed32_size(16, span_flags(s->context.trace_flags, has_parent, s->parent_is_remote));
  return n;
}

static uint8_t *put_span(uint8_t *p, const otel_span_data_t *s) {
  bool has_parent = !is_zero(s->parent_span_id, 8);
  p = wire_put_bytes(p, 1, s->context.trace_id, 16);
  p = wire_put_bytes(p, 2, s->context.span_id, 8);
  p = wire_put_opt_valid_string(p, 3, s->trace_state);
  if (has_parent) p = wire_put_bytes(p, 4, s->parent_span_id, 8);
  p = wire_put_opt_valid_string(p, 5, s->name);
  p = wire_put_opt_varint(p, 6, (uint64_t)s->kind);
  p = wire_put_opt_fixed64(p, 7, s->start_time_ns);
  p = wire_put_opt_fixed64(p, 8, s->end_time_ns);
  p = otel__wire_put_attrs(p, 9, s->attrs, s->attr_count, true);
  p = wire_put_opt_varint(p, 10, s->dropped_attrs);
  for (size_t i = 0; i < s->event_count; i++) {
    p = wire_put_tag(p, 11, WIRE_LEN);
    p = wire_put_varint(p, event_size(&s->events[i]));
    p = put_event(p, &s->events[i]);
  }
  p = wire_put_opt_varint(p, 12, s->dropped_events);
  for (size_t i = 0; i < s->link_count; i++) {
    p = wire_put_tag(p, 13, WIRE_LEN);
    p = wire_put_varint(p, link_size(&s->links[i]));
    p = put_link(p, &s->links[i]);
  }
  p = wire_put_opt_varint(p, 14, s->dropped_links);
  p = wire_put_tag(p, 15, WIRE_LEN);
  p = wire_put_varint(p, status_size(s));
  p = wire_put_opt_valid_string(p, 2, s->status_description);
  p = wire_put_opt_varint(p, 3, (uint64_t)s->status);
  return wire_put_opt_fixed32(p, 16, span_flags(s->context.trace_flags, has_parent, s->parent_is_remote));
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

static size_t span_item_size(const void *item) { return span_size(item); }
static uint8_t *span_put_item(uint8_t *p, const void *item) { return put_span(p, item); }
static void span_prefetch(const void *item) { otel__span_data_prefetch(item); }

otel_err_t otel__otlp_encode_spans(const otel_span_data_t *const *spans, size_t n,
                                   uint8_t **out, size_t *out_len) {
  otel__wire_request_t r = {
      .items = (const void *const *)spans, .n = n, .resource_of = span_resource,
      .same_scope = same_scope, .scope_of = span_scope, .item_size = span_item_size,
      .put_item = span_put_item, .prefetch = span_prefetch};
  return otel__wire_encode_request(&r, out, out_len);
}
