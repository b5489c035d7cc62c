/* SPDX-License-Identifier: Apache-2.0
 *
 * span.c: spans: start (sampling, parent choice, ids), attributes, events,
 * links, status, end, and the thread-local current span.
 *
 * Memory: a recording span is one allocation: the struct, then inline room
 * for a few attributes and 256 bytes of strings; more goes to a per-span
 * arena. A non-recording span is the bare struct (it only carries a context
 * for propagation). Spans are reference-counted: the handle returned by
 * start, each slot of a thread's context stack holding it, and each
 * processor holding ended data own one reference.
 *
 * Context: each thread has its own stack of current spans (a thread-local
 * array, CONTEXT_DEPTH deep), so one span may be current on two threads at
 * once; the stack is not linked through the spans (a link stored in the
 * span was overwritten by the second thread, which corrupted both stacks).
 *
 * Thread-safety: a span may be changed from several threads; a spinlock
 * per span (uncontended: a few ns) serialises the changes.
 */
#include "trace_internal.h"

#include "internal.h"
#include "span_pool.h"
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* Room inside a recording span's block for its first attributes and their
 * strings: enough for an HTTP server span (up to 12 attributes and under
 * 200 bytes of values in the app under wrk; a browser's user agent adds
 * about 150), whose overflow otherwise took a 1 KB malloc per request, a
 * size for which glibc consolidates its free lists first. No more: a full
 * span queue holds 2048 of these blocks, and at 16 attributes and 640
 * bytes (1472-byte blocks) they were most of a service's telemetry RSS. */
#define INLINE_ATTRS 14
#define INLINE_BYTES 384
/* a recording span's block: the struct, then the inline room */
#define RECORDING_SIZE (sizeof(otel_span_t) + INLINE_ATTRS * sizeof(otel_attr_t) + INLINE_BYTES)
/* A span started with at most SMALL_START_ATTRS attributes (a client or
 * internal span; a server span starts with about 10) gets a small block:
 * two thirds of the app's spans, 5 attributes and under 128 bytes of
 * values at most under wrk. It overflows into the arena as a big one
 * does. */
#define SMALL_START_ATTRS 6
#define SMALL_INLINE_ATTRS 8
#define SMALL_INLINE_BYTES 192
#define SMALL_RECORDING_SIZE \
  (sizeof(otel_span_t) + SMALL_INLINE_ATTRS * sizeof(otel_attr_t) + SMALL_INLINE_BYTES)
/* the span pool's size classes: a non-recording span, a recording one, a small recording one */
enum { BLOCK_NONRECORDING, BLOCK_RECORDING, BLOCK_SMALL };
static const uint16_t inline_attrs[] = {0, INLINE_ATTRS, SMALL_INLINE_ATTRS};
static const uint16_t inline_bytes[] = {0, INLINE_BYTES, SMALL_INLINE_BYTES};

struct otel_span {
  otel_span_data_t data; /* first: (otel_span_data_t *) == (otel_span_t *) */
  /* What the last release reads and writes, often on the exporter's
   * thread: kept in one cache line so that a span crosses cores once. */
  _Alignas(64) atomic_uint refs;
  bool recording;
  bool is_static;
  uint8_t block_class;       /* BLOCK_*: its span pool class and inline room */
  otel__arena_t arena;       /* overflow storage */
  /* the rest is the owning threads' */
  atomic_flag lock;
  atomic_bool ended;
  otel_tracer_t *tracer;
  otel_attr_t *attrs;        /* data.attrs, writable */
  size_t attr_cap;
  otel_span_event_t *events;
  size_t event_cap;
  otel_span_link_data_t *links;
  size_t link_cap;
  size_t bytes_used;          /* of the inline string room */
  _Alignas(max_align_t) unsigned char inline_room[]; /* recording spans only */
};

static otel_span_t noop_span = {.is_static = true, .ended = true};
/* This thread's context stack: each slot holds a reference; the top is
 * the current span. Deeper nesting than this leaves a new span not current
 * (it still works, parents given explicitly). */
#define CONTEXT_DEPTH 64
static _Thread_local otel_span_t *context_stack[CONTEXT_DEPTH];
static _Thread_local unsigned context_depth;
#define thread_current (context_depth ? context_stack[context_depth - 1] : NULL)

/* ---- locking and storage ------------------------------------------------ */

static inline void span_lock(otel_span_t *s) {
  while (atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire)) {
  }
}
static inline void span_unlock(otel_span_t *s) {
  atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

static void *span_alloc(otel_span_t *s, size_t n) {
  size_t aligned = (n + 7) & ~(size_t)7;
  if (s->bytes_used + aligned <= inline_bytes[s->block_class]) {
    void *p = s->inline_room + inline_attrs[s->block_class] * sizeof(otel_attr_t) + s->bytes_used;
    s->bytes_used += aligned;
    return p;
  }
  return otel__arena_alloc(&s->arena, n);
}

/* Copies src[0..n) and a NUL to dst and says whether it was ASCII: each
 * word is OR-ed into the check as it is copied (one pass, where a check
 * then a memcpy call cost twice as much for the short text of spans). */
static inline bool copy_ascii(char *dst, const char *src, size_t n) {
  uint64_t acc = 0, w;
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      memcpy(&w, src + i, 8);
      memcpy(dst + i, &w, 8);
      acc |= w;
    }
    if (i < n) { /* the last eight bytes, overlapping the words before */
      memcpy(&w, src + n - 8, 8);
      memcpy(dst + n - 8, &w, 8);
      acc |= w;
    }
  } else if (n >= 4) {
    uint32_t x, y;
    memcpy(&x, src, 4);
    memcpy(&y, src + n - 4, 4);
    memcpy(dst, &x, 4);
    memcpy(dst + n - 4, &y, 4);
    acc = x | y;
  } else if (n) {
    unsigned char x = (unsigned char)src[0], y = (unsigned char)src[n / 2],
                  z = (unsigned char)src[n - 1];
    dst[0] = (char)x, dst[n / 2] = (char)y, dst[n - 1] = (char)z;
    acc = x | y | z;
  }
  dst[n] = '\0';
  return !(acc & 0x8080808080808080ull);
}

/* Copies str[0..n) into span storage as valid UTF-8 (each invalid byte
 * becomes U+FFFD): checked once here, the exporters write span text as it
 * is (otel_span_data_t). */
static char *span_copy_text(otel_span_t *s, const char *str, size_t n) {
  char *p = span_alloc(s, n + 1);
  if (!p) return NULL;
  if (copy_ascii(p, str, n)) return p;
  size_t clean = otel__utf8_clean_len(str, n);
  if (clean == n) return p; /* valid UTF-8, copied already */
  char *q = span_alloc(s, clean + 1); /* (p's room is lost: invalid text is rare) */
  if (!q) return NULL;
  *otel__utf8_put_clean((uint8_t *)q, str, n) = '\0';
  return q;
}

/* Copies at most max bytes of str (0: all), cut on a UTF-8 boundary, as
 * span_copy_text does. */
static char *span_strdup(otel_span_t *s, const char *str, uint32_t max) {
  if (!str) str = "";
  size_t n = strlen(str);
  if (max && n > max) {
    n = max;
    while (n > 0 && ((unsigned char)str[n] & 0xc0) == 0x80) n--;
  }
  return span_copy_text(s, str, n);
}

/* Deep-copies attr's value into span storage. Returns false on OOM. */
static bool copy_attr(otel_span_t *s, otel_attr_t *dst, const otel_attr_t *src,
                      const char *key, uint32_t max_len) {
  dst->key = key;
  dst->type = src->type;
  size_t isz = 0;
  switch (src->type) {
  case OTEL_ATTR_TYPE_STRING:
    dst->value.s = span_strdup(s, src->value.s, max_len);
    return dst->value.s != NULL;
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_DOUBLE: dst->value = src->value; return true;
  case OTEL_ATTR_TYPE_STRING_ARRAY: isz = sizeof(char *); break;
  case OTEL_ATTR_TYPE_BOOL_ARRAY: isz = sizeof(bool); break;
  case OTEL_ATTR_TYPE_INT_ARRAY: isz = sizeof(int64_t); break;
  case OTEL_ATTR_TYPE_DOUBLE_ARRAY: isz = sizeof(double); break;
  default: return false;
  }
  size_t n = src->value.array.items ? src->value.array.len : 0;
  void *items = span_alloc(s, n * isz + 1);
  if (!items) return false;
  if (src->type == OTEL_ATTR_TYPE_STRING_ARRAY) {
    const char *const *in = src->value.array.items;
    const char **out = items;
    for (size_t i = 0; i < n; i++)
      if (!(out[i] = span_strdup(s, in[i], max_len))) return false;
  } else if (n) {
    memcpy(items, src->value.array.items, n * isz);
  }
  dst->value.array.items = items;
  dst->value.array.len = n;
  return true;
}

static bool valid_attr_type(otel_attr_type_t t) {
  return t >= OTEL_ATTR_TYPE_STRING && t <= OTEL_ATTR_TYPE_DOUBLE_ARRAY;
}

/* How list_set_attr takes an attribute's key: copied (any caller's), kept
 * as given (a string literal of our instrumentation: ASCII, never freed),
 * or kept as given and known not to be on the list yet (not compared). */
typedef enum { KEY_COPY, KEY_STATIC, KEY_STATIC_NEW } key_mode_t;

/* Sets one attribute into a (attrs, count, cap) list with the count limit.
 * Called with the span locked. */
static void list_set_attr(otel_span_t *s, otel_attr_t **list, size_t *count, size_t *cap,
                          uint32_t *dropped, uint32_t limit, const otel_attr_t *attr,
                          key_mode_t mode) {
  if (!attr || !attr->key || !attr->key[0] || !valid_attr_type(attr->type)) return;
  uint32_t max_len = s->tracer->provider->limits.attribute_value_length;
  /* Kept keys are valid UTF-8. A key equal to one of them byte for byte is
   * valid too, so the key is compared as given first, and checked only
   * when it is new (its copy checks it); an invalid one is then compared
   * again once cleaned, as it would be kept. */
  const char *key = attr->key;
  size_t key_len = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; mode != KEY_STATIC_NEW && i < *count; i++) {
      if ((*list)[i].key == key ||
          ((*list)[i].key[0] == key[0] && strcmp((*list)[i].key, key) == 0)) {
        copy_attr(s, &(*list)[i], attr, (*list)[i].key, max_len);
        return;
      }
    }
    if (mode != KEY_COPY || pass == 1) break;
    key_len = strlen(key);
    char *copy = span_alloc(s, key_len + 1);
    if (copy && (copy_ascii(copy, key, key_len) ||
                 otel__utf8_clean_len(key, key_len) == key_len)) {
      key = copy; /* valid, and compared already */
      break;
    }
    key = copy ? span_copy_text(s, key, key_len) : NULL; /* cleaned, compared next pass */
    if (!key) {
      (*dropped)++;
      return;
    }
  }
  if (*count >= limit) {
    (*dropped)++;
    return;
  }
  if (*count == *cap) {
    size_t ncap = *cap ? *cap * 2 : 4;
    otel_attr_t *grown = otel__arena_alloc(&s->arena, ncap * sizeof(*grown));
    if (!grown) {
      (*dropped)++;
      return;
    }
    if (*count) memcpy(grown, *list, *count * sizeof(*grown));
    *list = grown;
    *cap = ncap;
  }
  if (!copy_attr(s, &(*list)[*count], attr, key, max_len)) {
    (*dropped)++;
    return;
  }
  (*count)++;
}

/* Sets a scalar attribute (string, bool, int, double) on the span's own
 * list: the common case of list_set_attr, with the list in locals and the
 * key and value copied and checked in one pass each. Anything else (an
 * array, a full list, a limit to apply, text that is not ASCII) goes to
 * list_set_attr, which takes every case; the fast path has changed
 * nothing by then but used some inline room. Span locked. */
static void span_set_attr(otel_span_t *s, const otel_attr_t *attr, key_mode_t mode) {
  const char *key = attr ? attr->key : NULL;
  const otel_span_limits_t *lim = &s->tracer->provider->limits;
  if (!key || !key[0] || attr->type < OTEL_ATTR_TYPE_STRING || attr->type > OTEL_ATTR_TYPE_DOUBLE ||
      lim->attribute_value_length)
    goto generic;
  otel_attr_t *list = s->attrs;
  size_t n = s->data.attr_count;
  otel_attr_t *dst = NULL;
  if (mode != KEY_STATIC_NEW) {
    for (size_t i = 0; i < n; i++) {
      const char *k = list[i].key;
      if (k == key || (k[0] == key[0] && strcmp(k, key) == 0)) {
        dst = &list[i];
        key = k;
        break;
      }
    }
  }
  if (!dst) {
    if (n >= lim->attribute_count || n == s->attr_cap) goto generic;
    if (mode == KEY_COPY) {
      size_t key_len = strlen(key);
      char *copy = span_alloc(s, key_len + 1);
      if (!copy || !copy_ascii(copy, key, key_len)) goto generic;
      key = copy;
    }
  }
  otel_attr_t a = *attr;
  a.key = key;
  if (a.type == OTEL_ATTR_TYPE_STRING) {
    const char *str = a.value.s ? a.value.s : "";
    size_t len = strlen(str);
    char *copy = span_alloc(s, len + 1);
    if (!copy || !copy_ascii(copy, str, len)) goto generic;
    a.value.s = copy;
  }
  if (!dst) {
    dst = &list[n];
    s->data.attr_count = n + 1;
  }
  *dst = a;
  return;
generic:
  list_set_attr(s, &s->attrs, &s->data.attr_count, &s->attr_cap, &s->data.dropped_attrs,
                lim->attribute_count, attr, mode);
}

/* ---- references ---------------------------------------------------------- */

static otel_span_t *span_ref(otel_span_t *s) {
  if (s && !s->is_static) atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
  return s;
}

/* Drops n references the caller holds; true when they were the last. When
 * the count is exactly n no other thread holds a reference, so none can
 * take or drop one meanwhile: the (acquire) load is enough, and the common
 * last release costs no locked instruction. */
static bool refs_drop_last(otel_span_t *s, unsigned n) {
  if (atomic_load_explicit(&s->refs, memory_order_acquire) == n) return true;
  return atomic_fetch_sub_explicit(&s->refs, n, memory_order_acq_rel) == n;
}

/* Frees a span whose last reference is gone. */
static void span_free(otel_span_t *s) {
  if (s->arena.head) otel__arena_cleanup(&s->arena); /* most spans never overflow */
  otel__span_pool_put(s->block_class, s);
}

static void span_unref(otel_span_t *s) {
  if (s && !s->is_static && refs_drop_last(s, 1)) span_free(s);
}

const otel_span_data_t *otel_span_data_retain(const otel_span_data_t *d) {
  span_ref((otel_span_t *)d);
  return d;
}

void otel_span_data_release(const otel_span_data_t *d) { span_unref((otel_span_t *)d); }

void otel__span_data_prefetch(const otel_span_data_t *d) {
  /* The struct, the inline attributes and the inline strings. Reading any
   * field to size this would itself wait for the miss; exported spans are
   * recording spans, whose block is RECORDING_SIZE bytes (and a prefetch
   * past a block's end cannot fault). */
  const char *p = (const char *)d;
  for (size_t off = 0; off < RECORDING_SIZE; off += 64) __builtin_prefetch(p + off, 0, 0);
}

/* ---- current span --------------------------------------------------------- */

static bool context_full(void) {
  if (context_depth < CONTEXT_DEPTH) return false;
  otel__diag(OTEL_DIAG_WARN, "context_depth",
             "more than %d spans current at once on a thread: the new one is not made current "
             "(a span not ended, or not deactivated?)", CONTEXT_DEPTH);
  return true;
}

void otel_span_activate(otel_span_t *span) {
  if (!span || span->is_static || context_full()) return;
  context_stack[context_depth++] = span_ref(span);
}

/* Pops ended spans (and `span`, when it is on top) off this thread's stack,
 * dropping the slots' references. */
static void pop_current(otel_span_t *span) {
  while (context_depth) {
    otel_span_t *top = context_stack[context_depth - 1];
    if (top != span && !atomic_load_explicit(&top->ended, memory_order_relaxed)) break;
    context_stack[--context_depth] = NULL;
    span_unref(top);
    span = NULL;
  }
}

void otel_span_deactivate(otel_span_t *span) {
  if (span && thread_current == span) pop_current(span);
}

void otel_context_reset_thread(void) {
  while (context_depth) {
    otel_span_t *s = context_stack[--context_depth];
    context_stack[context_depth] = NULL;
    span_unref(s);
  }
}

otel_span_t *otel_span_current(void) {
  pop_current(NULL); /* a span ended on another thread may still be on top */
  return thread_current ? thread_current : &noop_span;
}

bool otel_current_span_context(otel_span_context_t *out) {
  pop_current(NULL);
  if (!thread_current || !otel_span_context_is_valid(&thread_current->data.context)) {
    memset(out, 0, sizeof(*out));
    return false;
  }
  *out = thread_current->data.context;
  return true;
}

const char *otel_current_trace_state(void) {
  return thread_current ? thread_current->data.trace_state : NULL;
}

/* ---- start ---------------------------------------------------------------- */

static const otel_span_start_options_t default_options = {.kind = OTEL_SPAN_KIND_INTERNAL};

/* Chooses the parent: explicit span, then a valid remote context, then the
 * current span (unless root). Fills *parent and *parent_trace_state. */
static bool choose_parent(const otel_span_start_options_t *o, otel_span_context_t *parent,
                          const char **parent_trace_state) {
  *parent_trace_state = NULL;
  if (o->parent && otel_span_context_is_valid(&o->parent->data.context)) {
    *parent = o->parent->data.context;
    *parent_trace_state = o->parent->data.trace_state;
    return true;
  }
  if (o->remote_parent && otel_span_context_is_valid(&o->remote_parent->span_context)) {
    *parent = o->remote_parent->span_context;
    parent->is_remote = true;
    *parent_trace_state = o->remote_parent->trace_state;
    return true;
  }
  if (!o->root && !o->parent && thread_current &&
      otel_span_context_is_valid(&thread_current->data.context)) {
    *parent = thread_current->data.context;
    *parent_trace_state = thread_current->data.trace_state;
    return true;
  }
  return false;
}

/* The pool's block sizes, set before main (the first span may start on
 * any thread): a pthread_once on every span start cost a call. */
__attribute__((constructor)) static void pool_init(void) {
  otel__span_pool_set_size(BLOCK_NONRECORDING, sizeof(otel_span_t));
  otel__span_pool_set_size(BLOCK_RECORDING, RECORDING_SIZE);
  otel__span_pool_set_size(BLOCK_SMALL, SMALL_RECORDING_SIZE);
}

static otel_span_t *span_new(int block_class) {
  bool recording = block_class != BLOCK_NONRECORDING;
  otel_span_t *s = otel__span_pool_get(block_class);
  if (!s) return NULL;
  /* Field by field: a memset of the whole struct compiles to `rep stos`,
   * which took a third of an unsampled span's time. First what any span's
   * readers look at (its context, trace state, references, end and
   * storage); a non-recording span's other fields are never read (every
   * change and read of them checks `recording` first, and only recording
   * spans reach the processors), so only a recording span sets them. A
   * field added to otel_span_t or otel_span_data_t must be set here (the
   * assertions below are a reminder). */
  otel_span_data_t *d = &s->data;
  memset(&d->context, 0, sizeof(d->context));
  memset(d->parent_span_id, 0, sizeof(d->parent_span_id));
  d->trace_state = NULL;
  atomic_init(&s->refs, 1);
  s->recording = recording;
  s->is_static = false;
  s->arena.head = NULL; /* otel__arena_init(&s->arena, 1024), without the call */
  s->arena.block_size = 1024;
  atomic_flag_clear_explicit(&s->lock, memory_order_relaxed); /* unshared yet: no fence */
  atomic_init(&s->ended, false);
  s->tracer = NULL;
  s->block_class = (uint8_t)block_class; /* span_free() returns the block to its class */
  if (!recording) return s;
  d->parent_is_remote = false;
  d->name = NULL;
  d->kind = OTEL_SPAN_KIND_INTERNAL;
  d->start_time_ns = d->end_time_ns = 0;
  d->attrs = NULL;
  d->attr_count = 0;
  d->dropped_attrs = 0;
  d->events = NULL;
  d->event_count = 0;
  d->dropped_events = 0;
  d->links = NULL;
  d->link_count = 0;
  d->dropped_links = 0;
  d->status = OTEL_SPAN_STATUS_UNSET;
  d->status_description = NULL;
  d->resource = NULL;
  d->scope_name = NULL;
  d->scope_version = NULL;
  s->attrs = (otel_attr_t *)s->inline_room;
  s->attr_cap = inline_attrs[block_class];
  s->events = NULL;
  s->event_cap = 0;
  s->links = NULL;
  s->link_cap = 0;
  s->bytes_used = 0;
  return s;
}
#if UINTPTR_MAX == UINT64_MAX /* the sizes span_new() was written for (LP64) */
_Static_assert(sizeof(otel_span_data_t) == 184, "otel_span_data_t changed: update span_new()");
_Static_assert(offsetof(otel_span_t, inline_room) == 288, "otel_span_t changed: update span_new()");
#endif

/* Adds a start attribute whose key and string value are both literals of
 * our instrumentation (otel__tracer_start_span_literals): the attribute
 * as given, when the list has room and no value length limit applies;
 * otherwise as any static attribute. The span is not shared yet. */
static void span_put_literal(otel_span_t *s, const otel_attr_t *attr) {
  size_t n = s->data.attr_count;
  const otel_span_limits_t *lim = &s->tracer->provider->limits;
  if (attr->type != OTEL_ATTR_TYPE_STRING || !attr->value.s || !attr->key || !attr->key[0] ||
      lim->attribute_value_length || n >= lim->attribute_count || n == s->attr_cap) {
    span_set_attr(s, attr, KEY_STATIC_NEW);
    return;
  }
  s->attrs[n] = *attr;
  s->data.attr_count = n + 1;
}

static otel_span_t *start_span(otel_tracer_t *tracer, const char *name,
                               const otel_span_start_options_t *opts, key_mode_t key_mode,
                               uint32_t literal_values) {
  const otel_span_start_options_t *o = opts ? opts : &default_options;
  otel_span_context_t parent;
  const char *parent_ts;
  bool has_parent = choose_parent(o, &parent, &parent_ts);

  otel_span_context_t ctx = {.is_remote = false};
  if (has_parent) {
    memcpy(ctx.trace_id, parent.trace_id, 16);
    ctx.trace_flags = parent.trace_flags & (OTEL_TRACE_FLAG_SAMPLED | OTEL_TRACE_FLAG_RANDOM);
    otel__generate_span_ids(NULL, ctx.span_id);
  } else {
    otel__generate_span_ids(ctx.trace_id, ctx.span_id);
    ctx.trace_flags = OTEL_TRACE_FLAG_RANDOM; /* our trace ids are fully random */
  }

  otel_tracer_provider_t *tp = tracer ? tracer->provider : NULL;
  otel_span_kind_t kind = o->kind ? o->kind : OTEL_SPAN_KIND_INTERNAL;
  otel_sampling_decision_t decision = OTEL_SAMPLING_DROP;
  if (tp && !atomic_load_explicit(&tp->shut_down, memory_order_relaxed)) {
    switch (tp->sampler_shortcut) { /* the parent is valid (choose_parent) */
    case OTEL__SAMPLER_ON: decision = OTEL_SAMPLING_RECORD_AND_SAMPLE; break;
    case OTEL__SAMPLER_OFF: decision = OTEL_SAMPLING_DROP; break;
    case OTEL__SAMPLER_PARENT_OR_ON:
      decision = !has_parent || (parent.trace_flags & OTEL_TRACE_FLAG_SAMPLED)
                     ? OTEL_SAMPLING_RECORD_AND_SAMPLE
                     : OTEL_SAMPLING_DROP;
      break;
    case OTEL__SAMPLER_ASK:
      decision = otel_sampler_should_sample(tp->sampler, has_parent ? &parent : NULL,
                                            ctx.trace_id, name, kind, o->attrs, o->attr_count);
      break;
    }
  }
  if (decision == OTEL_SAMPLING_RECORD_AND_SAMPLE) ctx.trace_flags |= OTEL_TRACE_FLAG_SAMPLED;
  else ctx.trace_flags &= (uint8_t)~OTEL_TRACE_FLAG_SAMPLED;

  bool recording = decision != OTEL_SAMPLING_DROP;
  otel_span_t *s = span_new(!recording                            ? BLOCK_NONRECORDING
                            : o->attr_count > SMALL_START_ATTRS ? BLOCK_RECORDING
                                                                : BLOCK_SMALL);
  if (!s) return &noop_span;
  s->tracer = tracer;
  s->data.context = ctx;
  s->data.kind = kind;
  if (has_parent) {
    memcpy(s->data.parent_span_id, parent.span_id, 8);
    s->data.parent_is_remote = parent.is_remote;
  }
  if (parent_ts && parent_ts[0]) {
    /* the tracestate travels with the trace; a non-recording span needs it too */
    s->data.trace_state = recording ? span_strdup(s, parent_ts, 0)
                                    : otel__arena_strdup(&s->arena, parent_ts);
  }
  if (recording) {
    const otel_span_limits_t *lim = &tp->limits;
    s->data.name = span_strdup(s, name, 0);
    s->data.start_time_ns = o->start_time_ns ? o->start_time_ns : otel_time_now_ns();
    s->data.resource = tp->resource;
    s->data.scope_name = tracer->name;
    s->data.scope_version = tracer->version;
    if (key_mode == KEY_STATIC_NEW) {
      for (size_t i = 0; i < o->attr_count; i++) {
        if (i < 32 && (literal_values >> i & 1)) span_put_literal(s, &o->attrs[i]);
        else span_set_attr(s, &o->attrs[i], KEY_STATIC_NEW);
      }
    } else {
      for (size_t i = 0; i < o->attr_count; i++)
        list_set_attr(s, &s->attrs, &s->data.attr_count, &s->attr_cap, &s->data.dropped_attrs,
                      lim->attribute_count, &o->attrs[i], key_mode);
    }
    for (size_t i = 0; i < o->link_count; i++) otel_span_add_link(s, &o->links[i]);
    s->data.attrs = s->attrs;
    /* only when a processor has on_start (none of ours): two locked
     * instructions a span otherwise */
    if (atomic_load_explicit(&tp->has_on_start, memory_order_relaxed)) {
      atomic_fetch_add(&tp->ends_in_flight, 1); /* see otel_span_end_at */
      if (!atomic_load(&tp->shut_down))
        for (size_t i = 0; i < tp->processor_count; i++) {
          otel_span_processor_t *p = tp->processors[i];
          if (p->type->on_start) p->type->on_start(p->ctx, s);
        }
      atomic_fetch_sub(&tp->ends_in_flight, 1);
    }
  }
  if (!o->no_activate && !context_full()) { /* new and unshared: no lock needed */
    atomic_store_explicit(&s->refs, 2, memory_order_relaxed); /* handle + current slot */
    context_stack[context_depth++] = s;
  }
  return s;
}

otel_span_t *otel_tracer_start_span(otel_tracer_t *tracer, const char *name,
                                    const otel_span_start_options_t *opts) {
  return start_span(tracer, name, opts, KEY_COPY, 0);
}

otel_span_t *otel__tracer_start_span_static(otel_tracer_t *tracer, const char *name,
                                            const otel_span_start_options_t *opts) {
  return start_span(tracer, name, opts, KEY_STATIC_NEW, 0);
}

otel_span_t *otel__tracer_start_span_literals(otel_tracer_t *tracer, const char *name,
                                              const otel_span_start_options_t *opts,
                                              uint32_t literal_values) {
  return start_span(tracer, name, opts, KEY_STATIC_NEW, literal_values);
}

/* ---- changes ---------------------------------------------------------------- */

static inline bool span_writable(const otel_span_t *s) {
  return s && s->recording && !atomic_load_explicit(&s->ended, memory_order_relaxed);
}

/* Locks a span for a change. False (and unlocked) when the span ended in
 * the meantime: otel_span_end_at() sets `ended` before it takes the lock,
 * so a change that gets the lock after the end sees it and does nothing. */
static inline bool span_lock_writable(otel_span_t *s) {
  span_lock(s);
  if (!atomic_load_explicit(&s->ended, memory_order_relaxed)) return true;
  span_unlock(s);
  return false;
}

static void set_attribute(otel_span_t *span, const otel_attr_t *attr, key_mode_t mode) {
  if (!span_writable(span)) return;
  if (!span_lock_writable(span)) return;
  span_set_attr(span, attr, mode);
  span->data.attrs = span->attrs;
  span_unlock(span);
}

void otel_span_set_attribute(otel_span_t *span, const otel_attr_t *attr) {
  set_attribute(span, attr, KEY_COPY);
}

void otel__span_set_attribute_static(otel_span_t *span, const otel_attr_t *attr) {
  set_attribute(span, attr, KEY_STATIC);
}

size_t otel__span_attr_count(otel_span_t *span) {
  if (!span || !span->recording) return 0;
  span_lock(span);
  size_t n = span->data.attr_count;
  span_unlock(span);
  return n;
}

void otel__span_set_attribute_static_new(otel_span_t *span, const otel_attr_t *attr, size_t known) {
  if (!span_writable(span)) return;
  if (!span_lock_writable(span)) return;
  span_set_attr(span, attr, span->data.attr_count == known ? KEY_STATIC_NEW : KEY_STATIC);
  span->data.attrs = span->attrs;
  span_unlock(span);
}

void otel_span_set_attributes(otel_span_t *span, const otel_attr_t *attrs, size_t n) {
  if (!span_writable(span) || !attrs || n == 0) return;
  if (!span_lock_writable(span)) return;
  for (size_t i = 0; i < n; i++)
    list_set_attr(span, &span->attrs, &span->data.attr_count, &span->attr_cap,
                  &span->data.dropped_attrs, span->tracer->provider->limits.attribute_count,
                  &attrs[i], KEY_COPY);
  span->data.attrs = span->attrs;
  span_unlock(span);
}

void otel_span_set_attribute_str(otel_span_t *span, const char *key, const char *value) {
  otel_span_set_attribute(span, &OTEL_ATTR_STR(key, value));
}
void otel_span_set_attribute_int(otel_span_t *span, const char *key, int64_t value) {
  otel_span_set_attribute(span, &OTEL_ATTR_INT(key, value));
}
void otel_span_set_attribute_double(otel_span_t *span, const char *key, double value) {
  otel_span_set_attribute(span, &OTEL_ATTR_DOUBLE(key, value));
}
void otel_span_set_attribute_bool(otel_span_t *span, const char *key, bool value) {
  otel_span_set_attribute(span, &OTEL_ATTR_BOOL(key, value));
}

/* Copies n attributes into a fresh list bounded by limit. Span locked. */
static void copy_attr_list(otel_span_t *s, const otel_attr_t *in, size_t n, uint32_t limit,
                           const otel_attr_t **out, size_t *out_count, uint32_t *dropped) {
  otel_attr_t *list = NULL;
  size_t count = 0, cap = 0;
  for (size_t i = 0; in && i < n; i++)
    list_set_attr(s, &list, &count, &cap, dropped, limit, &in[i], KEY_COPY);
  *out = list;
  *out_count = count;
}

void otel_span_add_event_at(otel_span_t *span, const char *name, uint64_t time_ns,
                            const otel_attr_t *attrs, size_t n) {
  if (!span_writable(span)) return;
  const otel_span_limits_t *lim = &span->tracer->provider->limits;
  if (!span_lock_writable(span)) return;
  if (span->data.event_count >= lim->event_count) {
    span->data.dropped_events++;
    span_unlock(span);
    return;
  }
  if (span->data.event_count == span->event_cap) {
    size_t ncap = span->event_cap ? span->event_cap * 2 : 4;
    otel_span_event_t *grown = otel__arena_alloc(&span->arena, ncap * sizeof(*grown));
    if (!grown) {
      span->data.dropped_events++;
      span_unlock(span);
      return;
    }
    if (span->data.event_count) memcpy(grown, span->events, span->data.event_count * sizeof(*grown));
    span->events = grown;
    span->event_cap = ncap;
    span->data.events = grown;
  }
  otel_span_event_t *ev = &span->events[span->data.event_count];
  memset(ev, 0, sizeof(*ev));
  ev->name = span_strdup(span, name, 0);
  ev->time_ns = time_ns ? time_ns : otel_time_now_ns();
  copy_attr_list(span, attrs, n, lim->event_attribute_count, &ev->attrs, &ev->attr_count,
                 &ev->dropped_attrs);
  if (ev->name) span->data.event_count++;
  else span->data.dropped_events++;
  span_unlock(span);
}

void otel_span_add_event(otel_span_t *span, const char *name, const otel_attr_t *attrs, size_t n) {
  otel_span_add_event_at(span, name, 0, attrs, n);
}

void otel_span_record_exception(otel_span_t *span, const char *type, const char *message) {
  if (!span_writable(span)) return;
  otel_attr_t attrs[] = {OTEL_ATTR_STR("exception.type", type ? type : "error"),
                         OTEL_ATTR_STR("exception.message", message ? message : "")};
  otel_span_add_event(span, "exception", attrs, 2);
  otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, message);
}

void otel_span_add_link(otel_span_t *span, const otel_span_link_t *link) {
  if (!span_writable(span) || !link || !otel_span_context_is_valid(&link->context)) return;
  const otel_span_limits_t *lim = &span->tracer->provider->limits;
  if (!span_lock_writable(span)) return;
  if (span->data.link_count >= lim->link_count) {
    span->data.dropped_links++;
    span_unlock(span);
    return;
  }
  if (span->data.link_count == span->link_cap) {
    size_t ncap = span->link_cap ? span->link_cap * 2 : 2;
    otel_span_link_data_t *grown = otel__arena_alloc(&span->arena, ncap * sizeof(*grown));
    if (!grown) {
      span->data.dropped_links++;
      span_unlock(span);
      return;
    }
    if (span->data.link_count) memcpy(grown, span->links, span->data.link_count * sizeof(*grown));
    span->links = grown;
    span->link_cap = ncap;
    span->data.links = grown;
  }
  otel_span_link_data_t *l = &span->links[span->data.link_count++];
  memset(l, 0, sizeof(*l));
  l->context = link->context;
  if (link->trace_state && link->trace_state[0]) l->trace_state = span_strdup(span, link->trace_state, 0);
  copy_attr_list(span, link->attrs, link->attr_count, lim->link_attribute_count, &l->attrs,
                 &l->attr_count, &l->dropped_attrs);
  span_unlock(span);
}

void otel_span_set_status(otel_span_t *span, otel_span_status_t status, const char *description) {
  if (!span_writable(span) || status == OTEL_SPAN_STATUS_UNSET) return;
  if (status != OTEL_SPAN_STATUS_OK && status != OTEL_SPAN_STATUS_ERROR) return;
  if (!span_lock_writable(span)) return;
  if (span->data.status != OTEL_SPAN_STATUS_OK) { /* OK is final */
    span->data.status = status;
    span->data.status_description =
        status == OTEL_SPAN_STATUS_ERROR && description && description[0]
            ? span_strdup(span, description, 0)
            : NULL;
  }
  span_unlock(span);
}

void otel_span_update_name(otel_span_t *span, const char *name) {
  if (!span_writable(span) || !name) return;
  if (!span_lock_writable(span)) return;
  const char *copy = span_strdup(span, name, 0);
  if (copy) span->data.name = copy;
  span_unlock(span);
}

/* ---- reads ------------------------------------------------------------------ */

bool otel_span_is_recording(const otel_span_t *span) { return span_writable(span); }

otel_span_context_t otel_span_get_context(const otel_span_t *span) {
  otel_span_context_t none = {.is_remote = false};
  return span ? span->data.context : none;
}

const char *otel_span_get_trace_state(const otel_span_t *span) {
  return span ? span->data.trace_state : NULL;
}

/* ---- end ---------------------------------------------------------------------- */

void otel_span_end_at(otel_span_t *span, uint64_t end_time_ns) {
  if (!span || span->is_static) return;
  /* One exchange: of two ends racing on two threads, exactly one goes on
   * (a load then a store let both through, each handing the span to the
   * processors and dropping its references: a double free). */
  if (atomic_load_explicit(&span->ended, memory_order_relaxed) ||
      atomic_exchange_explicit(&span->ended, true, memory_order_acq_rel))
    return;
  otel_tracer_provider_t *tp = NULL;
  unsigned to_processors = 0;
  if (span->recording) {
    span_lock(span); /* a change racing with end sees `ended`, or is done first */
    span->data.end_time_ns = end_time_ns ? end_time_ns : otel_time_now_ns();
    span_unlock(span);
    tp = span->tracer ? span->tracer->provider : NULL;
    /* Announce the hand-over before checking shut_down (both seq_cst):
     * shutdown sets the flag, then waits for hand-overs in flight to
     * finish, so no end touches a processor that shutdown frees. */
    if (tp) atomic_fetch_add(&tp->ends_in_flight, 1);
    if (tp && !atomic_load(&tp->shut_down)) {
      to_processors = (unsigned)tp->processor_count;
    } else if (tp) {
      atomic_fetch_sub(&tp->ends_in_flight, 1);
      tp = NULL;
    }
  }
  unsigned released = 1; /* the caller's handle */
  if (thread_current == span) { /* the common case: LIFO on one thread */
    context_stack[--context_depth] = NULL;
    released = 2; /* and the current slot's reference on the span */
  }
  pop_current(NULL);
  /* One atomic turns the released references into the processors' ones. */
  if (to_processors > released) {
    atomic_fetch_add_explicit(&span->refs, to_processors - released, memory_order_relaxed);
  } else if (to_processors < released) {
    if (refs_drop_last(span, released - to_processors)) { /* only when to_processors == 0 */
      if (tp) atomic_fetch_sub(&tp->ends_in_flight, 1);
      span_free(span); /* the last reference */
      return;
    }
  }
  for (unsigned i = 0; i < to_processors; i++) { /* each takes one reference */
    otel_span_processor_t *p = tp->processors[i];
    p->type->on_end(p->ctx, &span->data);
  }
  if (tp) atomic_fetch_sub(&tp->ends_in_flight, 1);
}

void otel_span_end(otel_span_t *span) { otel_span_end_at(span, 0); }
