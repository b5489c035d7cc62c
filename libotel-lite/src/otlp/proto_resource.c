/* SPDX-License-Identifier: Apache-2.0
 *
 * proto_resource.c: Resource and InstrumentationScope -> OTLP protobuf-c
 * messages in an arena (see proto_resource.h).
 */
#include "proto_resource.h"

#include "proto_attr.h"

Opentelemetry__Proto__Resource__V1__Resource *
otel__proto_resource(otel__arena_t *arena, const otel_resource_t *r) {
  Opentelemetry__Proto__Resource__V1__Resource *pr = otel__arena_alloc(arena, sizeof(*pr));
  if (!pr) return NULL;
  opentelemetry__proto__resource__v1__resource__init(pr);
  size_t n = otel_resource_attr_count(r);
  if (n == 0) return pr;
  otel__pb_kv_t **kvs = otel__arena_alloc(arena, n * sizeof(*kvs));
  if (!kvs) return NULL;
  for (size_t i = 0; i < n; i++) {
    kvs[i] = otel__proto_kv(arena, otel_resource_attr_at(r, i));
    if (!kvs[i]) return NULL;
  }
  pr->attributes = kvs;
  pr->n_attributes = n;
  return pr;
}

Opentelemetry__Proto__Common__V1__InstrumentationScope *
otel__proto_scope(otel__arena_t *arena, const char *name, const char *version) {
  Opentelemetry__Proto__Common__V1__InstrumentationScope *s = otel__arena_alloc(arena, sizeof(*s));
  if (!s) return NULL;
  opentelemetry__proto__common__v1__instrumentation_scope__init(s);
  s->name = otel__proto_text(arena, name);
  s->version = otel__proto_text(arena, version);
  return s->name && s->version ? s : NULL;
}
