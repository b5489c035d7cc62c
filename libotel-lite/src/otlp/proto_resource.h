/* SPDX-License-Identifier: Apache-2.0
 *
 * proto_resource.h: Resource and InstrumentationScope -> OTLP protobuf-c,
 * allocated in an arena. Shared by the span, metric and log encoders.
 */
#ifndef OTEL_PROTO_RESOURCE_H
#define OTEL_PROTO_RESOURCE_H

#include "arena.h"
#include "otel/resource.h"
#include "opentelemetry/proto/resource/v1/resource.pb-c.h"

/* Returns an arena-owned Resource message (NULL r gives an empty one), or
 * NULL when out of memory. */
Opentelemetry__Proto__Resource__V1__Resource *
otel__proto_resource(otel__arena_t *arena, const otel_resource_t *r);

/* Returns an arena-owned InstrumentationScope (name/version may be NULL). */
Opentelemetry__Proto__Common__V1__InstrumentationScope *
otel__proto_scope(otel__arena_t *arena, const char *name, const char *version);

#endif /* OTEL_PROTO_RESOURCE_H */
