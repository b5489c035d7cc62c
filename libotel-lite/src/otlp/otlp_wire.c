/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_wire.c: attributes (otel_attr_t) as OTLP KeyValue / AnyValue in the
 * protobuf wire format (see otlp_wire.h). Arrays become an ArrayValue of
 * AnyValues, as the OTLP data model defines attribute arrays.
 */
#include "otlp_wire.h"

#include "internal.h"

/* The UTF-8 length of s[0..len): len itself when valid (known valid). */
static inline size_t text_len(const char *s, size_t len, bool valid) {
  return valid ? len : otel__utf8_clean_len(s, len);
}

/* The AnyValue of one scalar (its oneof member is written even at its
 * default value, as for any oneof): string 1, bool 2, int 3, double 4. */
static size_t scalar_size(otel_attr_type_t type, const void *item, bool valid) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY: {
    const char *s = *(const char *const *)item;
    return s ? wire_len_field(1, text_len(s, strlen(s), valid)) : wire_len_field(1, 0);
  }
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_BOOL_ARRAY: return 2;
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_INT_ARRAY: return 1 + wire_varint_len((uint64_t) * (const int64_t *)item);
  default: return 1 + 8;
  }
}

static uint8_t *put_scalar(uint8_t *p, otel_attr_type_t type, const void *item, bool valid) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY: {
    const char *s = *(const char *const *)item;
    if (!s) return wire_put_bytes(p, 1, "", 0);
    return valid ? wire_put_valid_string(p, 1, s) : wire_put_string(p, 1, s, strlen(s));
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
static size_t array_size(const otel_attr_t *a, size_t isz, bool valid) {
  size_t n = a->value.array.items ? a->value.array.len : 0, total = 0;
  const unsigned char *src = a->value.array.items;
  for (size_t i = 0; i < n; i++) total += wire_len_field(1, scalar_size(a->type, src + i * isz, valid));
  return total;
}

static size_t any_size(const otel_attr_t *a, bool valid) {
  size_t isz = otel__attr_item_size(a->type);
  return isz ? wire_len_field(5, array_size(a, isz, valid)) : scalar_size(a->type, scalar_item(a), valid);
}

static uint8_t *put_any(uint8_t *p, const otel_attr_t *a, bool valid) {
  size_t isz = otel__attr_item_size(a->type);
  if (!isz) return put_scalar(p, a->type, scalar_item(a), valid);
  p = wire_put_tag(p, 5, WIRE_LEN);
  p = wire_put_varint(p, array_size(a, isz, valid));
  size_t n = a->value.array.items ? a->value.array.len : 0;
  const unsigned char *src = a->value.array.items;
  for (size_t i = 0; i < n; i++) {
    const void *item = src + i * isz;
    p = wire_put_tag(p, 1, WIRE_LEN);
    p = wire_put_varint(p, scalar_size(a->type, item, valid));
    p = put_scalar(p, a->type, item, valid);
  }
  return p;
}

static bool kept(const otel_attr_t *a) { return a->key && a->key[0]; }

/* The repeated KeyValue field `field` of the n attributes. KeyValue
 * content: key 1, value 2 (always present). */
size_t otel__wire_attrs_size(unsigned field, const otel_attr_t *attrs, size_t n, bool valid) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    const otel_attr_t *a = &attrs[i];
    if (!kept(a)) continue;
    size_t any;
    if (a->type == OTEL_ATTR_TYPE_STRING) { /* the common case, without scalar_size's switch */
      const char *s = a->value.s ? a->value.s : "";
      any = wire_len_field(1, text_len(s, strlen(s), valid));
    } else if (a->type == OTEL_ATTR_TYPE_INT) {
      any = 1 + wire_varint_len((uint64_t)a->value.i);
    } else {
      any = any_size(a, valid);
    }
    size_t kv = wire_len_field(1, text_len(a->key, strlen(a->key), valid)) + wire_len_field(2, any);
    total += wire_len_field(field, kv);
  }
  return total;
}

/* Writing one KeyValue measures each of its strings once (length and, for
 * text not known valid, UTF-8 check) and writes from those measures:
 * sizing the KeyValue, then its AnyValue, then writing each string checked
 * them up to four times. */
uint8_t *otel__wire_put_attrs(uint8_t *p, unsigned field, const otel_attr_t *attrs, size_t n,
                              bool valid) {
  for (size_t i = 0; i < n; i++) {
    const otel_attr_t *a = &attrs[i];
    if (!kept(a)) continue;
    size_t key_len = strlen(a->key), key_n = text_len(a->key, key_len, valid);
    if (a->type == OTEL_ATTR_TYPE_STRING) {
      const char *s = a->value.s ? a->value.s : "";
      size_t len = strlen(s), clean = text_len(s, len, valid);
      size_t any = wire_len_field(1, clean);
      p = wire_put_tag(p, field, WIRE_LEN);
      p = wire_put_varint(p, wire_len_field(1, key_n) + wire_len_field(2, any));
      p = wire_put_tag(p, 1, WIRE_LEN);
      p = wire_put_varint(p, key_n);
      p = otel__utf8_put(p, a->key, key_len, key_n);
      p = wire_put_tag(p, 2, WIRE_LEN);
      p = wire_put_varint(p, any);
      p = wire_put_tag(p, 1, WIRE_LEN);
      p = wire_put_varint(p, clean);
      p = otel__utf8_put(p, s, len, clean);
      continue;
    }
    bool is_int = a->type == OTEL_ATTR_TYPE_INT;
    size_t any = is_int ? 1 + wire_varint_len((uint64_t)a->value.i) : any_size(a, valid);
    p = wire_put_tag(p, field, WIRE_LEN);
    p = wire_put_varint(p, wire_len_field(1, key_n) + wire_len_field(2, any));
    p = wire_put_tag(p, 1, WIRE_LEN);
    p = wire_put_varint(p, key_n);
    p = otel__utf8_put(p, a->key, key_len, key_n);
    p = wire_put_tag(p, 2, WIRE_LEN);
    p = wire_put_varint(p, any);
    p = is_int ? wire_put_varint(wire_put_tag(p, 3, WIRE_VARINT), (uint64_t)a->value.i) : put_any(p, a, valid);
  }
  return p;
}
