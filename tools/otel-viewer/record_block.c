/* SPDX-License-Identifier: Apache-2.0
 *
 * record_block.c: the strings and packed bytes of a stored span or log
 * record in one allocation. A span arrives with four strings and its
 * packed message; five mallocs per span (and five frees at eviction) were
 * a fifth of the viewer's time under load and kept glibc consolidating
 * its free lists. The record's pointers point into the block, which the
 * record owns as `mem` (the store frees it).
 */
#include "viewer.h"

#include <stdlib.h>
#include <string.h>

/* Copies the n strings (NULL taken as "") and then len bytes of data into
 * one new block; out[i] receives each string's copy, *bytes the data's.
 * Returns the block, NULL when out of memory. */
static void *block_of(const char *const *s, char **out, size_t n, const uint8_t *data,
                      size_t len, uint8_t **bytes) {
  size_t lens[8], total = len;
  for (size_t i = 0; i < n; i++) total += (lens[i] = strlen(s[i] ? s[i] : "")) + 1;
  char *block = malloc(total ? total : 1);
  if (!block) return NULL;
  char *p = block;
  for (size_t i = 0; i < n; i++) {
    memcpy(p, s[i] ? s[i] : "", lens[i] + 1);
    out[i] = p;
    p += lens[i] + 1;
  }
  if (len) memcpy(p, data, len);
  *bytes = len ? (uint8_t *)p : NULL;
  return block;
}

bool vw_span_fill(vw_span_t *v, const char *service, const char *name,
                  const char *status_message, const char *attrs, const uint8_t *pb,
                  size_t pb_len) {
  const char *s[4] = {service, name, status_message, attrs};
  char *out[4];
  v->mem = block_of(s, out, 4, pb, pb_len, &v->pb.data);
  if (!v->mem) return false;
  v->service = out[0];
  v->name = out[1];
  v->status_message = out[2];
  v->attrs = out[3];
  v->pb.len = pb_len;
  return true;
}

bool vw_log_fill(vw_log_t *l, const char *severity_text, const char *service, const char *body,
                 const uint8_t *pb, size_t pb_len) {
  const char *s[3] = {severity_text, service, body};
  char *out[3];
  l->mem = block_of(s, out, 3, pb, pb_len, &l->pb.data);
  if (!l->mem) return false;
  l->severity_text = out[0];
  l->service = out[1];
  l->body = out[2];
  l->pb.len = pb_len;
  return true;
}
