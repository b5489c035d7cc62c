/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.c: bump allocation in linked blocks for protobuf-c message trees
 * (see arena.h). Allocations larger than a block get a block of their own.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct otel__arena_block {
  otel__arena_block_t *next;
  size_t size;
  size_t used;
  alignas(max_align_t) unsigned char data[];
};

void otel__arena_init(otel__arena_t *a, size_t block_size) {
  a->head = NULL;
  a->block_size = block_size ? block_size : 16384;
}

void *otel__arena_alloc(otel__arena_t *a, size_t n) {
  const size_t align = alignof(max_align_t);
  size_t need = (n + align - 1) & ~(align - 1);
  if (need == 0) need = align;
  otel__arena_block_t *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t size = need > a->block_size ? need : a->block_size;
    b = malloc(sizeof(*b) + size);
    if (!b) return NULL;
    b->size = size;
    b->used = 0;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += need;
  memset(p, 0, n);
  return p;
}

char *otel__arena_strdup(otel__arena_t *a, const char *s) {
  if (!s) s = "";
  size_t n = strlen(s) + 1;
  char *p = otel__arena_alloc(a, n);
  if (p) memcpy(p, s, n);
  return p;
}

void otel__arena_cleanup(otel__arena_t *a) {
  otel__arena_block_t *b = a->head;
  while (b) {
    otel__arena_block_t *next = b->next;
    free(b);
    b = next;
  }
  if (a->head) a->head = NULL; /* no store when empty: spans share no cache line needlessly */
}
