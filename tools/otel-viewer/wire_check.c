/* SPDX-License-Identifier: Apache-2.0
 *
 * wire_check.c: looks at a packed request before protobuf-c unpacks it,
 * and says whether unpacking it is safe. protobuf-c 1.4.1 has no limits of
 * its own: it recurses once per nested message (about 1 KiB of stack a
 * level, measured by bench/bench_viewer_decode.c) and allocates a struct
 * per message and per field whatever the body's size. An AnyValue array
 * nested 5,000 deep (34 KB) overflowed the stack of a civetweb worker
 * (100 KiB on Debian); 8 MiB of empty Span messages (2 bytes each) made
 * 4 million Span structs, 1.1 GB.
 *
 * The walk follows the descriptors as protobuf-c will: it reads tags,
 * varints and lengths only, descends into every length-delimited field
 * whose descriptor says message, and adds up what protobuf-c will ask the
 * unpack allocator for (vw_unpack_arena: nothing is freed before the
 * reset, so every occurrence counts): the message structs, the ScannedMember
 * slabs of messages with more than 16 fields on the wire, the arrays of
 * repeated fields (packed elements counted one by one), strings, bytes and
 * unknown fields, each rounded up as the arena rounds. Not modelled: a
 * singular message field given twice, which protobuf-c merges (new arrays
 * of both occurrences' elements, quadratic in the repeats); encoders never
 * write that, and the arena, capped at this estimate, refuses it. It stops at the
 * first limit crossed, so its own cost is bounded by the limits too; its
 * recursion is at most max_depth frames of a few dozen bytes.
 */
#include "viewer.h"

#include <string.h>

typedef struct check {
  int max_depth;
  size_t max_bytes;
  vw_wire_shape_t shape;
  vw_wire_verdict_t verdict;
} check_t;

/* What the arena takes for an allocation of n bytes (it rounds up to the
 * alignment of max_align_t; see unpack_arena.c). */
static size_t arena_cost(size_t n) {
  size_t a = _Alignof(max_align_t);
  if (n == 0) return a;
  return n > SIZE_MAX - a ? SIZE_MAX : (n + a - 1) & ~(a - 1);
}

static bool charge(check_t *c, size_t n) {
  size_t cost = arena_cost(n);
  if (cost > c->max_bytes - c->shape.decoded_bytes) {
    c->shape.decoded_bytes = c->max_bytes;
    c->verdict = VW_WIRE_TOO_LARGE;
    return false;
  }
  c->shape.decoded_bytes += cost;
  return true;
}

static inline __attribute__((always_inline)) bool read_varint(const uint8_t **p, const uint8_t *end,
                                                           uint64_t *out) {
  if (*p < end && !(**p & 0x80)) { /* one byte: most tags and lengths */
    *out = *(*p)++;
    return true;
  }
  uint64_t v = 0;
  for (int shift = 0; shift < 70 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

/* The size of one element of a repeated field of type t in protobuf-c's
 * arrays. */
static size_t element_size(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return 8;
  case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
  case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
  case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
  default: return 4;
  }
}

/* Elements in a packed run of len bytes of type t (protobuf-c counts the
 * same way: a varint ends at each byte without the high bit). */
static size_t packed_count(ProtobufCType t, const uint8_t *p, size_t len) {
  switch (t) {
  case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
    return len / 4;
  case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return len / 8;
  case PROTOBUF_C_TYPE_BOOL:
    return len;
  default: {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += !(p[i] & 0x80);
    return n;
  }
  }
}

static bool is_packable(ProtobufCType t) {
  return t != PROTOBUF_C_TYPE_STRING && t != PROTOBUF_C_TYPE_BYTES &&
         t != PROTOBUF_C_TYPE_MESSAGE;
}

/* Charges n bytes with no rounding (the caller adds what rounding costs). */
static bool charge_raw(check_t *c, size_t n) {
  if (n > c->max_bytes - c->shape.decoded_bytes) {
    c->shape.decoded_bytes = c->max_bytes;
    c->verdict = VW_WIRE_TOO_LARGE;
    return false;
  }
  c->shape.decoded_bytes += n;
  return true;
}

static bool walk(check_t *c, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                 const uint8_t *end, int depth) {
  if (depth > c->max_depth) {
    c->verdict = VW_WIRE_TOO_DEEP;
    return false;
  }
  if (depth > c->shape.depth) c->shape.depth = depth;
  c->shape.messages++;
  if (!charge(c, d->sizeof_message)) return false;
  /* the arrays of repeated fields: their elements are charged as they are
   * seen, the rounding of each array (at most alignment - 1) at the end,
   * per distinct field (a bit each; OTLP messages have fewer than 64) */
  uint64_t arrays = 0;
  size_t members = 0, unknown = 0;
  const ProtobufCFieldDescriptor *f = NULL;
  while (p < end) {
    uint64_t tag, v;
    const uint8_t *value;
    size_t len = 0;
    if (!read_varint(&p, end, &tag) || tag > UINT32_MAX || (tag >> 3) == 0) goto malformed;
    const uint8_t *after_tag = p;
    unsigned wire = (unsigned)(tag & 7);
    switch (wire) {
    case 0:
      value = p;
      if (!read_varint(&p, end, &v)) goto malformed;
      len = (size_t)(p - value);
      break;
    case 1:
      if (end - p < 8) goto malformed;
      value = p, len = 8, p += 8;
      break;
    case 5:
      if (end - p < 4) goto malformed;
      value = p, len = 4, p += 4;
      break;
    case 2:
      if (!read_varint(&p, end, &v) || v > (uint64_t)(end - p)) goto malformed;
      value = p, len = (size_t)v, p += v;
      break;
    default: /* groups: not in the OTLP protos, and protobuf-c refuses them */
      goto malformed;
    }
    members++;
    unsigned number = (unsigned)(tag >> 3);
    if (!f || f->id != number) { /* repeated fields come in runs */
      /* most OTLP messages number their fields 1..n: index them directly */
      if (number <= d->n_fields && d->fields[number - 1].id == number) f = &d->fields[number - 1];
      else f = protobuf_c_message_descriptor_get_field(d, number);
    }
    if (!f) { /* kept as an unknown field: a struct, and a copy of what followed the tag */
      unknown++;
      if (!charge(c, (size_t)(p - after_tag))) return false;
      continue;
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t i = (size_t)(f - d->fields);
      size_t n = wire == 2 && is_packable(f->type) ? packed_count(f->type, value, len) : 1;
      size_t bytes = n * element_size(f->type);
      if (i < 64) arrays |= (uint64_t)1 << i;
      else bytes += _Alignof(max_align_t);
      if (!charge_raw(c, bytes)) return false;
    }
    if (wire != 2) continue;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
      if (!charge(c, len + 1)) return false;
      break;
    case PROTOBUF_C_TYPE_BYTES:
      if (len && !charge(c, len)) return false;
      break;
    case PROTOBUF_C_TYPE_MESSAGE: {
      const ProtobufCFieldDescriptor *here = f;
      if (!walk(c, f->descriptor, value, value + len, depth + 1)) return false;
      f = here;
      break;
    }
    default:
      break;
    }
  }
  size_t n_arrays = 0; /* a few bits at most: cheaper than libgcc's popcount */
  for (; arrays; arrays &= arrays - 1) n_arrays++;
  if (!charge_raw(c, n_arrays * _Alignof(max_align_t))) return false;
  if (unknown && !charge(c, unknown * sizeof(ProtobufCMessageUnknownField))) return false;
  /* ScannedMember slabs past the first 16 (on the stack): 32, 64, ... */
  size_t room = 16;
  for (unsigned slab = 1; members > room && slab < 28; slab++) {
    if (!charge(c, (size_t)32 << (slab + 4))) return false;
    room += (size_t)1 << (slab + 4);
  }
  return true;
malformed:
  c->verdict = VW_WIRE_MALFORMED;
  return false;
}

vw_wire_verdict_t vw_wire_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                                size_t len, int max_depth, size_t max_decoded,
                                vw_wire_shape_t *shape) {
  check_t c = {.max_depth = max_depth, .max_bytes = max_decoded, .verdict = VW_WIRE_OK};
  walk(&c, desc, data, data + len, 1);
  if (shape) *shape = c.shape;
  return c.verdict;
}
