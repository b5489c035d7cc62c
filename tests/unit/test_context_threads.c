/* test_context_threads.c: the current-span stack is per thread. One span
 * made current on two threads at once (a request span handed to a worker
 * thread) must leave each thread's stack as that thread built it: the
 * span's children on each thread have it as parent, deactivating it on one
 * thread gives back that thread's previous span, not the other thread's.
 * (The stack used to be linked through the spans: the second activation
 * overwrote the first one's link, and both threads' stacks were wrong.)
 * The threads take turns through a barrier: no sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "otel/trace.h"

static otel_tracer_provider_t *tp;
static otel_tracer_t *tracer;
static otel_span_t *shared;
static pthread_barrier_t turn;

static otel_span_exporter_t *memory;

struct seen {
  otel_span_context_t own;
  bool back_to_own;
};

static void *worker(void *arg) {
  struct seen *seen = arg;
  otel_span_t *own = otel_tracer_start_span(tracer, "own", NULL); /* current on this thread */
  seen->own = otel_span_get_context(own);
  pthread_barrier_wait(&turn); /* both have their own span current */
  otel_span_activate(shared);
  pthread_barrier_wait(&turn); /* the shared span is current on both */
  otel_span_end(otel_tracer_start_span(tracer, "child", &(otel_span_start_options_t){.no_activate = true}));
  pthread_barrier_wait(&turn);
  otel_span_deactivate(shared);
  otel_span_context_t now = otel_span_get_context(otel_span_current());
  seen->back_to_own = !memcmp(now.span_id, seen->own.span_id, 8);
  otel_span_end(own);
  otel_context_reset_thread();
  return NULL;
}

static void test_one_span_current_on_two_threads(void **state) {
  (void)state;
  assert_int_equal(otel_tracer_provider_create(NULL, &tp), OTEL_OK);
  memory = otel_memory_span_exporter_create();
  otel_span_processor_t *p;
  assert_int_equal(otel_simple_span_processor_create(memory, &p), OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(tp, p), OTEL_OK);
  tracer = otel_tracer_provider_get_tracer(tp, "ctx", "1");
  shared = otel_tracer_start_span(tracer, "shared", &(otel_span_start_options_t){.no_activate = true});
  pthread_barrier_init(&turn, NULL, 2);
  struct seen a = {0}, b = {0};
  pthread_t ta, tb;
  pthread_create(&ta, NULL, worker, &a);
  pthread_create(&tb, NULL, worker, &b);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  otel_span_context_t sc = otel_span_get_context(shared);
  size_t children = 0;
  for (size_t i = 0; i < otel_memory_span_exporter_count(memory); i++) {
    const otel_span_data_t *d = otel_memory_span_exporter_get(memory, i);
    if (strcmp(d->name, "child")) continue;
    children++;
    assert_memory_equal(d->parent_span_id, sc.span_id, 8); /* the shared span, on both threads */
  }
  assert_int_equal(children, 2);
  assert_true(a.back_to_own); /* each thread gets its own span back */
  assert_true(b.back_to_own);
  otel_span_end(shared);
  pthread_barrier_destroy(&turn);
  otel_tracer_provider_destroy(tp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_span_current_on_two_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
