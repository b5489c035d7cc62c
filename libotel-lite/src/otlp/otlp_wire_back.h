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

/* The primitives below write without asking for room: the caller has. */
static inline void wb_varint(otel__wback_t *w, uint64_t v) {
  w->p -= wire_varint_len(v);
  wire_put_varint(w->p, v);
}

static inline void wb_tag(otel__wback_t *w, unsigned field, unsigned wire_type) {
  wb_varint(w, (uint64_t)field << 3 | wire_type);
}

/* The header of a length-delimited field whose len bytes of content are
 * written already (at most 12 bytes). */
static inline void wb_header(otel__wback_t *w, unsigned field, size_t len) {
  wb_varint(w, len);
  wb_tag(w, field, WIRE_LEN);
}

static inline void wb_raw(otel__wback_t *w, const void *data, size_t len) {
  w->p -= len;
  if (len) memcpy(w->p, data, len);
}

static inline void wb_bytes(otel__wback_t *w, unsigned field, const void *data, size_t len) {
  wb_raw(w, data, len);
  wb_header(w, field, len);
}

static inline void wb_fixed64(otel__wback_t *w, unsigned field, uint64_t v) {
  w->p -= 8;
  wire_put_fixed64(w->p, v);
  wb_tag(w, field, WIRE_I64);
}

/* proto3 scalars, left out at their default value */
static inline void wb_opt_varint(otel__wback_t *w, unsigned field, uint64_t v) {
  if (!v) return;
  wb_varint(w, v);
  wb_tag(w, field, WIRE_VARINT);
}
static inline void wb_opt_fixed64(otel__wback_t *w, unsigned field, uint64_t v) {
  if (v) wb_fixed64(w, field, v);
}
static inline void wb_opt_fixed32(otel__wback_t *w, unsigned field, uint32_t v) {
  if (!v) return;
  w->p -= 4;
  wire_put_fixed32(w->p, v);
  wb_tag(w, field, WIRE_I32);
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
 * first (those with a NULL or empty key left out), exactly as
 * otel__wire_put_attrs writes them. valid: as there. */
void otel__wback_attrs(otel__wback_t *w, unsigned field, const otel_attr_t *attrs, size_t n, bool valid);

/* otel__wire_encode_request's request, written backwards: r->put_item_back
 * writes an item's content (r->item_size and r->put_item are not used).
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
