/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_wire_request.c: the shape every OTLP export request shares, in the
 * wire format (see otlp_wire.h): items grouped by resource, then by
 * instrumentation scope, each in order of first appearance, as
 *   Export*ServiceRequest { 1: Resource*  { 1: Resource, 2: Scope* } }
 *   Scope*                { 1: InstrumentationScope, 2: item ... }
 * The span and log record encoders give the item-specific parts as
 * callbacks. A first pass groups and sizes, a second writes one buffer.
 * Resource and InstrumentationScope are few per request and packed with
 * protobuf-c (proto_resource.c).
 */
#include "otlp_wire.h"

#include "arena.h"
#include "proto_resource.h"

#include <stdlib.h>

typedef struct packed {
  uint8_t *data;
  size_t len;
} packed_t;

/* One Scope* message: its scope, its items (a chain through next[]), the
 * size of its content. */
typedef struct scope_group {
  size_t resource; /* index of its resource group */
  const void *item; /* the first item: its scope stands for the group's */
  packed_t scope;
  size_t first, last, size;
} scope_group_t;

typedef struct resource_group {
  const otel_resource_t *resource;
  packed_t packed;
  size_t size;
} resource_group_t;

/* message (a protobuf-c message; NULL when building it ran out of memory)
 * packed into the arena. .data is NULL when out of memory. */
static packed_t pack_message(otel__arena_t *a, const void *message) {
  const ProtobufCMessage *m = message;
  packed_t p = {NULL, 0};
  if (!m) return p;
  p.len = protobuf_c_message_get_packed_size(m);
  p.data = otel__arena_alloc(a, p.len ? p.len : 1);
  if (p.data) protobuf_c_message_pack(m, p.data);
  return p;
}

/* Groups are few: they start in a small array on the stack, doubled on
 * the heap if ever needed; the per-item arrays are not zeroed (the
 * arena's zeroing of arrays of one group per item cost more than the
 * grouping itself: callgrind counts it per byte). */
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

otel_err_t otel__wire_encode_request(const otel__wire_request_t *r, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  otel__arena_t a;
  otel__arena_init(&a, 16 * 1024);
  otel_err_t err = OTEL_ENOMEM;
  size_t slots = r->n ? r->n : 1, n_res = 0, n_scopes = 0, res_cap = LOCAL_GROUPS, scope_cap = LOCAL_GROUPS;
  resource_group_t res_local[LOCAL_GROUPS], *res = res_local;
  scope_group_t scope_local[LOCAL_GROUPS], *scopes = scope_local;
  size_t *next = malloc(2 * slots * sizeof(*next)); /* next item, same scope; then item content sizes */
  size_t *sizes = next ? next + slots : NULL;
  if (!next) goto out;

  /* pass 1: group, and size every item */
  for (size_t i = 0; i < OTEL__WIRE_PREFETCH_AHEAD; i++) prefetch(r, i);
  for (size_t i = 0; i < r->n; i++) {
    prefetch(r, i + OTEL__WIRE_PREFETCH_AHEAD);
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
      scopes[si] = (scope_group_t){.resource = ri, .item = item, .first = i};
      scopes[si].scope = pack_message(&a, otel__proto_scope(&a, name, version));
      if (!scopes[si].scope.data) goto out;
      n_scopes++;
    } else {
      next[scopes[si].last] = i;
    }
    scopes[si].last = i;
    next[i] = SIZE_MAX;
    sizes[i] = r->item_size(item);
    scopes[si].size += wire_len_field(2, sizes[i]);
  }
  size_t total = 0;
  for (size_t si = 0; si < n_scopes; si++) {
    scopes[si].size += wire_len_field(1, scopes[si].scope.len);
    res[scopes[si].resource].size += wire_len_field(2, scopes[si].size);
  }
  for (size_t ri = 0; ri < n_res; ri++) {
    res[ri].size += wire_len_field(1, res[ri].packed.len);
    total += wire_len_field(1, res[ri].size);
  }

  /* pass 2: write */
  uint8_t *buf = malloc(total ? total : 1), *p = buf;
  if (!buf) goto out;
  for (size_t ri = 0; ri < n_res; ri++) {
    p = wire_put_tag(p, 1, WIRE_LEN); /* resource_spans / resource_logs */
    p = wire_put_varint(p, res[ri].size);
    p = wire_put_bytes(p, 1, res[ri].packed.data, res[ri].packed.len);
    for (size_t si = 0; si < n_scopes; si++) {
      if (scopes[si].resource != ri) continue;
      p = wire_put_tag(p, 2, WIRE_LEN); /* scope_spans / scope_logs */
      p = wire_put_varint(p, scopes[si].size);
      p = wire_put_bytes(p, 1, scopes[si].scope.data, scopes[si].scope.len);
      /* no prefetch here: pass 1 has just read every item */
      for (size_t i = scopes[si].first; i != SIZE_MAX; i = next[i]) {
        p = wire_put_tag(p, 2, WIRE_LEN); /* spans / log_records */
        p = wire_put_varint(p, sizes[i]);
        p = r->put_item(p, r->items[i]);
      }
    }
  }
  if ((size_t)(p - buf) != total) { /* a size and its writing disagree: a bug, not data */
    free(buf);
    err = OTEL_EINVAL;
    goto out;
  }
  *out = buf;
  *out_len = total;
  err = OTEL_OK;
out:
  free(next);
  if (res != res_local) free(res);
  if (scopes != scope_local) free(scopes);
  otel__arena_cleanup(&a);
  return err;
}
