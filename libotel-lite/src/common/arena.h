/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.h: a bump allocator for memory that dies all at once: a protobuf-c
 * message tree being built before it is packed (metrics, resources and
 * scopes), the grouping tables of an OTLP request being written, a span's
 * overflow storage. Everything taken from the arena is freed at once by
 * otel__arena_cleanup(), so its users need no per-node free logic. Not
 * thread-safe: one arena per encoding or per span.
 */
#ifndef OTEL_ARENA_H
#define OTEL_ARENA_H

#include <stddef.h>

typedef struct otel__arena_block otel__arena_block_t;

typedef struct otel__arena {
  otel__arena_block_t *head; /* newest block first */
  size_t block_size;         /* default size of new blocks */
} otel__arena_t;

/* Initialises an empty arena (allocates nothing yet). */
void otel__arena_init(otel__arena_t *a, size_t block_size);
/* Returns zeroed memory aligned for any type, owned by the arena, or NULL
 * when out of memory. n == 0 returns a valid unique pointer. */
void *otel__arena_alloc(otel__arena_t *a, size_t n);
/* Copies s (NULL reads as "") into the arena; NULL when out of memory. */
char *otel__arena_strdup(otel__arena_t *a, const char *s);
/* Frees every block but the largest, which the calling thread keeps for its
 * next arena (freed when the thread exits); the arena can be used again. */
void otel__arena_cleanup(otel__arena_t *a);

#endif /* OTEL_ARENA_H */
