/* test_shutdown_races.c: telemetry made on application threads while the
 * providers shut down is safe, and nothing is lost when nothing has to be.
 *
 * - 1,000 rounds: threads start and end spans, emit log records and
 *   record metrics while the main thread shuts the three providers down
 *   (a span end used to reach a processor that shutdown had freed). Run it
 *   under AddressSanitizer (make test SANITIZE=1) and ThreadSanitizer
 *   (make tsan): a race or a use after free fails it there.
 * - Totals: spans ended on many threads into the batch processor, log
 *   records emitted on many threads into the batch log processor, and
 *   counter additions made while a reader collects (delta temporality, so
 *   each collection takes what was added since the last) all arrive, each
 *   exactly once, when the queues are large enough that nothing drops.
 * Synchronisation is by joins and flags, never by sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include <cmocka.h>

#include "otel/logs.h"
#include "otel/metrics.h"
#include "otel/trace.h"

#define ROUNDS 1000
#define THREADS 4

/* ---- an exporter that only counts ------------------------------------------- */

static atomic_size_t spans_seen;
static otel_err_t count_spans(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  (void)ctx, (void)spans;
  atomic_fetch_add(&spans_seen, n);
  return OTEL_OK;
}
static const struct otel_span_exporter_type count_span_type = {.name = "count",
                                                               .export_spans = count_spans};

static atomic_size_t records_seen;
static otel_err_t count_records(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  (void)ctx, (void)recs;
  atomic_fetch_add(&records_seen, n);
  return OTEL_OK;
}
static const struct otel_log_exporter_type count_log_type = {.name = "count",
                                                             .export_records = count_records};

static atomic_llong sum_seen;
static otel_err_t add_points(void *ctx, const otel_metric_batch_t *b) {
  (void)ctx;
  for (size_t i = 0; i < b->stream_count; i++)
    for (size_t j = 0; j < b->streams[i].point_count; j++) atomic_fetch_add(&sum_seen, b->streams[i].points[j].as_int);
  return OTEL_OK;
}
static const struct otel_metric_exporter_type add_type = {.name = "add", .export_metrics = add_points};

/* ---- shutdown while threads make telemetry ------------------------------------- */

struct world {
  otel_tracer_provider_t *tp;
  otel_logger_provider_t *lp;
  otel_meter_provider_t *mp;
  otel_tracer_t *tracer;
  otel_logger_t *logger;
  otel_instrument_t *counter;
  atomic_bool stop;
  atomic_int running;
};

static void *make_telemetry(void *arg) {
  struct world *w = arg;
  atomic_fetch_add(&w->running, 1);
  while (!atomic_load(&w->stop)) {
    otel_span_t *s = otel_tracer_start_span(w->tracer, "racing", NULL);
    otel_log_info(w->logger, "during shutdown");
    otel_counter_add(w->counter, 1, NULL, 0);
    otel_span_end(s);
    sched_yield(); /* 2 cores, 4 threads: let shutdown's threads run */
  }
  return NULL;
}

static void one_round(void) {
  struct world w = {0};
  assert_int_equal(otel_tracer_provider_create(NULL, &w.tp), OTEL_OK);
  otel_span_processor_t *p;
  assert_int_equal(otel_batch_span_processor_create(otel_span_exporter_create(&count_span_type, NULL),
                                                    NULL, &p),
                   OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(w.tp, p), OTEL_OK);
  w.tracer = otel_tracer_provider_get_tracer(w.tp, "race", "1");
  otel_logger_provider_options_t lo;
  otel_logger_provider_options_init(&lo);
  assert_int_equal(otel_logger_provider_create(&lo, &w.lp), OTEL_OK);
  otel_log_processor_t *lproc;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&count_log_type, NULL), NULL, &lproc), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(w.lp, lproc), OTEL_OK);
  assert_non_null(w.logger = otel_logger_provider_get_logger(w.lp, "race", "1"));
  assert_int_equal(otel_meter_provider_create(NULL, &w.mp), OTEL_OK);
  assert_int_equal(otel_meter_provider_add_periodic_reader(w.mp, otel_metric_exporter_create(&add_type, NULL)),
                   OTEL_OK);
  assert_int_equal(otel_meter_create_counter(otel_meter_provider_get_meter(w.mp, "race", "1"), "n", "1",
                                             NULL, &w.counter),
                   OTEL_OK);
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) assert_int_equal(pthread_create(&t[i], NULL, make_telemetry, &w), 0);
  while (atomic_load(&w.running) < THREADS) sched_yield(); /* all of them are making telemetry */
  otel_tracer_provider_shutdown(w.tp, 1000);
  otel_logger_provider_shutdown(w.lp, 1000);
  otel_meter_provider_shutdown(w.mp, 1000);
  atomic_store(&w.stop, true);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  otel_tracer_provider_destroy(w.tp);
  otel_logger_provider_destroy(w.lp);
  otel_meter_provider_destroy(w.mp);
}

static void test_telemetry_during_shutdown_1000_rounds(void **state) {
  (void)state;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int r = 0; r < ROUNDS; r++) one_round();
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("    %d rounds of %d threads racing shutdown: %.2f s\n", ROUNDS, THREADS,
         (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
}

/* ---- totals ------------------------------------------------------------------------ */

#define PER_THREAD 20000

static void *end_spans(void *arg) {
  for (int i = 0; i < PER_THREAD; i++) otel_span_end(otel_tracer_start_span(arg, "counted", NULL));
  return NULL;
}

static void test_spans_from_many_threads_all_exported(void **state) {
  (void)state;
  atomic_store(&spans_seen, 0);
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(NULL, &tp), OTEL_OK);
  otel_batch_span_processor_options_t o;
  otel_batch_span_processor_options_init(&o);
  o.max_queue_size = THREADS * PER_THREAD; /* room for all: nothing may drop */
  otel_span_processor_t *p;
  assert_int_equal(otel_batch_span_processor_create(otel_span_exporter_create(&count_span_type, NULL), &o, &p),
                   OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(tp, p), OTEL_OK);
  otel_tracer_t *tracer = otel_tracer_provider_get_tracer(tp, "totals", "1");
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, end_spans, tracer);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  otel_span_processor_stats_t st;
  otel_span_processor_get_stats(p, &st);
  assert_int_equal(st.dropped, 0);
  assert_int_equal(otel_tracer_provider_shutdown(tp, 30000), OTEL_OK);
  assert_int_equal(atomic_load(&spans_seen), THREADS * PER_THREAD);
  otel_tracer_provider_destroy(tp);
}

static void *emit_logs(void *arg) {
  for (int i = 0; i < PER_THREAD; i++) otel_log_info(arg, "counted %d", i);
  return NULL;
}

static void test_logs_from_many_threads_all_exported(void **state) {
  (void)state;
  atomic_store(&records_seen, 0);
  otel_logger_provider_options_t lo;
  otel_logger_provider_options_init(&lo);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(&lo, &lp), OTEL_OK);
  otel_batch_log_processor_options_t o;
  otel_batch_log_processor_options_init(&o);
  o.max_queue_size = THREADS * PER_THREAD;
  otel_log_processor_t *proc;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&count_log_type, NULL), &o, &proc), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, proc), OTEL_OK);
  otel_logger_t *logger;
  assert_non_null(logger = otel_logger_provider_get_logger(lp, "totals", "1"));
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, emit_logs, logger);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  assert_int_equal(otel_logger_provider_shutdown(lp, 30000), OTEL_OK);
  assert_int_equal(atomic_load(&records_seen), THREADS * PER_THREAD);
  otel_logger_provider_destroy(lp);
}

static void *add_ones(void *arg) {
  for (int i = 0; i < PER_THREAD; i++) otel_counter_add(arg, 1, NULL, 0);
  return NULL;
}

static void test_metrics_recorded_while_collecting_all_counted(void **state) {
  (void)state;
  atomic_store(&sum_seen, 0);
  otel_meter_provider_options_t mo;
  otel_meter_provider_options_init(&mo);
  mo.temporality = OTEL_TEMPORALITY_PREFER_DELTA;
  otel_meter_provider_t *mp;
  assert_int_equal(otel_meter_provider_create(&mo, &mp), OTEL_OK);
  otel_instrument_t *c;
  assert_int_equal(otel_meter_create_counter(otel_meter_provider_get_meter(mp, "totals", "1"), "n", "1", NULL, &c),
                   OTEL_OK);
  otel_metric_exporter_t *e = otel_metric_exporter_create(&add_type, NULL);
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, add_ones, c);
  for (int k = 0; k < 200; k++) otel_meter_provider_collect(mp, e); /* while they add */
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  otel_meter_provider_collect(mp, e); /* the rest */
  assert_int_equal(atomic_load(&sum_seen), THREADS * PER_THREAD);
  otel_metric_exporter_destroy(e);
  otel_meter_provider_destroy(mp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_telemetry_during_shutdown_1000_rounds),
      cmocka_unit_test(test_spans_from_many_threads_all_exported),
      cmocka_unit_test(test_logs_from_many_threads_all_exported),
      cmocka_unit_test(test_metrics_recorded_while_collecting_all_counted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
