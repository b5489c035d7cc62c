/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_wire.c: attributes (otel_attr_t) as OTLP KeyValue / AnyValue in the
 * protobuf wire format (see otlp_wire.h). Arrays become an ArrayValue of
 * AnyValues, as the OTLP data model defines attribute arrays.
 */
#include "otlp_wire.h"

#include "internal.h"

/* The AnyValue of one scalar (its oneof member is written even at its
 * default value, as for any oneof): string 1, bool 2, int 3, double 4. */
static size_t scalar_size(otel_attr_type_t type, const void *item) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY: {
    const char *s = *(const char *const *)item;
    return s ? wire_string_size(1, s, strlen(s)) : wire_len_field(1, 0);
  }
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_BOOL_ARRAY: return 2;
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_INT_ARRAY: return 1 + wire_varint_len((uint64_t) * (const int64_t *)item);
  default: return 1 + 8;
  }
}

static uint8_t *put_scalar(uint8_t *p, otel_attr_type_t type, const void *item) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY: {
    const char *s = *(const char *const *)item;
    return s ? wire_put_string(p, 1, s, strlen(s)) : wire_put_bytes(p, 1, "", 0);
  }
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_BOOL_ARRAY:
    return wire_put_varint(wire_put_tag(p, 2, WIRE_VARINT), *(const bool *)item ? 1 : 0);
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_INT_ARRAY:
    return wire_put_varint(wire_put_tag(p, 3, WIRE_VARINT), (uint64_t) * (const int64_t *)item);
  default: {
    uint64_t bits;
    memcpy(&bits, item, sizeof bits);
    return wire_put_fixed64(wire_put_tag(p, 4, WIRE_I64), bits);
  }
  }
}

static const void *scalar_item(const otel_attr_t *a) {
  return a->type == OTEL_ATTR_TYPE_STRING ? (const void *)&a->value.s : (const void *)&a->value;
}

/* ArrayValue content: repeated AnyValue values = 1. */
static size_t array_size(const otel_attr_t *a, size_t isz) {
  size_t n = a->value.array.items ? a->value.array.len : 0, total = 0;
  const unsigned char *src = a->value.array.items;
  for (size_t i = 0; i < n; i++) total += wire_len_field(1, scalar_size(a->type, src + i * isz));
  return total;
}

static size_t any_size(const otel_attr_t *a) {
  size_t isz = otel__attr_item_size(a->type);
  return isz ? wire_len_field(5, array_size(a, isz)) : scalar_size(a->type, scalar_item(a));
}

static uint8_t *put_any(uint8_t *p, const otel_attr_t *a) {
  size_t isz = otel__attr_item_size(a->type);
  if (!isz) return put_scalar(p, a->type, scalar_item(a));
  p = wire_put_tag(p, 5, WIRE_LEN);
  p = wire_put_varint(p, array_size(a, isz));
  size_t n = a->value.array.items ? a->value.array.len : 0;
  const unsigned char *src = a->value.array.items;
  for (size_t i = 0; i < n; i++) {
    const void *item = src + i * isz;
    p = wire_put_tag(p, 1, WIRE_LEN);
    p = wire_put_varint(p, scalar_size(a->type, item));
    p = put_scalar(p, a->type, item);
  }
  return p;
}

/* KeyValue content: key 1, value 2 (always present). */
static size_t kv_size(const otel_attr_t *a) {
  return wire_string_size(1, a->key, strlen(a->key)) + wire_len_field(2, any_size(a));
}

static bool kept(const otel_attr_t *a) { return a->key && a->key[0]; }

/* The repeated KeyValue field `field` of the n attributes. */
size_t otel__wire_attrs_size(unsigned field, const otel_attr_t *attrs, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    if (kept(&attrs[i])) total += wire_len_field(field, kv_size(&attrs[i]));
  return total;
}

uint8_t *otel__wire_put_attrs(uint8_t *p, unsigned field, const otel_attr_t *attrs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const otel_attr_t *a = &attrs[i];
    if (!kept(a)) continue;
    p = wire_put_tag(p, field, WIRE_LEN);
    p = wire_put_varint(p, kv_size(a));
    p = wire_put_string(p, 1, a->key, strlen(a->key));
    p = wire_put_tag(p, 2, WIRE_LEN);
    p = wire_put_varint(p, any_size(a));
    p = put_any(p, a);
  }
  return p;
}

