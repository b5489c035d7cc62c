/* SPDX-License-Identifier: Apache-2.0
 *
 * span_pool.c: magazine allocator for span blocks (see span_pool.h).
 * Each thread has, per size class, one magazine to take from and one to
 * give back to (a block given back goes into the take magazine first
 * while it has room: freed on the thread that took it). A full "give" magazine goes onto the global stack of full
 * magazines; an empty "take" magazine is swapped for a full one from that
 * stack, or filled by malloc. The global stack is capped, beyond which
 * blocks are freed, so memory follows the peak of spans in flight. A
 * thread's magazines go back to the global stack when the thread exits.
 * Empty magazines are kept on a second global stack, traded in the same
 * critical sections (a taker leaves its empty one when it takes a full
 * one; a giver picks one up when it leaves a full one), so the steady
 * state makes no calloc or free of magazines either.
 */
#include "span_pool.h"

#include <pthread.h>
#include <stdlib.h>

/* Each thread that makes spans keeps up to a magazine to take from: with
 * 64 a server's 16 busy worker threads sat on about 370 idle blocks
 * (0.5 MB), and a server with 128 could keep 8k; 16 costs one global lock
 * per 16 spans instead of 64. */
#define MAG_SIZE OTEL__SPAN_POOL_MAGAZINE
#define MAX_GLOBAL_MAGS 1024 /* up to 16k pooled blocks per class */

typedef struct magazine {
  struct magazine *next;
  size_t count;
  void *blocks[MAG_SIZE];
} magazine_t;

typedef struct thread_mags {
  magazine_t *take[OTEL__SPAN_POOL_CLASSES];
  magazine_t *give[OTEL__SPAN_POOL_CLASSES];
  int registered;
} thread_mags_t;

static size_t class_size[OTEL__SPAN_POOL_CLASSES];
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static magazine_t *global_full[OTEL__SPAN_POOL_CLASSES];
static size_t global_count[OTEL__SPAN_POOL_CLASSES];
static magazine_t *global_empty; /* any class: a magazine is only pointers */
static size_t empty_count;
#define MAX_EMPTY_MAGS MAX_GLOBAL_MAGS /* 144 bytes each */
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static _Thread_local thread_mags_t mags;

void otel__span_pool_set_size(int c, size_t size) { class_size[c] = size; }

static void free_magazine(magazine_t *m) {
  for (size_t i = 0; i < m->count; i++) free(m->blocks[i]);
  free(m);
}

/* Pushes a magazine with blocks onto the global stack (or frees it). */
static void push_global(int c, magazine_t *m) {
  if (!m) return;
  if (m->count == 0) {
    free(m);
    return;
  }
  pthread_mutex_lock(&global_lock);
  if (global_count[c] < MAX_GLOBAL_MAGS) {
    m->next = global_full[c];
    global_full[c] = m;
    global_count[c]++;
    m = NULL;
  }
  pthread_mutex_unlock(&global_lock);
  if (m) free_magazine(m);
}

/* Leaves the full magazine m on the global stack (or frees it, blocks and
 * all, beyond the cap) and returns an empty one from the empty stack, or
 * NULL: one trip through the lock for both. */
static magazine_t *trade_full(int c, magazine_t *m) {
  pthread_mutex_lock(&global_lock);
  if (global_count[c] < MAX_GLOBAL_MAGS) {
    m->next = global_full[c];
    global_full[c] = m;
    global_count[c]++;
    m = NULL;
  }
  magazine_t *empty = global_empty;
  if (empty) {
    global_empty = empty->next;
    empty_count--;
  }
  pthread_mutex_unlock(&global_lock);
  if (m) free_magazine(m);
  return empty;
}

static void on_thread_exit(void *unused) {
  (void)unused;
  for (int c = 0; c < OTEL__SPAN_POOL_CLASSES; c++) {
    push_global(c, mags.take[c]);
    push_global(c, mags.give[c]);
    mags.take[c] = mags.give[c] = NULL;
  }
}

static void make_exit_key(void) { pthread_key_create(&exit_key, on_thread_exit); }

static void register_thread(void) {
  pthread_once(&exit_key_once, make_exit_key);
  pthread_setspecific(exit_key, &mags); /* any non-NULL value runs the destructor */
  mags.registered = 1;
}

void *otel__span_pool_get(int c) {
  magazine_t *m = mags.take[c];
  if (m && m->count) return m->blocks[--m->count];
  if (!mags.registered) register_thread();
  pthread_mutex_lock(&global_lock);
  magazine_t *full = global_full[c];
  if (full) {
    global_full[c] = full->next;
    global_count[c]--;
    if (m && empty_count < MAX_EMPTY_MAGS) { /* ours is empty: for a giver */
      m->next = global_empty;
      global_empty = m;
      empty_count++;
      m = NULL;
    }
  }
  pthread_mutex_unlock(&global_lock);
  if (full) {
    free(m); /* NULL, unless the empty stack was full */
    mags.take[c] = full;
    return full->blocks[--full->count];
  }
  return malloc(class_size[c]);
}

void otel__span_pool_put(int c, void *block) {
  /* a block freed on the thread that takes (a span that was not sampled,
   * or dropped): back into the magazine it came from, last in first out,
   * so that the next span reuses it still in cache, with no trip through
   * the global stack */
  magazine_t *m = mags.take[c];
  if (m && m->count < MAG_SIZE) {
    m->blocks[m->count++] = block;
    return;
  }
  m = mags.give[c];
  if (!m) {
    if (!mags.registered) register_thread();
    m = mags.give[c] = calloc(1, sizeof(*m));
    if (!m) {
      free(block);
      return;
    }
  }
  m->blocks[m->count++] = block;
  if (m->count == MAG_SIZE) mags.give[c] = trade_full(c, m);
}
