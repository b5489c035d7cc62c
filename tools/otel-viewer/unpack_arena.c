/* SPDX-License-Identifier: Apache-2.0
 *
 * unpack_arena.c: a protobuf-c allocator that serves a whole unpacked
 * request from one reusable block per thread. protobuf-c otherwise makes
 * one malloc per message, string and array of a request (thousands for a
 * batch of spans) and as many frees; under load that malloc traffic was
 * most of the viewer's time. Everything is released at once by
 * vw_unpack_arena_reset(); the block stays for the thread's next request
 * and is freed when the thread exits. A limit set for one request
 * (vw_unpack_arena_limit) makes allocations past it fail, so that nothing a
 * body says can make one request take more.
 */
#include "viewer.h"

#include <pthread.h>
#include <stdlib.h>

#define FIRST_BLOCK (256u * 1024u)
/* Larger blocks are not kept: every HTTP worker (128 of them) has its own
 * arena, so what each keeps is paid 128 times. 2 MiB holds an export of
 * 512 app spans decoded (about 5 bytes per wire byte, bench_viewer_decode);
 * a larger request pays one malloc and free of its block. */
#define KEEP_AT_MOST (2u * 1024u * 1024u)

typedef struct block {
  struct block *next;
  size_t size, used;
  _Alignas(max_align_t) unsigned char data[];
} block_t;

typedef struct arena {
  block_t *head;     /* current block; older ones follow */
  size_t total_used; /* over all blocks since the last reset */
  size_t limit;      /* at most this much until the reset; 0: none */
  bool exhausted;    /* an allocation was refused for the limit */
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
  a->head = NULL;
}

static void exit_key_create(void) { (void)pthread_key_create(&exit_key, on_thread_exit); }

static block_t *block_new(size_t size) {
  block_t *b = malloc(sizeof(*b) + size);
  if (!b) return NULL;
  b->next = NULL;
  b->size = size;
  b->used = 0;
  return b;
}

static void *arena_alloc(void *ctx, size_t n) {
  arena_t *a = ctx;
  size_t need = (n + _Alignof(max_align_t) - 1) & ~(size_t)(_Alignof(max_align_t) - 1);
  if (need == 0) need = _Alignof(max_align_t);
  if (need < n || (a->limit && (need > a->limit || a->total_used > a->limit - need))) {
    a->exhausted = true;
    return NULL;
  }
  block_t *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t size = b ? b->size * 2 : FIRST_BLOCK;
    while (size < need) size *= 2;
    block_t *nb = block_new(size);
    if (!nb) return NULL;
    if (!b) { /* the thread's first block: free it when the thread exits */
      pthread_once(&exit_key_once, exit_key_create);
      (void)pthread_setspecific(exit_key, a);
    }
    nb->next = b;
    a->head = b = nb;
  }
  void *p = b->data + b->used;
  b->used += need;
  a->total_used += need;
  return p;
}

static void arena_free(void *ctx, void *p) { (void)ctx, (void)p; /* all at once, in reset */ }

ProtobufCAllocator *vw_unpack_arena(void) {
  static _Thread_local ProtobufCAllocator allocator;
  allocator.alloc = arena_alloc;
  allocator.free = arena_free;
  allocator.allocator_data = &thread_arena;
  return &allocator;
}

void vw_unpack_arena_reset(void) {
  arena_t *a = &thread_arena;
  block_t *b = a->head;
  if (b && b->next) { /* the request needed several blocks: keep one big enough for all */
    size_t want = a->total_used;
    blocks_free(b);
    a->head = want <= KEEP_AT_MOST ? block_new(want) : NULL;
  } else if (b && b->size > KEEP_AT_MOST) {
    free(b);
    a->head = NULL;
  } else if (b) {
    b->used = 0;
  }
  a->total_used = 0;
  a->limit = 0;
  a->exhausted = false;
}

void vw_unpack_arena_limit(size_t max_bytes) {
  thread_arena.limit = max_bytes;
}

bool vw_unpack_arena_exhausted(void) { return thread_arena.exhausted; }
