/* test_batch_span_processor.c: the batch processor (batch_span_processor.c):
 * a full queue drops and counts without blocking, force_flush and shutdown
 * export everything pending, a stuck exporter never blocks span end.
 * The exporter here blocks on a condition the test releases: no sleeps.
 * Also: a producer filling the ring wakes the sleeping worker every time
 * (a lost wake-up would leave spans queued until the schedule delay), and
 * the worker exports whole batches, not each span that arrived meanwhile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "otel/trace.h"

/* An exporter that can be held: export waits while `held`. */
struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool held;
  bool entered;      /* an export call is waiting at the gate */
  size_t exported;
  size_t calls;
  size_t max_batch;
  otel_tracer_t *tracer_in_export; /* when set, the first export ends one span itself */
};

static otel_err_t gate_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  (void)spans;
  struct gate *g = ctx;
  pthread_mutex_lock(&g->lock);
  g->entered = true;
  pthread_cond_broadcast(&g->cond);
  while (g->held) pthread_cond_wait(&g->cond, &g->lock);
  g->exported += n;
  pthread_cond_broadcast(&g->cond);
  g->calls++;
  if (n > g->max_batch) g->max_batch = n;
  otel_tracer_t *t = g->calls == 1 ? g->tracer_in_export : NULL;
  pthread_mutex_unlock(&g->lock);
  if (t) otel_span_end(otel_tracer_start_span(t, "ended during an export", NULL));
  return OTEL_OK;
}

static const struct otel_span_exporter_type gate_type = {.name = "gate", .export_spans = gate_export};

static void gate_set(struct gate *g, bool held) {
  pthread_mutex_lock(&g->lock);
  g->held = held;
  pthread_cond_broadcast(&g->cond);
  pthread_mutex_unlock(&g->lock);
}

static void gate_wait_entered(struct gate *g) {
  pthread_mutex_lock(&g->lock);
  while (!g->entered) pthread_cond_wait(&g->cond, &g->lock);
  pthread_mutex_unlock(&g->lock);
}

struct fixture {
  struct gate gate;
  otel_tracer_provider_t *tp;
  otel_span_processor_t *bsp; /* borrowed from tp */
  otel_tracer_t *tracer;
};

static struct fixture *make(uint32_t queue, uint32_t batch, uint32_t delay_ms) {
  struct fixture *f = calloc(1, sizeof(*f));
  pthread_mutex_init(&f->gate.lock, NULL);
  pthread_cond_init(&f->gate.cond, NULL);
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.sampler = otel_sampler_always_on();
  assert_int_equal(otel_tracer_provider_create(&o, &f->tp), OTEL_OK);
  otel_batch_span_processor_options_t bo;
  otel_batch_span_processor_options_init(&bo);
  bo.max_queue_size = queue;
  bo.max_export_batch_size = batch;
  bo.schedule_delay_ms = delay_ms;
  assert_int_equal(otel_batch_span_processor_create(otel_span_exporter_create(&gate_type, &f->gate),
                                                    &bo, &f->bsp), OTEL_OK);
  otel_tracer_provider_add_processor(f->tp, f->bsp);
  f->tracer = otel_tracer_provider_get_tracer(f->tp, "bsp-test", NULL);
  return f;
}

static void destroy(struct fixture *f) {
  gate_set(&f->gate, false);
  otel_tracer_provider_destroy(f->tp);
  pthread_mutex_destroy(&f->gate.lock);
  pthread_cond_destroy(&f->gate.cond);
  free(f);
}

static void make_spans(otel_tracer_t *t, int n) {
  for (int i = 0; i < n; i++) otel_span_end(otel_tracer_start_span(t, "s", NULL));
}

static void test_batch_full_queue_drops_and_counts(void **state) {
  (void)state;
  struct fixture *f = make(8, 4, 60000);
  f->gate.held = true;
  make_spans(f->tracer, 4);                /* a whole batch wakes the worker... */
  gate_wait_entered(&f->gate);             /* ...which is now stuck exporting it */
  make_spans(f->tracer, 8 + 5);            /* fills the queue (8), drops 5 */
  otel_span_processor_stats_t st;
  otel_span_processor_get_stats(f->bsp, &st);
  assert_int_equal(st.queued, 12);
  assert_int_equal(st.dropped, 5);
  gate_set(&f->gate, false);
  assert_int_equal(otel_tracer_provider_force_flush(f->tp, 10000), OTEL_OK);
  assert_int_equal(f->gate.exported, 12);
  assert_true(f->gate.max_batch <= 4);
  otel_span_processor_get_stats(f->bsp, &st);
  assert_int_equal(st.exported, 12);
  destroy(f);
}

static void test_batch_stuck_exporter_never_blocks_span_end(void **state) {
  (void)state;
  struct fixture *f = make(16, 2, 60000);
  f->gate.held = true;
  make_spans(f->tracer, 2);
  gate_wait_entered(&f->gate);
  make_spans(f->tracer, 1000); /* would hang here if on_end waited */
  otel_span_processor_stats_t st;
  otel_span_processor_get_stats(f->bsp, &st);
  assert_int_equal(st.queued + st.dropped, 1002);
  destroy(f);
}

static void test_batch_force_flush_exports_pending_below_batch_size(void **state) {
  (void)state;
  struct fixture *f = make(2048, 512, 60000); /* the timer would take a minute */
  make_spans(f->tracer, 3);
  assert_int_equal(otel_tracer_provider_force_flush(f->tp, 10000), OTEL_OK);
  assert_int_equal(f->gate.exported, 3);
  destroy(f);
}

static void test_batch_shutdown_flushes_all(void **state) {
  (void)state;
  struct fixture *f = make(4096, 512, 60000);
  make_spans(f->tracer, 1500);
  struct gate *g = &f->gate;
  otel_tracer_provider_shutdown(f->tp, 10000);
  assert_int_equal(g->exported, 1500);
  destroy(f);
}

static void test_batch_schedule_delay_exports_without_flush(void **state) {
  (void)state;
  struct fixture *f = make(2048, 512, 10);
  make_spans(f->tracer, 1);
  /* waits for the timer-driven export by condition, bounded by the CI timeout */
  pthread_mutex_lock(&f->gate.lock);
  while (f->gate.exported < 1) pthread_cond_wait(&f->gate.cond, &f->gate.lock);
  pthread_mutex_unlock(&f->gate.lock);
  assert_int_equal(f->gate.exported, 1);
  destroy(f);
}

/* A span that ends while a batch is being exported waits for a whole
 * batch (or the schedule delay): the worker does not chase the producers
 * with exports of a span or two. Deterministic: the span ends inside the
 * first export, so the worker sees it the moment that export returns. */
static void test_batch_exports_whole_batches_not_what_arrived_meanwhile(void **state) {
  (void)state;
  struct fixture *f = make(64, 4, 600000);
  f->gate.tracer_in_export = f->tracer;
  make_spans(f->tracer, 4);    /* a batch: exported; one more span ends inside */
  pthread_mutex_lock(&f->gate.lock);
  while (f->gate.exported < 4) pthread_cond_wait(&f->gate.cond, &f->gate.lock);
  pthread_mutex_unlock(&f->gate.lock);
  make_spans(f->tracer, 3);    /* with the one above, the second batch */
  assert_int_equal(otel_tracer_provider_force_flush(f->tp, 10000), OTEL_OK);
  assert_int_equal(f->gate.exported, 8);
  assert_int_equal(f->gate.calls, 2); /* 4 + 4, not 4 + 1 + 3 */
  assert_int_equal(f->gate.max_batch, 4);
  destroy(f);
}

struct thread_arg {
  otel_tracer_t *tracer;
  int n;
};

static void *producer(void *p) {
  struct thread_arg *a = p;
  make_spans(a->tracer, a->n);
  otel_context_reset_thread();
  return NULL;
}

/* With a schedule delay of ten minutes, only the producers' wake-ups can
 * get spans exported. After a flood through a tiny ring, the worker must
 * have drained all but less than its wake threshold (a batch, 8) by itself. */
static void test_batch_flood_wakes_worker_every_time_nothing_stranded(void **state) {
  (void)state;
  struct fixture *f = make(64, 8, 600000);
  make_spans(f->tracer, 200000);
  otel_span_processor_stats_t st;
  otel_span_processor_get_stats(f->bsp, &st);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 20;
  pthread_mutex_lock(&f->gate.lock);
  int rc = 0;
  while (st.queued - f->gate.exported >= 8 && rc == 0)
    rc = pthread_cond_timedwait(&f->gate.cond, &f->gate.lock, &deadline);
  size_t stranded = st.queued - f->gate.exported;
  pthread_mutex_unlock(&f->gate.lock);
  assert_true(stranded < 8);
  assert_int_equal(st.queued + st.dropped, 200000);
  destroy(f);
}

static void test_batch_many_threads_lose_nothing_concurrent_safe(void **state) {
  (void)state;
  struct fixture *f = make(100000, 512, 5);
  pthread_t th[4];
  struct thread_arg arg = {f->tracer, 5000};
  for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, producer, &arg);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  assert_int_equal(otel_tracer_provider_force_flush(f->tp, 10000), OTEL_OK);
  assert_int_equal(f->gate.exported, 20000);
  destroy(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_full_queue_drops_and_counts),
      cmocka_unit_test(test_batch_stuck_exporter_never_blocks_span_end),
      cmocka_unit_test(test_batch_force_flush_exports_pending_below_batch_size),
      cmocka_unit_test(test_batch_shutdown_flushes_all),
      cmocka_unit_test(test_batch_schedule_delay_exports_without_flush),
      cmocka_unit_test(test_batch_exports_whole_batches_not_what_arrived_meanwhile),
      cmocka_unit_test(test_batch_many_threads_lose_nothing_concurrent_safe),
      cmocka_unit_test(test_batch_flood_wakes_worker_every_time_nothing_stranded),
  };
  return cmocka_run_group_tests_name("batch_span_processor", tests, NULL, NULL);
}
