/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.c: bump allocation in linked blocks for memory freed all at once
 * (see arena.h). Blocks double in size as an arena grows (up to
 * MAX_GROWN_BLOCK; larger allocations get a block of their own). Each
 * thread keeps the largest block of its last arena as a spare for its next
 * one: an exporter encodes a batch of the same size again and again, and
 * without the spare every batch went back to malloc for fresh pages, which
 * the kernel had to fault in (a third of the encoding time).
 */
#include "arena.h"

#include <pthread.h>
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

#define MAX_GROWN_BLOCK (1u << 20)
#define MAX_SPARE_BLOCK (4u << 20) /* larger blocks go back to malloc */

static _Thread_local otel__arena_block_t *spare; /* this thread's kept block */
static pthread_key_t spare_key;                  /* frees it at thread exit */
static pthread_once_t spare_key_once = PTHREAD_ONCE_INIT;

static void spare_free_at_exit(void *unused) {
  (void)unused;
  free(spare);
  spare = NULL;
}

static void spare_key_create(void) { (void)pthread_key_create(&spare_key, spare_free_at_exit); }

static void spare_keep(otel__arena_block_t *b) {
  if (!spare) { /* the thread's first spare: arrange for it to be freed */
    pthread_once(&spare_key_once, spare_key_create);
    (void)pthread_setspecific(spare_key, b);
  }
  free(spare);
  spare = b;
}

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
    if (spare && spare->size >= need) {
      b = spare;
      spare = NULL;
    } else {
      size_t size = b ? (b->size < MAX_GROWN_BLOCK ? 2 * b->size : b->size) : a->block_size;
      if (size < need) size = need;
      b = malloc(sizeof(*b) + size);
      if (!b) return NULL;
      b->size = size;
    }
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
  otel__arena_block_t *keep = NULL;
  for (otel__arena_block_t *b = a->head; b; b = b->next)
    if (b->size <= MAX_SPARE_BLOCK && (!keep || b->size > keep->size)) keep = b;
  if (keep && spare && spare->size >= keep->size) keep = NULL; /* the spare is better */
  otel__arena_block_t *b = a->head;
  while (b) {
    otel__arena_block_t *next = b->next;
    if (b == keep) spare_keep(b);
    else free(b);
    b = next;
  }
  if (a->head) a->head = NULL; /* no store when empty: spans share no cache line needlessly */
}
