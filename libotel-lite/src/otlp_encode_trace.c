/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_trace.c: finished spans -> ExportTraceServiceRequest bytes.
 *
 * Spans are grouped into ResourceSpans by resource and into ScopeSpans by
 * instrumentation scope, in order of first appearance, and written in the
 * protobuf wire format straight from the span data: a first pass sizes
 * every span, a second writes them into one buffer. (Building the
 * protobuf-c message tree first, then sizing and packing it, wrote and
 * read about a kilobyte of structs per span; the exporter thread spent
 * most of its time there.) The bytes are those protobuf-c would produce
 * for the same message from our .proto files: fields in number order,
 * proto3 fields at their default value left out; the unit test checks
 * that unpacking and repacking them with protobuf-c gives the same bytes.
 * The few Resource and InstrumentationScope messages are packed with
 * protobuf-c (proto_resource.c).
 */
#include "otlp_encode.h"

#include "arena.h"
#include "internal.h"
#include "otlp_wire.h"
#include "proto_resource.h"
#include "trace_internal.h"
#include "opentelemetry/proto/trace/v1/trace.pb-c.h"

#include <stdlib.h>
#include <string.h>

/* Spans that ended long ago are cold in cache by the time a batch is
 * encoded: their memory is requested this many spans ahead. */
#define PREFETCH_AHEAD 4

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
  return wire_opt_fixed64_size(1, e->time_ns) + wire_opt_string_size(2, e->name) +
         otel__wire_attrs_size(3, e->attrs, e->attr_count) + wire_opt_varint_size(4, e->dropped_attrs);
}

static uint8_t *put_event(uint8_t *p, const otel_span_event_t *e) {
  p = wire_put_opt_fixed64(p, 1, e->time_ns);
  p = wire_put_opt_string(p, 2, e->name);
  p = otel__wire_put_attrs(p, 3, e->attrs, e->attr_count);
  return wire_put_opt_varint(p, 4, e->dropped_attrs);
}

/* Link content: trace_id 1, span_id 2, trace_state 3, attributes 4,
 * dropped 5, flags 6. */
static size_t link_size(const otel_span_link_data_t *l) {
  return wire_len_field(1, 16) + wire_len_field(2, 8) + wire_opt_string_size(3, l->trace_state) +
         otel__wire_attrs_size(4, l->attrs, l->attr_count) + wire_opt_varint_size(5, l->dropped_attrs) +
         wire_opt_fixed32_size(6, span_flags(l->context.trace_flags, true, l->context.is_remote));
}

static uint8_t *put_link(uint8_t *p, const otel_span_link_data_t *l) {
  p = wire_put_bytes(p, 1, l->context.trace_id, 16);
  p = wire_put_bytes(p, 2, l->context.span_id, 8);
  p = wire_put_opt_string(p, 3, l->trace_state);
  p = otel__wire_put_attrs(p, 4, l->attrs, l->attr_count);
  p = wire_put_opt_varint(p, 5, l->dropped_attrs);
  return wire_put_opt_fixed32(p, 6, span_flags(l->context.trace_flags, true, l->context.is_remote));
}

/* Status content: message 2, code 3. */
static size_t status_size(const otel_span_data_t *s) {
  return wire_opt_string_size(2, s->status_description) + wire_opt_varint_size(3, (uint64_t)s->status);
}

/* Span content, fields 1 to 16 in number order. */
static size_t span_size(const otel_span_data_t *s) {
  bool has_parent = !is_zero(s->parent_span_id, 8);
  size_t n = wire_len_field(1, 16) + wire_len_field(2, 8) + wire_opt_string_size(3, s->trace_state) +
             (has_parent ? wire_len_field(4, 8) : 0) + wire_opt_string_size(5, s->name) +
             wire_opt_varint_size(6, (uint64_t)s->kind) + wire_opt_fixed64_size(7, s->start_time_ns) +
             wire_opt_fixed64_size(8, s->end_time_ns) + otel__wire_attrs_size(9, s->attrs, s->attr_count) +
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
  p = wire_put_opt_string(p, 3, s->trace_state);
  if (has_parent) p = wire_put_bytes(p, 4, s->parent_span_id, 8);
  p = wire_put_opt_string(p, 5, s->name);
  p = wire_put_opt_varint(p, 6, (uint64_t)s->kind);
  p = wire_put_opt_fixed64(p, 7, s->start_time_ns);
  p = wire_put_opt_fixed64(p, 8, s->end_time_ns);
  p = otel__wire_put_attrs(p, 9, s->attrs, s->attr_count);
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
  p = wire_put_opt_string(p, 2, s->status_description);
  p = wire_put_opt_varint(p, 3, (uint64_t)s->status);
  return wire_put_opt_fixed32(p, 16, span_flags(s->context.trace_flags, has_parent, s->parent_is_remote));
}

/* ---- grouping and the request ------------------------------------------------------ */

typedef struct packed {
  uint8_t *data;
  size_t len;
} packed_t;

/* A ScopeSpans: its scope, its spans (a chain through next[]), its size. */
typedef struct scope_group {
  size_t resource;      /* index into resources */
  const char *name, *version;
  packed_t scope;       /* InstrumentationScope, packed */
  size_t first, last;   /* span indices */
  size_t size;          /* content size */
} scope_group_t;

typedef struct resource_group {
  const otel_resource_t *resource;
  packed_t packed;      /* Resource, packed */
  size_t size;          /* content size */
} resource_group_t;

/* m packed into the arena; .data NULL when m is NULL (out of memory) or
 * there is no more memory. */
static packed_t pack_message(otel__arena_t *a, const void *message) {
  const ProtobufCMessage *m = message;
  packed_t p = {NULL, 0};
  if (!m) return p;
  p.len = protobuf_c_message_get_packed_size(m);
  p.data = otel__arena_alloc(a, p.len ? p.len : 1);
  if (p.data) protobuf_c_message_pack(m, p.data);
  return p;
}

static bool same_str(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

otel_err_t otel__otlp_encode_spans(const otel_span_data_t *const *spans, size_t n,
                                   uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  otel__arena_t a;
  otel__arena_init(&a, 16 * 1024);
  otel_err_t err = OTEL_ENOMEM;
  size_t slots = n ? n : 1, n_res = 0, n_scopes = 0;
  resource_group_t *res = otel__arena_alloc(&a, slots * sizeof(*res));
  scope_group_t *scopes = otel__arena_alloc(&a, slots * sizeof(*scopes));
  size_t *next = otel__arena_alloc(&a, slots * sizeof(*next));   /* next span, same scope */
  size_t *sizes = otel__arena_alloc(&a, slots * sizeof(*sizes)); /* span content sizes */
  if (!res || !scopes || !next || !sizes) goto out;

  /* pass 1: group, and size every span */
  for (size_t i = 0; i < n && i < PREFETCH_AHEAD; i++) otel__span_data_prefetch(spans[i]);
  for (size_t i = 0; i < n; i++) {
    if (i + PREFETCH_AHEAD < n) otel__span_data_prefetch(spans[i + PREFETCH_AHEAD]);
    const otel_span_data_t *s = spans[i];
    size_t r = 0, g = 0;
    while (r < n_res && res[r].resource != s->resource) r++;
    if (r == n_res) {
      res[r] = (resource_group_t){.resource = s->resource};
      res[r].packed = pack_message(&a, otel__proto_resource(&a, s->resource));
      if (!res[r].packed.data) goto out;
      n_res++;
    }
    while (g < n_scopes && !(scopes[g].resource == r && same_str(scopes[g].name, s->scope_name) &&
                             same_str(scopes[g].version, s->scope_version)))
      g++;
    if (g == n_scopes) {
      scopes[g] = (scope_group_t){.resource = r, .name = s->scope_name,
                                  .version = s->scope_version, .first = i};
      scopes[g].scope = pack_message(&a, otel__proto_scope(&a, s->scope_name, s->scope_version));
      if (!scopes[g].scope.data) goto out;
      n_scopes++;
    } else {
      next[scopes[g].last] = i;
    }
    scopes[g].last = i;
    next[i] = SIZE_MAX;
    sizes[i] = span_size(s);
    scopes[g].size += wire_len_field(2, sizes[i]);
  }
  size_t total = 0;
  for (size_t g = 0; g < n_scopes; g++) {
    scopes[g].size += wire_len_field(1, scopes[g].scope.len);
    res[scopes[g].resource].size += wire_len_field(2, scopes[g].size);
  }
  for (size_t r = 0; r < n_res; r++) {
    res[r].size += wire_len_field(1, res[r].packed.len);
    total += wire_len_field(1, res[r].size);
  }

  /* pass 2: write */
  uint8_t *buf = malloc(total ? total : 1), *p = buf;
  if (!buf) goto out;
  for (size_t r = 0; r < n_res; r++) {
    p = wire_put_tag(p, 1, WIRE_LEN); /* resource_spans */
    p = wire_put_varint(p, res[r].size);
    p = wire_put_bytes(p, 1, res[r].packed.data, res[r].packed.len);
    for (size_t g = 0; g < n_scopes; g++) {
      if (scopes[g].resource != r) continue;
      p = wire_put_tag(p, 2, WIRE_LEN); /* scope_spans */
      p = wire_put_varint(p, scopes[g].size);
      p = wire_put_bytes(p, 1, scopes[g].scope.data, scopes[g].scope.len);
      for (size_t i = scopes[g].first; i != SIZE_MAX; i = next[i]) {
        if (i + PREFETCH_AHEAD < n) otel__span_data_prefetch(spans[i + PREFETCH_AHEAD]);
        p = wire_put_tag(p, 2, WIRE_LEN); /* spans */
        p = wire_put_varint(p, sizes[i]);
        p = put_span(p, spans[i]);
      }
    }
  }
  if ((size_t)(p - buf) != total) { /* a size and its writing disagree: a bug, not data */
    free(buf);
    err = OTEL_EINVAL;
    goto out;
  }
  *out = buf;
  *out_len = total;
  err = OTEL_OK;
out:
  otel__arena_cleanup(&a);
  return err;
}
