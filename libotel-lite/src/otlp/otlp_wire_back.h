/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_wire_back.h: writing the protobuf wire format backwards, in one
 * pass: a message's fields are written last to first, each nested
 * message's content before its length and tag, so every length is known
 * when it is written without sizing anything first (otlp_wire.h's
 * encoders size every item, then write it: for spans, the sizing pass
 * cost a third of the encoding, measured every string twice and walked
 * every attribute twice). The bytes are the same as otlp_wire.h's.
 *
 * The writer fills a buffer from its end: [p, end) is written. Room is
 * asked for (otel__wback_room) before each bounded group of writes; when
 * there is not enough, the buffer grows (the written tail moves to the
 * end of a larger one), so positions are kept as lengths from the end
 * (otel__wback_len), which growing does not change. Out of memory sets
 * `failed`, after which nothing more is written.
 * Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_WIRE_BACK_H
#define OTEL_OTLP_WIRE_BACK_H

#include "otlp_wire.h"

#include <stdatomic.h>

typedef struct otel__wback {
  uint8_t *buf; /* malloc'd */
  uint8_t *p;   /* the first written byte */
  uint8_t *end;
  bool failed;
} otel__wback_t;

/* Makes room for need more bytes before p (otlp_wire_back.c). */
bool otel__wback_grow(otel__wback_t *w, size_t need);

static inline bool otel__wback_room(otel__wback_t *w, size_t need) {
  return (size_t)(w->p - w->buf) >= need || otel__wback_grow(w, need);
}

static inline size_t otel__wback_len(const otel__wback_t *w) { return (size_t)(w->end - w->p); }

/* The primitives below write without asking for room: the caller has.
 * bk_*: on a local pointer, returned moved (a store through w->p could
 * alias w itself, so every byte written through it reloads the pointer);
 * wb_*: the same on the writer. Most varints (tags of fields 1-15,
 * lengths under 128) are one byte: that case is one store. */
static inline uint8_t *bk_varint(uint8_t *p, uint64_t v) {
  if (v < 0x80) {
    *--p = (uint8_t)v;
    return p;
  }
  p -= wire_varint_len(v);
  wire_put_varint(p, v);
  return p;
}

static inline uint8_t *bk_tag(uint8_t *p, unsigned field, unsigned wire_type) {
  return bk_varint(p, (uint64_t)field << 3 | wire_type);
}

/* The header of a length-delimited field whose len bytes of content are
 * written already (at most 12 bytes). */
static inline uint8_t *bk_header(uint8_t *p, unsigned field, size_t len) {
  return bk_tag(bk_varint(p, len), field, WIRE_LEN);
}

/* n bytes from src to dst: short text (most keys and values) with two
 * overlapping word moves instead of a call to memcpy. */
static inline void wb_copy(uint8_t *dst, const void *src, size_t n) {
  const uint8_t *s = src;
  if (n >= 8 && n <= 16) {
    uint64_t a, b;
    memcpy(&a, s, 8);
    memcpy(&b, s + n - 8, 8);
    memcpy(dst, &a, 8);
    memcpy(dst + n - 8, &b, 8);
  } else if (n >= 4 && n < 8) {
    uint32_t a, b;
    memcpy(&a, s, 4);
    memcpy(&b, s + n - 4, 4);
    memcpy(dst, &a, 4);
    memcpy(dst + n - 4, &b, 4);
  } else if (n && n < 4) {
    dst[0] = s[0];
    dst[n / 2] = s[n / 2];
    dst[n - 1] = s[n - 1];
  } else if (n) {
    memcpy(dst, s, n);
  }
}

static inline uint8_t *bk_raw(uint8_t *p, const void *data, size_t len) {
  p -= len;
  wb_copy(p, data, len);
  return p;
}

/* s[0..len) made valid UTF-8 in clean bytes (otel__utf8_clean_len), or as
 * it is when clean == len. */
static inline uint8_t *bk_text(uint8_t *p, const char *s, size_t len, size_t clean) {
  if (clean != len) {
    p -= clean;
    otel__utf8_put_clean(p, s, len);
    return p;
  }
  return bk_raw(p, s, len);
}

static inline uint8_t *bk_bytes(uint8_t *p, unsigned field, const void *data, size_t len) {
  return bk_header(bk_raw(p, data, len), field, len);
}

static inline uint8_t *bk_fixed64(uint8_t *p, unsigned field, uint64_t v) {
  p -= 8;
  wire_put_fixed64(p, v);
  return bk_tag(p, field, WIRE_I64);
}

/* proto3 scalars, left out at their default value */
static inline uint8_t *bk_opt_varint(uint8_t *p, unsigned field, uint64_t v) {
  return v ? bk_tag(bk_varint(p, v), field, WIRE_VARINT) : p;
}
static inline uint8_t *bk_opt_fixed64(uint8_t *p, unsigned field, uint64_t v) {
  return v ? bk_fixed64(p, field, v) : p;
}
static inline uint8_t *bk_opt_fixed32(uint8_t *p, unsigned field, uint32_t v) {
  if (!v) return p;
  p -= 4;
  wire_put_fixed32(p, v);
  return bk_tag(p, field, WIRE_I32);
}

static inline void wb_varint(otel__wback_t *w, uint64_t v) { w->p = bk_varint(w->p, v); }
static inline void wb_tag(otel__wback_t *w, unsigned field, unsigned wire_type) {
  w->p = bk_tag(w->p, field, wire_type);
}
static inline void wb_header(otel__wback_t *w, unsigned field, size_t len) {
  w->p = bk_header(w->p, field, len);
}
static inline void wb_raw(otel__wback_t *w, const void *data, size_t len) { w->p = bk_raw(w->p, data, len); }
static inline void wb_text(otel__wback_t *w, const char *s, size_t len, size_t clean) {
  w->p = bk_text(w->p, s, len, clean);
}
static inline void wb_bytes(otel__wback_t *w, unsigned field, const void *data, size_t len) {
  w->p = bk_bytes(w->p, field, data, len);
}
static inline void wb_fixed64(otel__wback_t *w, unsigned field, uint64_t v) {
  w->p = bk_fixed64(w->p, field, v);
}
static inline void wb_opt_varint(otel__wback_t *w, unsigned field, uint64_t v) {
  w->p = bk_opt_varint(w->p, field, v);
}
static inline void wb_opt_fixed64(otel__wback_t *w, unsigned field, uint64_t v) {
  w->p = bk_opt_fixed64(w->p, field, v);
}
static inline void wb_opt_fixed32(otel__wback_t *w, unsigned field, uint32_t v) {
  w->p = bk_opt_fixed32(w->p, field, v);
}

/* A string field of text known valid UTF-8 (span data), asking for its
 * own room; left out when NULL or empty if opt. */
static inline void wb_valid_string(otel__wback_t *w, unsigned field, const char *s, bool opt) {
  size_t len = s ? strlen(s) : 0;
  if (opt && !len) return;
  if (!otel__wback_room(w, len + 12)) return;
  wb_bytes(w, field, s, len);
}

/* The repeated KeyValue field `field` of n attributes, written last to
 * first (those with a NULL or empty key left out, as the protobuf-c
 * encoders did); arrays become an ArrayValue of AnyValues, as the OTLP
 * data model defines attribute arrays. valid: every key and string value
 * is valid UTF-8 already (span data), so none is checked again; otherwise
 * bytes that are not become U+FFFD. */
void otel__wback_attrs(otel__wback_t *w, unsigned field, const otel_attr_t *attrs, size_t n, bool valid);

/* otel__wire_encode_request's request, written backwards: r->put_item_back
 * writes an item's content.
 * On OTEL_OK the request is [*data, *data + *len) inside *base (malloc'd,
 * free() it). size_hint: a per-signal record of the bytes per item last
 * time, for the first buffer's size. */
typedef struct otel__wback_request {
  otel__wire_request_t req;
  void (*put_item_back)(otel__wback_t *w, const void *item);
  _Atomic size_t *size_hint;
} otel__wback_request_t;

otel_err_t otel__wback_encode_request(const otel__wback_request_t *r, uint8_t **base, uint8_t **data,
                                      size_t *len);

#endif /* OTEL_OTLP_WIRE_BACK_H */
