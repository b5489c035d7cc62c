/* SPDX-License-Identifier: Apache-2.0
 *
 * proto_attr.h: converts attribute values (otel_attr_t) into OTLP protobuf-c
 * KeyValue / AnyValue messages allocated in an arena. Shared by every OTLP
 * encoder (spans, metrics, logs, resource, scope). The produced messages
 * borrow nothing from the input: strings are copied into the arena.
 */
#ifndef OTEL_PROTO_ATTR_H
#define OTEL_PROTO_ATTR_H

#include "arena.h"
#include "otel/common.h"
#include "opentelemetry/proto/common/v1/common.pb-c.h"

typedef Opentelemetry__Proto__Common__V1__KeyValue otel__pb_kv_t;
typedef Opentelemetry__Proto__Common__V1__AnyValue otel__pb_any_t;

/* A copy of s (NULL reads as "") in the arena with each byte that is not
 * valid UTF-8 replaced by U+FFFD, or NULL when out of memory. */
char *otel__proto_text(otel__arena_t *arena, const char *s);

/* Returns an arena-owned KeyValue for attr, or NULL when out of memory. */
otel__pb_kv_t *otel__proto_kv(otel__arena_t *arena, const otel_attr_t *attr);

/* Converts n attributes into an arena-owned array of KeyValue pointers.
 * Attributes with a NULL or empty key are skipped. Sets *out_n to the number
 * written. Returns NULL (and *out_n = 0) when n is 0 or out of memory. */
otel__pb_kv_t **otel__proto_kvs(otel__arena_t *arena, const otel_attr_t *attrs,
                                size_t n, size_t *out_n);

/* Fills an arena-owned AnyValue with attr's value (the key is ignored). */
otel__pb_any_t *otel__proto_any(otel__arena_t *arena, const otel_attr_t *attr);

#endif /* OTEL_PROTO_ATTR_H */
