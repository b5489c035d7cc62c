/* test_span_pool.c: the span block pool (span_pool.c). Blocks come and go
 * in magazines (OTEL__SPAN_POOL_MAGAZINE blocks): a full magazine given back on one thread (the
 * exporter's) is the next one taken on any thread (the application's),
 * block for block, last in first out, with no malloc or free in between;
 * a thread's magazines are kept when it exits; the two size classes are
 * kept apart. Each case runs on fresh threads, whose magazines start
 * empty. (A pool that freed and malloc'd instead would hand the blocks
 * back in another order, some of them not at all.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "span_pool.h"

#define MAG OTEL__SPAN_POOL_MAGAZINE

typedef struct job {
  int size_class;
  void *blocks[MAG];
} job_t;

static void *take(void *arg) {
  job_t *j = arg;
  for (int i = 0; i < MAG; i++) j->blocks[i] = otel__span_pool_get(j->size_class);
  return NULL;
}

static void *give(void *arg) {
  job_t *j = arg;
  for (int i = 0; i < MAG; i++) otel__span_pool_put(j->size_class, j->blocks[i]);
  return NULL;
}

static void *take_then_give(void *arg) {
  take(arg);
  return give(arg);
}

static void on_thread(void *(*fn)(void *), job_t *j) {
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, fn, j), 0);
  pthread_join(t, NULL);
}

static int setup(void **state) {
  (void)state;
  otel__span_pool_set_size(0, 64);
  otel__span_pool_set_size(1, 512);
  return 0;
}

static void test_full_magazine_goes_to_the_next_taker(void **state) {
  (void)state;
  job_t made = {.size_class = 1}, again = {.size_class = 1};
  on_thread(take_then_give, &made); /* a magazine of blocks made, then given back */
  for (int i = 0; i < MAG; i++) {
    assert_non_null(made.blocks[i]);
    memset(made.blocks[i], 0xab, 512); /* the whole class size is usable */
  }
  on_thread(take, &again); /* another thread takes that magazine */
  for (int i = 0; i < MAG; i++) assert_ptr_equal(again.blocks[i], made.blocks[MAG - 1 - i]);
  on_thread(give, &again);
}

static void test_blocks_freed_on_another_thread_come_back(void **state) {
  (void)state;
  job_t app = {.size_class = 0}, later = {.size_class = 0};
  on_thread(take, &app);  /* the application's thread makes spans */
  on_thread(give, &app);  /* the exporter's thread frees them, then exits */
  on_thread(take, &later);
  for (int i = 0; i < MAG; i++) assert_ptr_equal(later.blocks[i], app.blocks[MAG - 1 - i]);
  on_thread(give, &later);
}

static void test_classes_are_kept_apart(void **state) {
  (void)state;
  job_t small = {.size_class = 0}, big = {.size_class = 1};
  on_thread(take_then_give, &small);
  on_thread(take, &big); /* class 1 never gets class 0's magazine */
  for (int i = 0; i < MAG; i++)
    for (int k = 0; k < MAG; k++) assert_ptr_not_equal(big.blocks[i], small.blocks[k]);
  on_thread(give, &big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_magazine_goes_to_the_next_taker),
      cmocka_unit_test(test_blocks_freed_on_another_thread_come_back),
      cmocka_unit_test(test_classes_are_kept_apart),
  };
  return cmocka_run_group_tests_name("span_pool", tests, setup, NULL);
}
