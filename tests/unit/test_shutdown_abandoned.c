/* test_shutdown_abandoned.c (shutdown.c: abandoned workers, deferred frees):
 * a custom exporter without a cancel hook, stuck
 * past the shutdown deadline. Shutdown returns at the deadline and leaves
 * the processor's thread to finish alone; that thread then reads what its
 * data points to (a record's logger and resource, a span's scope and
 * resource) after the provider was destroyed. Under AddressSanitizer this
 * was a heap-use-after-free for logs (the black-holed collector);
 * now the provider keeps what such a worker still reads. The exporter is
 * held by a gate the test opens, and its shutdown (called by the worker
 * when it is done) is awaited: no sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "otel/logs.h"
#include "otel/resource.h"
#include "otel/trace.h"

struct gate {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool entered, open, shut;
  size_t bytes_read; /* of names the exporter read after the gate */
};

static struct gate gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, false, 0};

static void gate_reset(void) {
  pthread_mutex_lock(&gate.lock);
  gate.entered = gate.open = gate.shut = false;
  gate.bytes_read = 0;
  pthread_mutex_unlock(&gate.lock);
}

static void gate_enter_and_wait(void) {
  pthread_mutex_lock(&gate.lock);
  gate.entered = true;
  pthread_cond_broadcast(&gate.cond);
  while (!gate.open) pthread_cond_wait(&gate.cond, &gate.lock);
  pthread_mutex_unlock(&gate.lock);
}

static void gate_wait(bool *flag) {
  pthread_mutex_lock(&gate.lock);
  while (!*flag) pthread_cond_wait(&gate.cond, &gate.lock);
  pthread_mutex_unlock(&gate.lock);
}

static void gate_set(bool *flag) {
  pthread_mutex_lock(&gate.lock);
  *flag = true;
  pthread_cond_broadcast(&gate.cond);
  pthread_mutex_unlock(&gate.lock);
}

static void read_resource(const otel_resource_t *r) {
  const otel_attr_t *sn = r ? otel_resource_get(r, "service.name") : NULL;
  if (sn && sn->type == OTEL_ATTR_TYPE_STRING) gate.bytes_read += strlen(sn->value.s);
}

/* ---- logs ------------------------------------------------------------------------ */

static otel_err_t stuck_log_export(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  (void)ctx;
  gate_enter_and_wait(); /* the provider is destroyed meanwhile */
  for (size_t i = 0; i < n; i++) {
    gate.bytes_read += strlen(otel_logger_scope_name(recs[i]->logger));
    read_resource(recs[i]->resource);
  }
  return OTEL_OK;
}
static void stuck_log_shutdown(void *ctx) {
  (void)ctx;
  gate_set(&gate.shut);
}
static const struct otel_log_exporter_type stuck_log_type = {
    .name = "stuck", .export_records = stuck_log_export, .shutdown = stuck_log_shutdown};

static void test_log_worker_outliving_its_provider_reads_no_freed_memory(void **state) {
  (void)state;
  gate_reset();
  otel_resource_t *res;
  otel_attr_t a = OTEL_ATTR_STR("service.name", "abandoned");
  assert_int_equal(otel_resource_create(&a, 1, &res), OTEL_OK);
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  o.resource = res;
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(&o, &lp), OTEL_OK);
  otel_resource_release(res);
  otel_batch_log_processor_options_t bo;
  otel_batch_log_processor_options_init(&bo);
  bo.schedule_delay_ms = 1;
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&stuck_log_type, NULL), &bo, &p), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, p), OTEL_OK);
  otel_logger_t *l;
  assert_non_null(l = otel_logger_provider_get_logger(lp, "scope-of-the-record", "1"));
  otel_log_info(l, "stuck in the exporter");
  gate_wait(&gate.entered);
  assert_int_equal(otel_logger_provider_shutdown(lp, 50), OTEL_ETIMEDOUT);
  otel_logger_provider_destroy(lp);
  gate_set(&gate.open); /* the worker goes on, after the provider is gone */
  gate_wait(&gate.shut);
  assert_int_equal(gate.bytes_read, strlen("scope-of-the-record") + strlen("abandoned"));
}

/* ---- spans ------------------------------------------------------------------------- */

static otel_err_t stuck_span_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  (void)ctx;
  gate_enter_and_wait();
  for (size_t i = 0; i < n; i++) {
    gate.bytes_read += strlen(spans[i]->scope_name);
    read_resource(spans[i]->resource);
  }
  return OTEL_OK;
}
static void stuck_span_shutdown(void *ctx) {
  (void)ctx;
  gate_set(&gate.shut);
}
static const struct otel_span_exporter_type stuck_span_type = {
    .name = "stuck", .export_spans = stuck_span_export, .shutdown = stuck_span_shutdown};

static void test_span_worker_outliving_its_provider_reads_no_freed_memory(void **state) {
  (void)state;
  gate_reset();
  otel_resource_t *res;
  otel_attr_t a = OTEL_ATTR_STR("service.name", "abandoned");
  assert_int_equal(otel_resource_create(&a, 1, &res), OTEL_OK);
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.resource = res;
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&o, &tp), OTEL_OK);
  otel_resource_release(res);
  otel_batch_span_processor_options_t bo;
  otel_batch_span_processor_options_init(&bo);
  bo.schedule_delay_ms = 1;
  otel_span_processor_t *p;
  assert_int_equal(otel_batch_span_processor_create(otel_span_exporter_create(&stuck_span_type, NULL), &bo, &p),
                   OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(tp, p), OTEL_OK);
  otel_span_end(otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "scope-of-the-span", "1"), "s", NULL));
  gate_wait(&gate.entered);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(otel_tracer_provider_shutdown(tp, 50), OTEL_ETIMEDOUT);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  otel_tracer_provider_destroy(tp);
  gate_set(&gate.open);
  gate_wait(&gate.shut);
  assert_int_equal(gate.bytes_read, strlen("scope-of-the-span") + strlen("abandoned"));
  double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
  printf("    shutdown(50 ms) with a stuck exporter returned after %.0f ms\n", ms);
  assert_true(ms < 50 + 1000); /* it used to wait for the exporter */
}

int main(void) {
  setenv("OTEL_LOG_LEVEL", "error", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_log_worker_outliving_its_provider_reads_no_freed_memory),
      cmocka_unit_test(test_span_worker_outliving_its_provider_reads_no_freed_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
