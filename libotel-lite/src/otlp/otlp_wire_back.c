/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_wire_back.c: the backward wire writer's buffer growth, attributes
 * (KeyValue / AnyValue) and the
 * request shape every OTLP export shares, in one backward pass (see
 * otlp_wire_back.h):
 *   Export*ServiceRequest { 1: Resource*  { 1: Resource, 2: Scope* } }
 *   Scope*                { 1: InstrumentationScope, 2: item ... }
 * items grouped by resource, then by scope, each in order of first
 * appearance.
 */
#include "otlp_wire_back.h"

#include "arena.h"
#include "internal.h"
#include "proto_resource.h"

#include <stdlib.h>

bool otel__wback_grow(otel__wback_t *w, size_t need) {
  if (w->failed) return false;
  size_t written = otel__wback_len(w), cap = (size_t)(w->end - w->buf);
  size_t want = cap * 2 > written + need + 256 ? cap * 2 : written + need + 256;
  uint8_t *nb = malloc(want);
  if (!nb) {
    w->failed = true;
    return false;
  }
  if (written) memcpy(nb + want - written, w->p, written);
  free(w->buf);
  w->buf = nb;
  w->end = nb + want;
  w->p = w->end - written;
  return true;
}

/* ---- attributes ------------------------------------------------------------------ */

/* A string field: s as it is (valid) or with U+FFFD for each bad byte. */
static void string_field(otel__wback_t *w, unsigned field, const char *s, bool valid) {
  if (!s) s = "";
  size_t len = strlen(s), n = valid ? len : otel__utf8_clean_len(s, len);
  if (!otel__wback_room(w, n + 12)) return;
  wb_text(w, s, len, n);
  wb_header(w, field, n);
}

/* The AnyValue content of one scalar: string 1, bool 2, int 3, double 4
 * (the oneof member written even at its default value). */
static void scalar(otel__wback_t *w, otel_attr_type_t type, const void *item, bool valid) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY: string_field(w, 1, *(const char *const *)item, valid); return;
  default: break;
  }
  if (!otel__wback_room(w, 12)) return;
  switch (type) {
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_BOOL_ARRAY:
    wb_varint(w, *(const bool *)item ? 1 : 0);
    wb_tag(w, 2, WIRE_VARINT);
    return;
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_INT_ARRAY:
    wb_varint(w, (uint64_t) * (const int64_t *)item);
    wb_tag(w, 3, WIRE_VARINT);
    return;
  default: {
    uint64_t bits;
    memcpy(&bits, item, sizeof bits);
    wb_fixed64(w, 4, bits);
  }
  }
}

/* AnyValue content of an attribute: a scalar, or ArrayValue 5 { AnyValue
 * values = 1 ... }. */
static void any(otel__wback_t *w, const otel_attr_t *a, bool valid) {
  size_t isz = otel__attr_item_size(a->type);
  if (!isz) {
    scalar(w, a->type, a->type == OTEL_ATTR_TYPE_STRING ? (const void *)&a->value.s : (const void *)&a->value,
           valid);
    return;
  }
  size_t n = a->value.array.items ? a->value.array.len : 0, array_mark = otel__wback_len(w);
  const unsigned char *src = a->value.array.items;
  for (size_t i = n; i-- > 0;) {
    size_t mark = otel__wback_len(w);
    scalar(w, a->type, src + i * isz, valid);
    if (!otel__wback_room(w, 12)) return;
    wb_header(w, 1, otel__wback_len(w) - mark);
  }
  if (!otel__wback_room(w, 12)) return;
  wb_header(w, 5, otel__wback_len(w) - array_mark);
}

void otel__wback_attrs(otel__wback_t *w, unsigned field, const otel_attr_t *attrs, size_t n, bool valid) {
  for (size_t i = n; i-- > 0;) {
    const otel_attr_t *a = &attrs[i];
    if (!a->key || !a->key[0]) continue;
    size_t key_len = strlen(a->key), key_n = valid ? key_len : otel__utf8_clean_len(a->key, key_len);
    uint8_t *p, *kv_end;
    if (a->type == OTEL_ATTR_TYPE_STRING) { /* the common case: one room for the whole KeyValue */
      const char *s = a->value.s ? a->value.s : "";
      size_t len = strlen(s), clean = valid ? len : otel__utf8_clean_len(s, len);
      if (!otel__wback_room(w, key_n + clean + 5 * 12)) return;
      p = kv_end = w->p;
      p = bk_text(p, s, len, clean);
      p = bk_header(p, 1, clean);                  /* AnyValue.string_value */
      p = bk_header(p, 2, (size_t)(kv_end - p));   /* KeyValue.value */
    } else if (a->type == OTEL_ATTR_TYPE_INT) {
      if (!otel__wback_room(w, key_n + 5 * 12)) return;
      p = kv_end = w->p;
      p = bk_tag(bk_varint(p, (uint64_t)a->value.i), 3, WIRE_VARINT);
      p = bk_header(p, 2, (size_t)(kv_end - p));
    } else {
      size_t kv_mark = otel__wback_len(w);
      any(w, a, valid);
      if (!otel__wback_room(w, key_n + 4 * 12)) return;
      wb_header(w, 2, otel__wback_len(w) - kv_mark);
      p = w->p;
      kv_end = w->end - kv_mark;
    }
    p = bk_text(p, a->key, key_len, key_n);
    p = bk_header(p, 1, key_n);
    w->p = bk_header(p, field, (size_t)(kv_end - p));
  }
}

/* ---- the request ----------------------------------------------------------------- */

typedef struct packed {
  uint8_t *data;
  size_t len;
} packed_t;

typedef struct scope_group {
  size_t resource;  /* index of its resource group */
  const void *item; /* the first item: its scope stands for the group's */
  packed_t scope;
  size_t last;      /* its last item; prev[] leads back to its first */
} scope_group_t;

typedef struct resource_group {
  const otel_resource_t *resource;
  packed_t packed;
} resource_group_t;

static packed_t pack_message(otel__arena_t *a, const void *message) {
  const ProtobufCMessage *m = message;
  packed_t p = {NULL, 0};
  if (!m) return p;
  p.len = protobuf_c_message_get_packed_size(m);
  p.data = otel__arena_alloc(a, p.len ? p.len : 1);
  if (p.data) protobuf_c_message_pack(m, p.data);
  return p;
}

/* Groups are few (a resource or two, a scope per instrumentation
 * library): they start in a small array on the stack, which doubles on
 * the heap if ever needed. (Arrays of one group per item, zeroed by the
 * arena, cost more than the rest of the grouping: callgrind counts the
 * zeroing per byte.) */
#define LOCAL_GROUPS 8

static bool grow_groups(void **groups, void *local, size_t *cap, size_t size) {
  void *bigger = malloc(2 * *cap * size);
  if (!bigger) return false;
  memcpy(bigger, *groups, *cap * size);
  if (*groups != local) free(*groups);
  *groups = bigger;
  *cap *= 2;
  return true;
}

static void prefetch(const otel__wire_request_t *r, size_t i) {
  if (r->prefetch && i < r->n) r->prefetch(r->items[i]);
}

otel_err_t otel__wback_encode_request(const otel__wback_request_t *rb, uint8_t **base, uint8_t **data,
                                      size_t *len) {
  const otel__wire_request_t *r = &rb->req;
  *base = *data = NULL;
  *len = 0;
  otel__arena_t a;
  otel__arena_init(&a, 16 * 1024);
  otel_err_t err = OTEL_ENOMEM;
  otel__wback_t w = {NULL, NULL, NULL, false};
  size_t n_res = 0, n_scopes = 0, res_cap = LOCAL_GROUPS, scope_cap = LOCAL_GROUPS;
  resource_group_t res_local[LOCAL_GROUPS], *res = res_local;
  scope_group_t scope_local[LOCAL_GROUPS], *scopes = scope_local;
  size_t *prev = malloc((r->n ? r->n : 1) * sizeof(*prev)); /* previous item, same scope */
  if (!prev) goto out;

  /* group: resources, then scopes, in order of first appearance */
  for (size_t i = 0; i < r->n; i++) {
    const void *item = r->items[i];
    const otel_resource_t *resource = r->resource_of(item);
    size_t ri = 0, si = 0;
    while (ri < n_res && res[ri].resource != resource) ri++;
    if (ri == n_res) {
      if (n_res == res_cap && !grow_groups((void **)&res, res_local, &res_cap, sizeof(*res))) goto out;
      res[ri] = (resource_group_t){.resource = resource};
      res[ri].packed = pack_message(&a, otel__proto_resource(&a, resource));
      if (!res[ri].packed.data) goto out;
      n_res++;
    }
    while (si < n_scopes && !(scopes[si].resource == ri && r->same_scope(scopes[si].item, item))) si++;
    if (si == n_scopes) {
      if (n_scopes == scope_cap && !grow_groups((void **)&scopes, scope_local, &scope_cap, sizeof(*scopes)))
        goto out;
      const char *name, *version;
      r->scope_of(item, &name, &version);
      scopes[si] = (scope_group_t){.resource = ri, .item = item};
      scopes[si].scope = pack_message(&a, otel__proto_scope(&a, name, version));
      if (!scopes[si].scope.data) goto out;
      prev[i] = SIZE_MAX;
      n_scopes++;
    } else {
      prev[i] = scopes[si].last;
    }
    scopes[si].last = i;
  }

  /* write, last byte first */
  size_t per_item = rb->size_hint ? atomic_load_explicit(rb->size_hint, memory_order_relaxed) : 0;
  size_t cap = r->n * (per_item ? per_item + per_item / 4 : 512) + 1024;
  w.buf = malloc(cap);
  if (!w.buf) goto out;
  w.end = w.p = w.buf + cap;
  for (size_t ri = n_res; ri-- > 0;) {
    size_t res_mark = otel__wback_len(&w);
    for (size_t si = n_scopes; si-- > 0;) {
      if (scopes[si].resource != ri) continue;
      size_t scope_mark = otel__wback_len(&w);
      size_t i = scopes[si].last;
      for (size_t k = 0; k < OTEL__WIRE_PREFETCH_AHEAD && i != SIZE_MAX; k++) prefetch(r, i - k);
      for (; i != SIZE_MAX; i = prev[i]) {
        if (i >= OTEL__WIRE_PREFETCH_AHEAD) prefetch(r, i - OTEL__WIRE_PREFETCH_AHEAD);
        size_t item_mark = otel__wback_len(&w);
        rb->put_item_back(&w, r->items[i]);
        if (!otel__wback_room(&w, 12)) goto out;
        wb_header(&w, 2, otel__wback_len(&w) - item_mark); /* spans / log_records */
      }
      if (!otel__wback_room(&w, scopes[si].scope.len + 2 * 12)) goto out;
      wb_bytes(&w, 1, scopes[si].scope.data, scopes[si].scope.len);
      wb_header(&w, 2, otel__wback_len(&w) - scope_mark); /* scope_spans / scope_logs */
    }
    if (!otel__wback_room(&w, res[ri].packed.len + 2 * 12)) goto out;
    wb_bytes(&w, 1, res[ri].packed.data, res[ri].packed.len);
    wb_header(&w, 1, otel__wback_len(&w) - res_mark); /* resource_spans / resource_logs */
  }
  if (w.failed) goto out;
  if (rb->size_hint && r->n)
    atomic_store_explicit(rb->size_hint, otel__wback_len(&w) / r->n + 1, memory_order_relaxed);
  *base = w.buf;
  *data = w.p;
  *len = otel__wback_len(&w);
  w.buf = NULL;
  err = OTEL_OK;
out:
  free(w.buf);
  free(prev);
  if (res != res_local) free(res);
  if (scopes != scope_local) free(scopes);
  otel__arena_cleanup(&a);
  return err;
}
