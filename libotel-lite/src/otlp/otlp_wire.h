/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_wire.h: writing the protobuf wire format directly: the scalar
 * encodings the backward writer of the OTLP encoders builds on
 * (otlp_wire_back.h, whose KeyValue writer test_otlp_wire holds to
 * protobuf-c's bytes), sizes (*_size, *_len) and forward writes (put_*:
 * returns the position after it). The output is what protobuf-c would
 * produce from our .proto files: fields in number order, proto3 scalars
 * at their default value left out, oneof
 * members and messages that are set written even when empty. Text goes
 * through wire_*string*: bytes that are not valid UTF-8 become U+FFFD
 * (utf8.h), since one invalid string loses the whole request.
 * Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_WIRE_H
#define OTEL_OTLP_WIRE_H

#include "otel/common.h"
#include "otel/resource.h"
#include "utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { WIRE_VARINT = 0, WIRE_I64 = 1, WIRE_LEN = 2, WIRE_I32 = 5 };

static inline size_t wire_varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static inline uint8_t *wire_put_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

static inline size_t wire_tag_len(unsigned field) { return field < 16 ? 1 : 2; }

static inline uint8_t *wire_put_tag(uint8_t *p, unsigned field, unsigned wire_type) {
  return wire_put_varint(p, (uint64_t)field << 3 | wire_type);
}

/* Little-endian: one store on a little-endian machine (the byte loop was
 * compiled as eight stores and shifts). */
static inline uint8_t *wire_put_fixed64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(p, &v, 8);
#else
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
#endif
  return p + 8;
}

static inline uint8_t *wire_put_fixed32(uint8_t *p, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(p, &v, 4);
#else
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
#endif
  return p + 4;
}

/* A length-delimited field of len bytes, header included. */
static inline size_t wire_len_field(unsigned field, size_t len) {
  return wire_tag_len(field) + wire_varint_len(len) + len;
}

static inline uint8_t *wire_put_bytes(uint8_t *p, unsigned field, const void *data, size_t len) {
  p = wire_put_tag(p, field, WIRE_LEN);
  p = wire_put_varint(p, len);
  memcpy(p, data, len);
  return p + len;
}

/* A string field of s[0..len), made valid UTF-8. */
static inline size_t wire_string_size(unsigned field, const char *s, size_t len) {
  return wire_len_field(field, otel__utf8_clean_len(s, len));
}
static inline uint8_t *wire_put_string(uint8_t *p, unsigned field, const char *s, size_t len) {
  size_t n = otel__utf8_clean_len(s, len);
  p = wire_put_tag(p, field, WIRE_LEN);
  p = wire_put_varint(p, n);
  return otel__utf8_put(p, s, len, n);
}

/* A string field of text known to be valid UTF-8 (span data). */
static inline size_t wire_valid_string_size(unsigned field, const char *s) {
  return wire_len_field(field, strlen(s));
}
static inline uint8_t *wire_put_valid_string(uint8_t *p, unsigned field, const char *s) {
  return wire_put_bytes(p, field, s, strlen(s));
}

/* proto3 scalars: left out at their default value */
static inline size_t wire_opt_string_size(unsigned field, const char *s) {
  return s && *s ? wire_string_size(field, s, strlen(s)) : 0;
}
static inline uint8_t *wire_put_opt_string(uint8_t *p, unsigned field, const char *s) {
  return s && *s ? wire_put_string(p, field, s, strlen(s)) : p;
}
static inline size_t wire_opt_valid_string_size(unsigned field, const char *s) {
  return s && *s ? wire_valid_string_size(field, s) : 0;
}
static inline uint8_t *wire_put_opt_valid_string(uint8_t *p, unsigned field, const char *s) {
  return s && *s ? wire_put_valid_string(p, field, s) : p;
}
static inline size_t wire_opt_varint_size(unsigned field, uint64_t v) {
  return v ? wire_tag_len(field) + wire_varint_len(v) : 0;
}
static inline uint8_t *wire_put_opt_varint(uint8_t *p, unsigned field, uint64_t v) {
  return v ? wire_put_varint(wire_put_tag(p, field, WIRE_VARINT), v) : p;
}
static inline size_t wire_opt_fixed64_size(unsigned field, uint64_t v) {
  return v ? wire_tag_len(field) + 8 : 0;
}
static inline uint8_t *wire_put_opt_fixed64(uint8_t *p, unsigned field, uint64_t v) {
  return v ? wire_put_fixed64(wire_put_tag(p, field, WIRE_I64), v) : p;
}
static inline size_t wire_opt_fixed32_size(unsigned field, uint32_t v) {
  return v ? wire_tag_len(field) + 4 : 0;
}
static inline uint8_t *wire_put_opt_fixed32(uint8_t *p, unsigned field, uint32_t v) {
  return v ? wire_put_fixed32(wire_put_tag(p, field, WIRE_I32), v) : p;
}

/* ---- the request (written by otlp_wire_back.c) ------------------------------ */

/* Items that ended long ago are cold in cache when a batch is encoded:
 * their memory is requested this many items ahead. */
#define OTEL__WIRE_PREFETCH_AHEAD 4

/* n items (spans, log records) and what the request writer needs of them.
 * Items of the same resource (pointer) and same_scope go into one Scope*
 * message, whose scope is scope_of its first item. prefetch may be NULL. */
typedef struct otel__wire_request {
  const void *const *items;
  size_t n;
  const otel_resource_t *(*resource_of)(const void *item);
  bool (*same_scope)(const void *a, const void *b);
  void (*scope_of)(const void *item, const char **name, const char **version);
  void (*prefetch)(const void *item);
} otel__wire_request_t;

#endif /* OTEL_OTLP_WIRE_H */
