/* SPDX-License-Identifier: Apache-2.0
 *
 * id_generator.c: random trace and span ids. Each thread has a
 * xoshiro256** generator seeded once from getrandom() (a getrandom call
 * costs ~270 ns; an id from the generator a few ns). A fork() bumps a
 * global generation so that the child reseeds instead of repeating the
 * parent's ids. Ids are never all zeros (W3C: invalid).
 */
#include "trace_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static atomic_uint fork_generation = 1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

struct rng {
  uint64_t s[4];
  unsigned generation;
};
static _Thread_local struct rng thread_rng;

static void on_fork_child(void) { atomic_fetch_add(&fork_generation, 1); }
static void register_atfork(void) { pthread_atfork(NULL, NULL, on_fork_child); }

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, unsigned generation) {
  uint64_t seed[4] = {0};
  if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
    /* No entropy source: mix time, pid and the thread's address. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^
                 ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)r;
    for (int i = 0; i < 4; i++) seed[i] = splitmix64(&x);
  }
  memcpy(r->s, seed, sizeof(seed));
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
  r->generation = generation;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* One xoshiro256** step on the state s. */
static inline __attribute__((always_inline)) uint64_t xoshiro_step(uint64_t s[4]) {
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static inline uint64_t rng_next(void) {
  struct rng *r = &thread_rng;
  unsigned gen = atomic_load_explicit(&fork_generation, memory_order_relaxed);
  if (__builtin_expect(r->generation != gen, 0)) {
    pthread_once(&atfork_once, register_atfork);
    rng_seed(r, gen);
  }
  return xoshiro_step(r->s);
}

void otel_generate_trace_id(uint8_t out[16]) {
  uint64_t a, b;
  do {
    a = rng_next();
    b = rng_next();
  } while (!(a | b));
  memcpy(out, &a, 8);
  memcpy(out + 8, &b, 8);
}

void otel_generate_span_id(uint8_t out[8]) {
  uint64_t a;
  do a = rng_next();
  while (!a);
  memcpy(out, &a, 8);
}

void otel__generate_span_ids(uint8_t trace_id[16], uint8_t span_id[8]) {
  /* one generation check and one pass over the state for all three words
   * (two calls cost twice the call and the checks: a third of an
   * unsampled span) */
  struct rng *r = &thread_rng;
  unsigned gen = atomic_load_explicit(&fork_generation, memory_order_relaxed);
  if (__builtin_expect(r->generation != gen, 0)) {
    pthread_once(&atfork_once, register_atfork);
    rng_seed(r, gen);
  }
  /* the state in registers for the whole call, stored back once */
  uint64_t st[4] = {r->s[0], r->s[1], r->s[2], r->s[3]}, w[3] = {0, 0, 0};
  w[0] = xoshiro_step(st);
  if (trace_id) {
    w[1] = xoshiro_step(st);
    w[2] = xoshiro_step(st);
  }
  memcpy(r->s, st, sizeof(st));
  if (__builtin_expect(!w[0], 0)) { /* never all zeros (W3C: invalid) */
    otel_generate_span_id(span_id);
  } else {
    memcpy(span_id, &w[0], 8);
  }
  if (!trace_id) return;
  if (__builtin_expect(!(w[1] | w[2]), 0)) {
    otel_generate_trace_id(trace_id);
  } else {
    memcpy(trace_id, &w[1], 8);
    memcpy(trace_id + 8, &w[2], 8);
  }
}
