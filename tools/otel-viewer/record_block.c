/* SPDX-License-Identifier: Apache-2.0
 *
 * record_block.c: the strings and packed bytes of a stored span or log
 * record in one allocation. A span arrives with four strings and its
 * packed message; five mallocs per span (and five frees at eviction) were
 * a fifth of the viewer's time under load and kept glibc consolidating
 * its free lists. The record's pointers point into the block, which the
 * record owns as `mem` (the store frees it). The block also holds a copy
 * of the packed Resource and InstrumentationScope the record came with
 * (a few hundred bytes: cheaper than sharing them between records, and
 * the record stays one allocation).
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

/* Copies the n strings (NULL taken as "") and then the nb byte ranges
 * into one new block; out[i] receives each string's copy, bytes[k].data
 * each range's (never NULL, also for an empty range). Returns the block,
 * NULL when out of memory. */
static void *block_of(const char *const *s, char **out, size_t n, const vw_packed_t *src,
                      vw_packed_t *bytes, size_t nb) {
  size_t lens[8], total = 0;
  for (size_t i = 0; i < n; i++) total += (lens[i] = strlen(s[i] ? s[i] : "")) + 1;
  for (size_t k = 0; k < nb; k++) total += src[k].len;
  char *block = malloc(total ? total : 1);
  if (!block) return NULL;
  char *p = block;
  for (size_t i = 0; i < n; i++) {
    memcpy(p, s[i] ? s[i] : "", lens[i] + 1);
    out[i] = p;
    p += lens[i] + 1;
  }
  for (size_t k = 0; k < nb; k++) {
    if (src[k].len) memcpy(p, src[k].data, src[k].len);
    bytes[k] = (vw_packed_t){(uint8_t *)p, src[k].len};
    p += src[k].len;
  }
  return block;
}

bool vw_span_fill(vw_span_t *v, const char *service, const char *name,
                  const char *status_message, const char *attrs, const uint8_t *pb,
                  size_t pb_len, const vw_origin_t *origin) {
  const char *s[4] = {service, name, status_message, attrs};
  char *out[4];
  vw_packed_t src[3] = {{(uint8_t *)pb, pb_len}}, dst[3];
  if (origin) { src[1] = origin->resource; src[2] = origin->scope; }
  v->mem = block_of(s, out, 4, src, dst, 3);
  if (!v->mem) return false;
  v->service = out[0];
  v->name = out[1];
  v->status_message = out[2];
  v->attrs = out[3];
  v->pb = dst[0];
  v->origin = (vw_origin_t){dst[1], dst[2]};
  return true;
}

bool vw_log_fill(vw_log_t *l, const char *severity_text, const char *service, const char *body,
                 const uint8_t *pb, size_t pb_len, const vw_origin_t *origin) {
  const char *s[3] = {severity_text, service, body};
  char *out[3];
  vw_packed_t src[3] = {{(uint8_t *)pb, pb_len}}, dst[3];
  if (origin) { src[1] = origin->resource; src[2] = origin->scope; }
  l->mem = block_of(s, out, 3, src, dst, 3);
  if (!l->mem) return false;
  l->severity_text = out[0];
  l->service = out[1];
  l->body = out[2];
  l->pb = dst[0];
  l->origin = (vw_origin_t){dst[1], dst[2]};
  return true;
}
