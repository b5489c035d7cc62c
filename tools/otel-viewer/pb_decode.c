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
 * Repeated message fields count their structs against the budget (and
 * draw them from the pool) when their array is made, before any is
 * written: 8 MiB of empty spans is refused at the array of them.
 *
 * Each message type gets a plan once (a field table indexed by number,
 * with kinds, wire types, offsets and presence resolved from protobuf-c's
 * descriptors), so the loop does one table load per field.
 *
 * The result lives in this thread's arena until vw_pb_arena_reset();
 * never protobuf_c_message_free_unpacked() it. Recursion is at most
 * max_depth frames of a few hundred bytes (bench_viewer_decode: 617 bytes
 * per AnyValue level, two message levels, for decoding, ingest and the
 * JSON of the request together).
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

/* Under AddressSanitizer the arena's free space is poisoned and each
 * allocation is followed by a poisoned red zone, so that a write past what
 * was allocated is caught as it would be with malloc. */
#if defined(__SANITIZE_ADDRESS__)
#define VW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VW_ASAN 1
#endif
#endif
#ifdef VW_ASAN
#include <sanitizer/asan_interface.h>
#define REDZONE 16u
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define REDZONE 0u
#endif

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
    ASAN_UNPOISON_MEMORY_REGION(b->data, b->size);
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
  ASAN_POISON_MEMORY_REGION(b->data, size);
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
    ASAN_POISON_MEMORY_REGION(a->head->data, a->head->size);
  }
  a->used = 0;
}

typedef struct dec {
  arena_t *a;
  const vw_pb_limits_t *lim;
  size_t reserved; /* bytes drawn from the caller's pool */
  size_t promised; /* bytes counted for message structs not yet allocated */
  /* the allocation fast path: [cur, stop) may be handed out without
   * looking at the block or the pool (stop is the nearer of the block's end
   * and the end of the reservation); mark is where a->cur and a->used were
   * last brought up to date */
  unsigned char *cur, *stop, *mark;
  vw_pb_status_t status;
  int depth;       /* deepest message seen */
  const ProtobufCMessageDescriptor *bad_msg; /* first string that is not UTF-8 */
  const ProtobufCFieldDescriptor *bad_field;
} dec_t;

static void fail(dec_t *d, vw_pb_status_t st) {
  if (d->status == VW_PB_OK) d->status = st;
}

static size_t rounded(size_t n) { return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1); }

/* Brings the arena up to date with the fast path. */
static void sync_out(dec_t *d) {
  d->a->used += (size_t)(d->cur - d->mark);
  d->a->cur = d->cur;
  d->mark = d->cur;
}

/* Starts the fast path again from the arena (synced). */
static void sync_in(dec_t *d) {
  arena_t *a = d->a;
  d->cur = d->mark = a->cur;
  /* the promised bytes are in the reservation too: allocations draw on it
   * whether promised or not, and never past it (a request that uses up
   * what was promised to its structs fails at them, in reserve()) */
  size_t room = (size_t)(a->end - a->cur), left = d->reserved - a->used;
  size_t n = room < left ? room : left;
  d->stop = n ? d->cur + n : d->cur; /* no offset to a NULL cur (no block yet) */
}

/* Counts need more bytes (allocated or promised) against the budget and
 * draws the pool for them: afterwards reserved >= used + promised + need.
 * False (status set) when over the budget or refused by the pool. */
static bool reserve(dec_t *d, size_t need) {
  size_t max = d->lim->max_bytes, committed = d->a->used + d->promised;
  if (need > max || committed > max - need) {
    fail(d, VW_PB_TOO_LARGE);
    return false;
  }
  if (committed + need > d->reserved) { /* no overflow: at most max */
    size_t want = committed + need;
    if (want < 2 * d->reserved) want = 2 * d->reserved;
    if (want < RESERVE_STEP) want = RESERVE_STEP;
    if (want > max) want = max;
    if (d->lim->take && !d->lim->take(d->lim->ctx, want - d->reserved)) {
      fail(d, VW_PB_BUSY);
      return false;
    }
    d->reserved = want;
  }
  return true;
}

static void *alloc_slow(dec_t *d, size_t need) {
  arena_t *a = d->a;
  sync_out(d);
  if (!reserve(d, need)) return NULL;
  if (need > (size_t)(a->end - a->cur) && !arena_add_block(a, need)) {
    fail(d, VW_PB_NO_MEMORY);
    return NULL;
  }
  void *p = a->cur;
  a->cur += need;
  a->used += need;
  sync_in(d);
  return p;
}

/* n bytes (n >= 1) from the arena, 8-aligned; NULL (status set) past the
 * budget, the pool or memory. */
static inline void *dec_alloc(dec_t *d, size_t n) {
  if (n <= (size_t)1 << 40) {
    size_t need = rounded(n) + REDZONE;
    void *p;
    if (need <= (size_t)(d->stop - d->cur)) {
      p = d->cur;
      d->cur += need;
    } else if (!(p = alloc_slow(d, need))) {
      return NULL;
    }
    ASAN_UNPOISON_MEMORY_REGION(p, n);
    return p;
  }
  fail(d, VW_PB_TOO_LARGE);
  return NULL;
}

/* Counts n message structs of size each against the budget before they
 * are allocated (8 MiB of empty spans is refused at the array of them,
 * before anything is written); false (status set) when over it. */
static bool promise(dec_t *d, size_t n, size_t each) {
  size_t max = d->lim->max_bytes;
  size_t committed = d->a->used + (size_t)(d->cur - d->mark) + d->promised;
  each = rounded(each) + REDZONE;
  if (n > (max - committed) / each) {
    fail(d, VW_PB_TOO_LARGE);
    return false;
  }
  sync_out(d);
  if (!reserve(d, n * each)) return false;
  d->promised += n * each;
  sync_in(d);
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

/* ---- plans: what the decoder needs of each field, resolved once ----------
 * protobuf-c's descriptors say a field's label, type, flags and offsets in
 * separate fields, looked up by binary search of number ranges; each
 * message type gets a table indexed by field number instead, built once
 * for the types reachable from the request (AnyValue's cycle included). */

enum kind { K_U32, K_S32, K_U64, K_S64, K_BOOL, K_F32, K_F64, K_STRING, K_BYTES, K_MESSAGE };
enum presence { P_NONE, P_HAS, P_ONEOF };

typedef struct mplan mplan_t;

typedef struct fplan {
  uint8_t kind, wire, presence, elsize;
  bool repeated, packable;
  uint32_t id, offset, qoffset;
  size_t index; /* in the descriptor's fields (the bit of the frame's seen set) */
  const mplan_t *sub;
  const ProtobufCFieldDescriptor *fd;
} fplan_t;

struct mplan {
  const ProtobufCMessageDescriptor *md;
  uint32_t n_numbers;         /* by_number has this many entries (0 .. n - 1) */
  const fplan_t **by_number;  /* NULL: not a field of the message */
  fplan_t *fields;            /* in the descriptor's order */
};

#define MAX_PLANS 128
#define MAX_TABLE 1024 /* larger field numbers are looked up in the descriptor */
static mplan_t plans[MAX_PLANS];
static size_t n_plans;
static pthread_mutex_t plans_mu = PTHREAD_MUTEX_INITIALIZER;

static uint8_t kind_of(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_ENUM: return K_U32;
  case PROTOBUF_C_TYPE_SINT32: return K_S32;
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_UINT64: return K_U64;
  case PROTOBUF_C_TYPE_SINT64: return K_S64;
  case PROTOBUF_C_TYPE_BOOL: return K_BOOL;
  case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_FLOAT:
    return K_F32;
  case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return K_F64;
  case PROTOBUF_C_TYPE_STRING: return K_STRING;
  case PROTOBUF_C_TYPE_BYTES: return K_BYTES;
  default: return K_MESSAGE;
  }
}

/* The size of one element of kind k in protobuf-c's structs and arrays. */
static uint8_t size_of(uint8_t k) {
  switch (k) {
  case K_U64: case K_S64: case K_F64: return 8;
  case K_BOOL: return sizeof(protobuf_c_boolean);
  case K_STRING: return sizeof(char *);
  case K_BYTES: return sizeof(ProtobufCBinaryData);
  case K_MESSAGE: return sizeof(ProtobufCMessage *);
  default: return 4;
  }
}

static uint8_t wire_of(uint8_t k) {
  switch (k) {
  case K_F32: return 5;
  case K_F64: return 1;
  case K_STRING: case K_BYTES: case K_MESSAGE: return 2;
  default: return 0;
  }
}

/* The plan of md, built with those of the types it contains (plans_mu
 * held). NULL when out of memory or of plan slots. */
static const mplan_t *plan_build(const ProtobufCMessageDescriptor *md) {
  for (size_t i = 0; i < n_plans; i++)
    if (plans[i].md == md) return &plans[i];
  if (n_plans == MAX_PLANS) return NULL;
  mplan_t *mp = &plans[n_plans++];
  uint32_t max_id = 0;
  for (unsigned i = 0; i < md->n_fields; i++)
    if (md->fields[i].id > max_id) max_id = md->fields[i].id;
  uint32_t n = (max_id < MAX_TABLE ? max_id : MAX_TABLE) + 1;
  fplan_t *fields = calloc(md->n_fields ? md->n_fields : 1, sizeof *fields);
  const fplan_t **table = calloc(n, sizeof *table);
  if (!fields || !table) {
    free(fields);
    free(table);
    n_plans--;
    return NULL;
  }
  *mp = (mplan_t){.md = md, .n_numbers = n, .by_number = table, .fields = fields};
  for (unsigned i = 0; i < md->n_fields; i++) {
    const ProtobufCFieldDescriptor *fd = &md->fields[i];
    fplan_t *f = &fields[i];
    f->kind = kind_of(fd->type);
    f->wire = wire_of(f->kind);
    f->elsize = size_of(f->kind);
    f->repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
    f->packable = f->repeated && f->wire != 2;
    f->presence = (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ? P_ONEOF
                  : fd->label == PROTOBUF_C_LABEL_OPTIONAL && f->kind != K_STRING &&
                          f->kind != K_MESSAGE
                      ? P_HAS
                      : P_NONE;
    f->id = fd->id;
    f->offset = fd->offset;
    f->qoffset = fd->quantifier_offset;
    f->index = i;
    f->fd = fd;
    if (fd->id < n) table[fd->id] = f;
  }
  for (unsigned i = 0; i < md->n_fields; i++)
    if (fields[i].kind == K_MESSAGE && !(fields[i].sub = plan_build(md->fields[i].descriptor)))
      return NULL;
  return mp;
}

static const mplan_t *plan_of(const ProtobufCMessageDescriptor *md) {
  static _Atomic(const mplan_t *) last; /* the request types: one lookup without the lock */
  static bool broken; /* a build failed half way: its plans may lack sub-plans */
  const mplan_t *mp = last;
  if (mp && mp->md == md) return mp;
  pthread_mutex_lock(&plans_mu);
  mp = broken ? NULL : plan_build(md);
  if (!mp) broken = true;
  pthread_mutex_unlock(&plans_mu);
  if (mp) last = mp;
  return mp;
}

static inline const fplan_t *field_of(const mplan_t *mp, uint32_t number) {
  if (number < mp->n_numbers) return mp->by_number[number];
  const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field(mp->md, number);
  return fd ? &mp->fields[fd - mp->md->fields] : NULL;
}

/* ---- decoding ------------------------------------------------------------ */

/* Elements of kind k in a packed run of len bytes (a varint ends at each
 * byte without the high bit; whether they are well formed is checked when
 * they are read). */
static size_t packed_count(uint8_t wire, const uint8_t *p, size_t len) {
  if (wire == 5) return len / 4;
  if (wire == 1) return len / 8;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += !(p[i] & 0x80);
  return n;
}

/* Elements of the repeated field f in the message bytes [p, end), p at a
 * tag. Stops at the first malformed field (where the decoding will fail). */
static size_t count_elements(const fplan_t *f, const uint8_t *p, const uint8_t *end) {
  size_t n = 0;
  while (p < end) {
    uint64_t tag;
    const uint8_t *value;
    size_t len;
    if (!read_varint(&p, end, &tag) || !skip_value((unsigned)(tag & 7), &p, end, &value, &len))
      break;
    if ((tag >> 3) != f->id) continue;
    n += (tag & 7) == 2 && f->packable ? packed_count(f->wire, value, len) : 1;
  }
  return n;
}

/* Copies len bytes to dst (NUL-terminated) and says whether they are all
 * ASCII, eight at a time (telemetry's strings nearly always are). */
static inline bool copy_ascii(char *dst, const uint8_t *src, size_t len) {
  uint64_t high = 0;
  size_t i = 0;
  if (len >= 8) {
    for (; i + 8 <= len; i += 8) {
      uint64_t w;
      memcpy(&w, src + i, 8);
      memcpy(dst + i, &w, 8);
      high |= w;
    }
    if (i < len) { /* the last 8 bytes, overlapping what was copied */
      uint64_t w;
      memcpy(&w, src + len - 8, 8);
      memcpy(dst + len - 8, &w, 8);
      high |= w;
    }
  } else {
    for (; i < len; i++) {
      dst[i] = (char)src[i];
      high |= src[i];
    }
  }
  dst[len] = '\0';
  return !(high & 0x8080808080808080ull);
}

static bool decode_into(dec_t *d, const mplan_t *mp, char *base, const uint8_t *p,
                        const uint8_t *end, int depth);

/* The message of field f in value[0..len) into *slot (merged into the
 * message already there unless *slot is NULL). */
static inline __attribute__((always_inline)) bool message_value(dec_t *d, const fplan_t *f, ProtobufCMessage **slot,
                          const uint8_t *value, size_t len, int depth, bool promised) {
  if (depth > d->lim->max_depth) {
    fail(d, VW_PB_TOO_DEEP);
    return false;
  }
  ProtobufCMessage *m = *slot;
  if (!m) {
    const ProtobufCMessageDescriptor *md = f->sub->md;
    if (promised) d->promised -= rounded(md->sizeof_message) + REDZONE; /* counted with its array */
    if (!(m = dec_alloc(d, md->sizeof_message))) return false;
    md->message_init(m);
    *slot = m;
  }
  return decode_into(d, f->sub, (char *)m, value, value + len, depth);
}

/* One value of f of its own wire type at value[0..len) into out. */
static inline __attribute__((always_inline)) bool store_value(dec_t *d, const mplan_t *mp, const fplan_t *f,
                               const uint8_t *value, size_t len, void *out) {
  uint64_t v;
  switch (f->kind) {
  case K_U32: case K_S32: case K_U64: case K_S64: case K_BOOL:
    if (len == 1) v = *value;
    else if (!read_varint(&value, value + len, &v)) return false;
    switch (f->kind) {
    case K_U32: *(uint32_t *)out = (uint32_t)v; break;
    case K_S32: *(int32_t *)out = (int32_t)((uint32_t)v >> 1) ^ -(int32_t)(v & 1); break;
    case K_U64: *(uint64_t *)out = v; break;
    case K_S64: *(int64_t *)out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1); break;
    default: *(protobuf_c_boolean *)out = v != 0; break;
    }
    return true;
  case K_F32: {
    uint32_t u = load32(value);
    memcpy(out, &u, 4);
    return true;
  }
  case K_F64: {
    uint64_t u = load64(value);
    memcpy(out, &u, 8);
    return true;
  }
  case K_STRING: {
    char *s = dec_alloc(d, len + 1);
    if (!s) return false;
    if (!copy_ascii(s, value, len) && !d->bad_field && !vw_utf8_valid(value, len)) {
      d->bad_msg = mp->md; /* reported once the rest is known good */
      d->bad_field = f->fd;
    }
    *(char **)out = s;
    return true;
  }
  default: { /* K_BYTES */
    ProtobufCBinaryData *b = out;
    b->len = len;
    b->data = NULL;
    if (len) {
      if (!(b->data = dec_alloc(d, len))) return false;
      if (len == 16) memcpy(b->data, value, 16); /* trace ids and span ids: inlined */
      else if (len == 8) memcpy(b->data, value, 8);
      else memcpy(b->data, value, len);
    }
    return true;
  }
  }
}

/* The elements of a packed run value[0..len) of f appended at
 * array[*n..room). */
static bool packed_values(dec_t *d, const mplan_t *mp, const fplan_t *f, const uint8_t *value,
                          size_t len, char *array, size_t *n, size_t room) {
  const uint8_t *p = value, *end = value + len;
  if ((f->wire == 5 && len % 4) || (f->wire == 1 && len % 8)) return false;
  while (p < end) {
    const uint8_t *v = p;
    if (f->wire == 5) p += 4;
    else if (f->wire == 1) p += 8;
    else {
      uint64_t ignored;
      if (!read_varint(&p, end, &ignored)) return false;
    }
    if (*n >= room || !store_value(d, mp, f, v, (size_t)(p - v), array + *n * f->elsize))
      return false;
    (*n)++;
  }
  return true;
}

static bool decode_into(dec_t *d, const mplan_t *mp, char *base, const uint8_t *p,
                        const uint8_t *end, int depth) {
  if (depth > d->depth) d->depth = depth;
  uint64_t seen = 0;        /* repeated fields whose array this frame has made */
  uint32_t room[SEEN_BITS]; /* and each array's size */
  const fplan_t *f = NULL;
  uint32_t number_of_f = 0; /* no field is numbered 0 */
  while (p < end) {
    const uint8_t *at_tag = p;
    uint64_t tag;
    if (*p < 0x80) tag = *p++;
    else if (!read_varint(&p, end, &tag) || tag > UINT32_MAX) goto malformed;
    uint32_t number = (uint32_t)(tag >> 3);
    unsigned wire = (unsigned)(tag & 7);
    const uint8_t *value;
    size_t len;
    if (number == 0 || !skip_value(wire, &p, end, &value, &len)) goto malformed;
    if (number != number_of_f) { /* repeated fields come in runs */
      f = field_of(mp, number);
      number_of_f = number;
    }
    if (!f) continue; /* unknown: skipped */
    bool packed = false;
    if (wire != f->wire) {
      if (!(wire == 2 && f->packable)) goto malformed;
      packed = true;
    }
    void *out;
    if (f->repeated) {
      size_t *n = (size_t *)(base + f->qoffset);
      char **array = (char **)(base + f->offset);
      uint64_t bit = f->index < SEEN_BITS ? (uint64_t)1 << f->index : 0;
      size_t size;
      if (seen & bit) {
        size = room[f->index];
      } else { /* this frame's first element: the array for all of them */
        size_t more = count_elements(f, at_tag, end);
        if (more == 0) {
          if (packed && len == 0) continue; /* an empty packed run */
          goto malformed;
        }
        size = *n + more;
        if (f->kind == K_MESSAGE && !promise(d, more, f->sub->md->sizeof_message)) return false;
        char *grown = dec_alloc(d, size * f->elsize);
        if (!grown) return false;
        if (*n) memcpy(grown, *array, *n * f->elsize); /* a merged message's earlier elements */
        *array = grown;
        if (bit) {
          seen |= bit;
          room[f->index] = (uint32_t)(size > UINT32_MAX ? UINT32_MAX : size);
        }
      }
      if (packed) {
        if (!packed_values(d, mp, f, value, len, *array, n, size)) goto malformed;
        continue;
      }
      if (*n >= size) goto malformed;
      out = *array + *n * f->elsize;
      (*n)++;
      if (f->kind == K_MESSAGE) {
        *(ProtobufCMessage **)out = NULL;
        if (!message_value(d, f, out, value, len, depth + 1, true)) goto malformed;
        continue;
      }
    } else {
      out = base + f->offset;
      if (f->presence == P_ONEOF) {
        uint32_t *which = (uint32_t *)(base + f->qoffset);
        if (*which != f->id && f->kind == K_MESSAGE)
          *(ProtobufCMessage **)out = NULL; /* another member was set: not merged into */
        *which = f->id;
      } else if (f->presence == P_HAS) {
        *(protobuf_c_boolean *)(base + f->qoffset) = 1;
      }
      if (f->kind == K_MESSAGE) {
        if (!message_value(d, f, out, value, len, depth + 1, false)) goto malformed;
        continue;
      }
    }
    if (!store_value(d, mp, f, value, len, out)) goto malformed;
  }
  return true;
malformed: /* unless a nested failure has set its status, it is the framing */
  fail(d, VW_PB_MALFORMED);
  return false;
}

vw_pb_status_t vw_pb_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                            size_t len, const vw_pb_limits_t *lim, vw_pb_result_t *out) {
  dec_t d = {.a = &thread_arena, .lim = lim, .status = VW_PB_OK};
  sync_in(&d);
  *out = (vw_pb_result_t){0};
  const mplan_t *mp = plan_of(desc);
  ProtobufCMessage *m = NULL;
  if (!mp) {
    fail(&d, VW_PB_NO_MEMORY);
  } else if (lim->max_depth < 1) {
    fail(&d, VW_PB_TOO_DEEP);
  } else if ((m = dec_alloc(&d, desc->sizeof_message))) {
    desc->message_init(m);
    decode_into(&d, mp, (char *)m, data, data + len, 1);
  }
  sync_out(&d);
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
