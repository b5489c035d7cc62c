/* SPDX-License-Identifier: Apache-2.0
 *
 * pb_decode.c: the viewer's one-pass decoder of OTLP/protobuf requests
 * into protobuf-c's structs (what ingest, the JSON lines and the pages
 * read), driven by protobuf-c's descriptors and enforcing the viewer's
 * limits as it goes: nesting depth, decoded bytes (every struct, array,
 * string and bytes value is taken from this thread's arena, capped at the
 * budget and drawn from the caller's pool as it grows), framing, and UTF-8
 * of every string field (as the Collector's protobuf-go refuses). It
 * replaced a wire walk that checked the limits, protobuf-c's unpack and a
 * UTF-8 walk of the result: three passes, about 15,000 instructions per
 * received span (bench/bench_instructions.sh's viewer line).
 *
 * What it accepts is what the protobuf encoding allows: fields in any
 * order, unknown fields skipped (not kept: nothing the viewer shows reads
 * them), repeated scalars packed or not (both in one message too), the
 * last occurrence of a singular scalar winning, a singular message given
 * more than once merged (parsed into the same struct: repeated fields
 * appended), a oneof taking its last member. Groups, wire types 6 and 7,
 * field number 0, a wire type that does not match the field's type,
 * varints over 10 bytes and lengths past the end are malformed.
 *
 * Repeated fields get their arrays at once: at a field's first element in
 * a message the rest of that message is scanned for its other elements
 * (tags and lengths only), so each array is allocated once at its size.
 * A singular message given again copies its arrays to append to them, so
 * a hostile body repeating one pays for it in its decoded-bytes budget.
 *
 * The result lives in this thread's arena until vw_pb_arena_reset();
 * never protobuf_c_message_free_unpacked() it. Recursion is at most
 * max_depth frames of about 400 bytes.
 */
#include "viewer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 8u
#define FIRST_BLOCK ((size_t)256 << 10)
/* Larger blocks are not kept: every HTTP worker (128 of them) has its own
 * arena, so what each keeps is paid 128 times. 2 MiB holds an export of
 * 512 app spans decoded; a larger request pays one malloc and free. */
#define KEEP_AT_MOST ((size_t)2 << 20)
#define RESERVE_STEP ((size_t)16 << 10) /* the pool is drawn from in steps of at least this */
#define SEEN_BITS 64                    /* fields tracked per message (OTLP's have < 20) */

typedef struct block {
  struct block *next;
  size_t size;
  _Alignas(max_align_t) unsigned char data[];
} block_t;

typedef struct arena {
  block_t *head; /* current block; older ones follow */
  unsigned char *cur, *end;
  size_t used; /* since the last reset, over all blocks */
} arena_t;

static _Thread_local arena_t thread_arena;
static pthread_key_t exit_key; /* its destructor frees a thread's blocks */
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static void blocks_free(block_t *b) {
  while (b) {
    block_t *next = b->next;
    free(b);
    b = next;
  }
}

static void on_thread_exit(void *arena) {
  arena_t *a = arena;
  blocks_free(a->head);
  *a = (arena_t){0};
}

static void exit_key_create(void) { (void)pthread_key_create(&exit_key, on_thread_exit); }

static bool arena_add_block(arena_t *a, size_t need) {
  size_t size = a->head ? a->head->size * 2 : FIRST_BLOCK;
  while (size < need) size *= 2;
  block_t *b = malloc(sizeof *b + size);
  if (!b) return false;
  if (!a->head) { /* the thread's first block: free it when the thread exits */
    pthread_once(&exit_key_once, exit_key_create);
    (void)pthread_setspecific(exit_key, a);
  }
  b->next = a->head;
  b->size = size;
  a->head = b;
  a->cur = b->data;
  a->end = b->data + size;
  return true;
}

void vw_pb_arena_reset(void) {
  arena_t *a = &thread_arena;
  block_t *b = a->head;
  if (b && (b->next || b->size > KEEP_AT_MOST)) { /* keep one block big enough for all */
    size_t want = a->used;
    blocks_free(b);
    a->head = NULL;
    a->cur = a->end = NULL;
    if (want <= KEEP_AT_MOST && want > FIRST_BLOCK) {
      size_t size = FIRST_BLOCK;
      while (size < want) size *= 2;
      block_t *nb = malloc(sizeof *nb + size);
      if (nb) {
        nb->next = NULL;
        nb->size = size;
        a->head = nb;
      }
    }
  }
  if (a->head) {
    a->cur = a->head->data;
    a->end = a->head->data + a->head->size;
  }
  a->used = 0;
}

typedef struct dec {
  arena_t *a;
  const vw_pb_limits_t *lim;
  size_t reserved; /* bytes drawn from the caller's pool */
  size_t promised; /* bytes counted for message structs not yet allocated */
  vw_pb_status_t status;
  int depth;       /* deepest message seen */
  const ProtobufCMessageDescriptor *bad_msg; /* first string that is not UTF-8 */
  const ProtobufCFieldDescriptor *bad_field;
} dec_t;

static void fail(dec_t *d, vw_pb_status_t st) {
  if (d->status == VW_PB_OK) d->status = st;
}

static size_t rounded(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

static void *alloc_slow(dec_t *d, size_t need) {
  arena_t *a = d->a;
  size_t max = d->lim->max_bytes;
  size_t committed = a->used + d->promised;
  if (need > max || committed > max - need) {
    fail(d, VW_PB_TOO_LARGE);
    return NULL;
  }
  if (need > d->reserved - committed) {
    size_t want = committed + need;
    if (want < 2 * d->reserved) want = 2 * d->reserved;
    if (want < RESERVE_STEP) want = RESERVE_STEP;
    if (want > max) want = max;
    if (d->lim->take && !d->lim->take(d->lim->ctx, want - d->reserved)) {
      fail(d, VW_PB_BUSY);
      return NULL;
    }
    d->reserved = want;
  }
  if (need > (size_t)(a->end - a->cur) && !arena_add_block(a, need)) {
    fail(d, VW_PB_NO_MEMORY);
    return NULL;
  }
  void *p = a->cur;
  a->cur += need;
  a->used += need;
  return p;
}

/* n bytes (n >= 1) from the arena, 8-aligned; NULL (status set) past the
 * budget, the pool or memory. */
static inline void *dec_alloc(dec_t *d, size_t n) {
  arena_t *a = d->a;
  if (n <= (size_t)1 << 40) {
    size_t need = rounded(n);
    if (need <= (size_t)(a->end - a->cur) && need <= d->reserved - a->used - d->promised) {
      void *p = a->cur;
      a->cur += need;
      a->used += need;
      return p;
    }
    return alloc_slow(d, need);
  }
  fail(d, VW_PB_TOO_LARGE);
  return NULL;
}

/* Counts n message structs of size each against the budget before they
 * are allocated (8 MiB of empty spans is refused at the array of them,
 * before anything is written); false (status set) when over it. */
static bool promise(dec_t *d, size_t n, size_t each) {
  size_t max = d->lim->max_bytes, committed = d->a->used + d->promised;
  each = rounded(each);
  if (n > (max - committed) / each) {
    fail(d, VW_PB_TOO_LARGE);
    return false;
  }
  d->promised += n * each;
  return true;
}

static inline __attribute__((always_inline)) bool read_varint(const uint8_t **pp,
                                                           const uint8_t *end, uint64_t *out) {
  const uint8_t *p = *pp;
  if (p < end && !(*p & 0x80)) { /* one byte: most tags, lengths and small values */
    *out = *p;
    *pp = p + 1;
    return true;
  }
  uint64_t v = 0;
  for (unsigned shift = 0; shift < 70 && p < end; shift += 7) {
    uint8_t b = *p++;
    if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      *pp = p;
      return true;
    }
  }
  return false;
}

static inline uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t load64(const uint8_t *p) {
  return (uint64_t)load32(p) | (uint64_t)load32(p + 4) << 32;
}

/* Skips the value of wire type wire at *pp; false when malformed. */
static inline bool skip_value(unsigned wire, const uint8_t **pp, const uint8_t *end,
                              const uint8_t **value, size_t *len) {
  uint64_t v;
  const uint8_t *p = *pp;
  switch (wire) {
  case 0:
    if (!read_varint(&p, end, &v)) return false;
    *value = *pp;
    *len = (size_t)(p - *pp);
    break;
  case 1:
    if (end - p < 8) return false;
    *value = p, *len = 8, p += 8;
    break;
  case 5:
    if (end - p < 4) return false;
    *value = p, *len = 4, p += 4;
    break;
  case 2:
    if (!read_varint(&p, end, &v) || v > (uint64_t)(end - p)) return false;
    *value = p, *len = (size_t)v, p += v;
    break;
  default: /* groups (not in the OTLP protos; protobuf-c refuses them), 6, 7 */
    return false;
  }
  *pp = p;
  return true;
}

static bool is_packable(ProtobufCType t) {
  return t != PROTOBUF_C_TYPE_STRING && t != PROTOBUF_C_TYPE_BYTES &&
         t != PROTOBUF_C_TYPE_MESSAGE;
}

/* The wire type a value of type t has when not packed. */
static unsigned wire_of(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
    return 5;
  case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return 1;
  case PROTOBUF_C_TYPE_STRING: case PROTOBUF_C_TYPE_BYTES: case PROTOBUF_C_TYPE_MESSAGE:
    return 2;
  default:
    return 0;
  }
}

/* The size of one element of type t in protobuf-c's structs and arrays. */
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

/* Elements of type t in a packed run of len bytes (a varint ends at each
 * byte without the high bit; whether they are well formed is checked when
 * they are read). */
static size_t packed_count(ProtobufCType t, const uint8_t *p, size_t len) {
  switch (wire_of(t)) {
  case 5: return len / 4;
  case 1: return len / 8;
  default: {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += !(p[i] & 0x80);
    return n;
  }
  }
}

/* Elements of the repeated field f in the message bytes [p, end), p at a
 * tag. Stops at the first malformed field (where the decoding will fail). */
static size_t count_elements(const ProtobufCFieldDescriptor *f, const uint8_t *p,
                             const uint8_t *end) {
  size_t n = 0;
  bool packable = is_packable(f->type);
  while (p < end) {
    uint64_t tag;
    const uint8_t *value;
    size_t len;
    if (!read_varint(&p, end, &tag) || !skip_value((unsigned)(tag & 7), &p, end, &value, &len))
      break;
    if ((tag >> 3) != f->id) continue;
    n += (tag & 7) == 2 && packable ? packed_count(f->type, value, len) : 1;
  }
  return n;
}

/* RFC 3629 (the same rules as utf8_check.c): ASCII passed over eight bytes
 * at a time. */
static bool utf8_ok(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    for (; i + 8 <= len; i += 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
    }
    while (i < len && s[i] < 0x80) i++;
    if (i == len) break;
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return false;
    if (len - i < n) return false;
    for (size_t k = 1; k < n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += n;
  }
  return true;
}

static bool decode_into(dec_t *d, const ProtobufCMessageDescriptor *md, ProtobufCMessage *m,
                        const uint8_t *p, const uint8_t *end, int depth);

/* The message of field f in value[0..len), into *slot (merged into the
 * message already there when *slot is not NULL). */
static bool message_value(dec_t *d, const ProtobufCFieldDescriptor *f, ProtobufCMessage **slot,
                          const uint8_t *value, size_t len, int depth, bool promised) {
  const ProtobufCMessageDescriptor *md = f->descriptor;
  if (depth > d->lim->max_depth) {
    fail(d, VW_PB_TOO_DEEP);
    return false;
  }
  ProtobufCMessage *m = *slot;
  if (!m) {
    if (promised) d->promised -= rounded(md->sizeof_message); /* counted with its array */
    m = dec_alloc(d, md->sizeof_message);
    if (!m) return false;
    md->message_init(m);
    *slot = m;
  }
  return decode_into(d, md, m, value, value + len, depth);
}

/* One value of field f (not a message) of wire type wire at value[0..len)
 * into out. */
static inline bool scalar_value(dec_t *d, const ProtobufCMessageDescriptor *md,
                                const ProtobufCFieldDescriptor *f, unsigned wire,
                                const uint8_t *value, size_t len, void *out) {
  if (wire != wire_of(f->type)) return false;
  uint64_t v;
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_ENUM:
    if (!read_varint(&value, value + len, &v)) return false;
    *(uint32_t *)out = (uint32_t)v;
    return true;
  case PROTOBUF_C_TYPE_SINT32:
    if (!read_varint(&value, value + len, &v)) return false;
    *(int32_t *)out = (int32_t)((uint32_t)v >> 1) ^ -(int32_t)(v & 1);
    return true;
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_UINT64:
    if (!read_varint(&value, value + len, &v)) return false;
    *(uint64_t *)out = v;
    return true;
  case PROTOBUF_C_TYPE_SINT64:
    if (!read_varint(&value, value + len, &v)) return false;
    *(int64_t *)out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
    return true;
  case PROTOBUF_C_TYPE_BOOL:
    if (!read_varint(&value, value + len, &v)) return false;
    *(protobuf_c_boolean *)out = v != 0;
    return true;
  case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT: {
    uint32_t u = load32(value);
    memcpy(out, &u, 4);
    return true;
  }
  case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE: {
    uint64_t u = load64(value);
    memcpy(out, &u, 8);
    return true;
  }
  case PROTOBUF_C_TYPE_STRING: {
    char *s = dec_alloc(d, len + 1);
    if (!s) return false;
    memcpy(s, value, len);
    s[len] = '\0';
    if (!d->bad_field && !utf8_ok(value, len)) { /* reported once the rest is known good */
      d->bad_msg = md;
      d->bad_field = f;
    }
    *(char **)out = s;
    return true;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    ProtobufCBinaryData *b = out;
    b->len = len;
    b->data = NULL;
    if (len) {
      if (!(b->data = dec_alloc(d, len))) return false;
      memcpy(b->data, value, len);
    }
    return true;
  }
  default:
    return false;
  }
}

/* The elements of a packed run value[0..len) of field f, appended at
 * array[*n..room). */
static bool packed_values(dec_t *d, const ProtobufCMessageDescriptor *md,
                          const ProtobufCFieldDescriptor *f, const uint8_t *value, size_t len,
                          char *array, size_t *n, size_t room) {
  size_t es = element_size(f->type);
  unsigned wire = wire_of(f->type);
  const uint8_t *p = value, *end = value + len;
  if ((wire == 5 && len % 4) || (wire == 1 && len % 8)) return false;
  while (p < end) {
    const uint8_t *v = p;
    if (wire == 5) p += 4;
    else if (wire == 1) p += 8;
    else {
      uint64_t ignored;
      if (!read_varint(&p, end, &ignored)) return false;
    }
    size_t vlen = (size_t)(p - v);
    if (*n >= room || !scalar_value(d, md, f, wire, v, vlen, array + *n * es)) return false;
    (*n)++;
  }
  return true;
}

static bool decode_into(dec_t *d, const ProtobufCMessageDescriptor *md, ProtobufCMessage *m,
                        const uint8_t *p, const uint8_t *end, int depth) {
  if (depth > d->depth) d->depth = depth;
  char *base = (char *)m;
  uint64_t seen = 0;          /* repeated fields whose array this frame has made */
  uint32_t room[SEEN_BITS];   /* and each array's size */
  const ProtobufCFieldDescriptor *f = NULL;
  while (p < end) {
    const uint8_t *at_tag = p;
    uint64_t tag;
    const uint8_t *value;
    size_t len;
    if (!read_varint(&p, end, &tag) || tag > UINT32_MAX || (tag >> 3) == 0) goto malformed;
    unsigned wire = (unsigned)(tag & 7);
    if (!skip_value(wire, &p, end, &value, &len)) goto malformed;
    unsigned number = (unsigned)(tag >> 3);
    if (!f || f->id != number) { /* repeated fields come in runs */
      /* most OTLP messages number their fields 1..n: index them directly */
      if (number <= md->n_fields && md->fields[number - 1].id == number)
        f = &md->fields[number - 1];
      else f = protobuf_c_message_descriptor_get_field(md, number);
      if (!f) continue; /* unknown: skipped */
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t *n = (size_t *)(base + f->quantifier_offset);
      char **array = (char **)(base + f->offset);
      size_t i = (size_t)(f - md->fields), es = element_size(f->type), size;
      uint64_t bit = i < SEEN_BITS ? (uint64_t)1 << i : 0;
      if (bit && (seen & bit)) {
        size = room[i];
      } else { /* this frame's first element: the array for all of them */
        size_t more = count_elements(f, at_tag, end);
        if (more == 0) {
          if (wire == 2 && is_packable(f->type) && len == 0) continue; /* an empty packed run */
          goto malformed;
        }
        size = *n + more;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE &&
            !promise(d, more, ((const ProtobufCMessageDescriptor *)f->descriptor)->sizeof_message))
          return false;
        char *grown = dec_alloc(d, size * es);
        if (!grown) return false;
        if (*n) memcpy(grown, *array, *n * es); /* a merged message's earlier elements */
        *array = grown;
        if (bit) {
          seen |= bit;
          room[i] = (uint32_t)(size > UINT32_MAX ? UINT32_MAX : size);
        }
      }
      if (wire == 2 && is_packable(f->type)) {
        if (!packed_values(d, md, f, value, len, *array, n, size)) goto malformed;
        continue;
      }
      if (*n >= size) goto malformed;
      if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
        if (wire != 2) goto malformed;
        ProtobufCMessage **slot = (ProtobufCMessage **)*array + *n;
        *slot = NULL;
        if (!message_value(d, f, slot, value, len, depth + 1, true)) goto malformed;
      } else if (!scalar_value(d, md, f, wire, value, len, *array + *n * es)) {
        goto malformed;
      }
      (*n)++;
      continue;
    }
    void *member = base + f->offset;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      uint32_t *which = (uint32_t *)(base + f->quantifier_offset);
      if (*which != f->id && f->type == PROTOBUF_C_TYPE_MESSAGE)
        *(ProtobufCMessage **)member = NULL; /* another member was set: not merged into */
      *which = f->id;
    } else if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
               f->type != PROTOBUF_C_TYPE_MESSAGE) {
      *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    }
    if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
      if (wire != 2) goto malformed;
      if (!message_value(d, f, (ProtobufCMessage **)member, value, len, depth + 1, false))
        goto malformed;
    } else if (!scalar_value(d, md, f, wire, value, len, member)) {
      goto malformed;
    }
  }
  return true;
malformed: /* unless a nested failure has set its status, it is the framing */
  fail(d, VW_PB_MALFORMED);
  return false;
}

vw_pb_status_t vw_pb_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                            size_t len, const vw_pb_limits_t *lim, vw_pb_result_t *out) {
  dec_t d = {.a = &thread_arena, .lim = lim, .status = VW_PB_OK};
  *out = (vw_pb_result_t){0};
  ProtobufCMessage *m = NULL;
  if (lim->max_depth >= 1 && (m = dec_alloc(&d, desc->sizeof_message))) {
    desc->message_init(m);
    decode_into(&d, desc, m, data, data + len, 1);
  } else if (lim->max_depth < 1) {
    fail(&d, VW_PB_TOO_DEEP);
  }
  if (d.status == VW_PB_OK && d.bad_field) d.status = VW_PB_BAD_UTF8;
  out->depth = d.depth;
  out->used = d.a->used;
  out->reserved = d.reserved;
  if (d.status == VW_PB_BAD_UTF8) {
    out->bad_message = d.bad_msg->short_name;
    out->bad_field = d.bad_field->name;
  }
  if (d.status != VW_PB_OK) {
    vw_pb_arena_reset();
    return d.status;
  }
  out->msg = m;
  return VW_PB_OK;
}
