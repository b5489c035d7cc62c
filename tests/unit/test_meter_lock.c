/* test_meter_lock.c: no export under the meter provider's lock. While an
 * export is held at a gate (a collector that does not answer), another
 * thread gets a meter, creates an instrument and records: none of it may
 * wait for the export (it used to: the provider's lock was held across the
 * network export, 2.0 s in a probe). The export is released only after
 * the main thread has done all that, so a wait would deadlock the test
 * (and the test runner's time limit fails it). No sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <pthread.h>

#include <cmocka.h>

#include "otel/metrics.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool in_export, released;

static otel_err_t held_export(void *ctx, const otel_metric_batch_t *b) {
  (void)ctx, (void)b;
  pthread_mutex_lock(&lock);
  in_export = true;
  pthread_cond_broadcast(&cond);
  while (!released) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  return OTEL_OK;
}
static const struct otel_metric_exporter_type held_type = {.name = "held", .export_metrics = held_export};

static otel_meter_provider_t *mp;

static void *collect(void *arg) {
  otel_meter_provider_collect(mp, arg);
  return NULL;
}

static void test_meter_calls_do_not_wait_for_an_export(void **state) {
  (void)state;
  assert_int_equal(otel_meter_provider_create(NULL, &mp), OTEL_OK);
  otel_instrument_t *c;
  assert_int_equal(otel_meter_create_counter(otel_meter_provider_get_meter(mp, "a", "1"), "first", "1", NULL, &c),
                   OTEL_OK);
  otel_counter_add(c, 1, NULL, 0);
  otel_metric_exporter_t *e = otel_metric_exporter_create(&held_type, NULL);
  pthread_t t;
  pthread_create(&t, NULL, collect, e);
  pthread_mutex_lock(&lock);
  while (!in_export) pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  /* the export is in progress and will not end until we say so */
  otel_meter_t *m = otel_meter_provider_get_meter(mp, "b", "1");
  assert_non_null(m);
  otel_instrument_t *h;
  assert_int_equal(otel_meter_create_histogram(m, "second", "s", NULL, NULL, 0, &h), OTEL_OK);
  otel_histogram_record(h, 0.5, NULL, 0);
  otel_counter_add(c, 1, NULL, 0);
  pthread_mutex_lock(&lock);
  released = true;
  pthread_cond_broadcast(&cond);
  pthread_mutex_unlock(&lock);
  pthread_join(t, NULL);
  otel_metric_exporter_destroy(e);
  otel_meter_provider_destroy(mp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_meter_calls_do_not_wait_for_an_export),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
