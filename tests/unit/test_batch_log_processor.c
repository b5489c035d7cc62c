/* test_batch_log_processor.c: batch_log_processor.c and
 * simple_log_processor.c: options from defaults and OTEL_BLRP_*, a full
 * queue drops and counts while the exporter is blocked (and the emitting
 * thread never waits), batches respect the size, flush and shutdown export
 * everything queued, and the exporter is shut down once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs_internal.h"

/* An exporter the test controls: export blocks while `blocked`, and
 * records what it saw. */
typedef struct gate {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool blocked;
  bool in_export;      /* an export call is waiting at the gate */
  size_t calls, records, max_batch;
  int shutdowns, flushes;
  otel_err_t result;
} gate_t;

static otel_err_t gate_export(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  gate_t *g = ctx;
  (void)recs;
  pthread_mutex_lock(&g->mu);
  g->in_export = true;
  pthread_cond_broadcast(&g->cv);
  while (g->blocked) pthread_cond_wait(&g->cv, &g->mu);
  g->in_export = false;
  g->calls++;
  g->records += n;
  if (n > g->max_batch) g->max_batch = n;
  otel_err_t r = g->result;
  pthread_mutex_unlock(&g->mu);
  return r;
}

static otel_err_t gate_flush(void *ctx, uint32_t timeout_ms) {
  gate_t *g = ctx;
  (void)timeout_ms;
  pthread_mutex_lock(&g->mu);
  g->flushes++;
  pthread_mutex_unlock(&g->mu);
  return OTEL_OK;
}

static void gate_shutdown(void *ctx) {
  gate_t *g = ctx;
  pthread_mutex_lock(&g->mu);
  g->shutdowns++;
  pthread_mutex_unlock(&g->mu);
}

static const struct otel_log_exporter_type gate_type = {
    .name = "gate", .export_records = gate_export, .force_flush = gate_flush,
    .shutdown = gate_shutdown};

static void gate_init(gate_t *g) {
  memset(g, 0, sizeof(*g));
  pthread_mutex_init(&g->mu, NULL);
  pthread_cond_init(&g->cv, NULL);
}

static void gate_wait_in_export(gate_t *g) {
  pthread_mutex_lock(&g->mu);
  while (!g->in_export) pthread_cond_wait(&g->cv, &g->mu);
  pthread_mutex_unlock(&g->mu);
}

static void gate_open(gate_t *g) {
  pthread_mutex_lock(&g->mu);
  g->blocked = false;
  pthread_cond_broadcast(&g->cv);
  pthread_mutex_unlock(&g->mu);
}

static const otel_log_record_t *make_record(int i) {
  otel__log_record_src_t src = {.observed_timestamp_ns = (uint64_t)i + 1,
                                .severity = OTEL_SEVERITY_INFO, .body = "x", .body_len = 1};
  return otel__log_record_create(&src, NULL, NULL, 100, 10);
}

/* Shuts a processor made here down and frees its handle (a provider does
 * both for the processors it owns). */
static otel_err_t shut(otel_log_processor_t *p, uint32_t timeout_ms) {
  otel_err_t err = p->type->shutdown(p->ctx, timeout_ms);
  free(p);
  return err;
}

static void emit(otel_log_processor_t *p, int i) {
  const otel_log_record_t *r = make_record(i);
  p->type->on_emit(p->ctx, r);
  otel_log_record_release(r);
}

static void test_batch_options_defaults_then_env(void **state) {
  (void)state;
  unsetenv("OTEL_BLRP_SCHEDULE_DELAY");
  unsetenv("OTEL_BLRP_MAX_QUEUE_SIZE");
  unsetenv("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE");
  unsetenv("OTEL_BLRP_EXPORT_TIMEOUT");
  otel_batch_log_processor_options_t o;
  otel_batch_log_processor_options_init(&o);
  assert_int_equal(o.schedule_delay_ms, 1000);
  assert_int_equal(o.max_queue_size, 2048);
  assert_int_equal(o.max_export_batch_size, 512);
  assert_int_equal(o.export_timeout_ms, 30000);
  setenv("OTEL_BLRP_SCHEDULE_DELAY", "250", 1);
  setenv("OTEL_BLRP_MAX_QUEUE_SIZE", "100", 1);
  setenv("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "10", 1);
  setenv("OTEL_BLRP_EXPORT_TIMEOUT", "5000", 1);
  otel_batch_log_processor_options_init(&o);
  assert_int_equal(o.schedule_delay_ms, 250);
  assert_int_equal(o.max_queue_size, 100);
  assert_int_equal(o.max_export_batch_size, 10);
  assert_int_equal(o.export_timeout_ms, 5000);
  unsetenv("OTEL_BLRP_SCHEDULE_DELAY");
  unsetenv("OTEL_BLRP_MAX_QUEUE_SIZE");
  unsetenv("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE");
  unsetenv("OTEL_BLRP_EXPORT_TIMEOUT");
}

static void test_batch_full_queue_drops_and_counts_without_blocking(void **state) {
  (void)state;
  gate_t g;
  gate_init(&g);
  g.blocked = true;
  otel_batch_log_processor_options_t o = {.schedule_delay_ms = 60000, .max_queue_size = 4,
                                          .max_export_batch_size = 2, .export_timeout_ms = 1000};
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&gate_type, &g), &o, &p),
                   OTEL_OK);
  emit(p, 0);
  emit(p, 1);           /* a full batch: the worker takes both and blocks */
  gate_wait_in_export(&g);
  for (int i = 2; i < 10; i++) emit(p, i); /* 4 fit, 4 are dropped; none waits */
  otel_log_processor_stats_t s;
  otel_log_processor_get_stats(p, &s);
  assert_int_equal(s.queued, 6);
  assert_int_equal(s.dropped, 4);
  assert_int_equal(s.exported, 0);
  gate_open(&g);
  assert_int_equal(shut(p, 10000), OTEL_OK);
  assert_int_equal(g.records, 6); /* everything accepted was exported */
  assert_true(g.max_batch <= 2);
  assert_int_equal(g.shutdowns, 1);
}

static void test_batch_shutdown_exports_everything_queued(void **state) {
  (void)state;
  gate_t g;
  gate_init(&g);
  otel_batch_log_processor_options_t o = {.schedule_delay_ms = 60000, .max_queue_size = 1000,
                                          .max_export_batch_size = 64, .export_timeout_ms = 1000};
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&gate_type, &g), &o, &p),
                   OTEL_OK);
  for (int i = 0; i < 300; i++) emit(p, i);
  assert_int_equal(shut(p, 10000), OTEL_OK);
  assert_int_equal(g.records, 300);
  assert_true(g.max_batch <= 64);
  assert_true(g.calls >= 5); /* 300 / 64 rounded up */
  assert_int_equal(g.shutdowns, 1);
}

static void test_batch_force_flush_exports_and_flushes_exporter(void **state) {
  (void)state;
  gate_t g;
  gate_init(&g);
  otel_batch_log_processor_options_t o = {.schedule_delay_ms = 60000, .max_queue_size = 100,
                                          .max_export_batch_size = 50, .export_timeout_ms = 1000};
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&gate_type, &g), &o, &p),
                   OTEL_OK);
  for (int i = 0; i < 7; i++) emit(p, i);
  assert_int_equal(p->type->force_flush(p->ctx, 10000), OTEL_OK);
  pthread_mutex_lock(&g.mu);
  assert_int_equal(g.records, 7);
  assert_int_equal(g.flushes, 1);
  pthread_mutex_unlock(&g.mu);
  otel_log_processor_stats_t s;
  otel_log_processor_get_stats(p, &s);
  assert_int_equal(s.exported, 7);
  assert_int_equal(shut(p, 10000), OTEL_OK);
}

static void test_batch_flush_with_blocked_exporter_times_out(void **state) {
  (void)state;
  gate_t g;
  gate_init(&g);
  g.blocked = true;
  otel_batch_log_processor_options_t o = {.schedule_delay_ms = 60000, .max_queue_size = 10,
                                          .max_export_batch_size = 1, .export_timeout_ms = 1000};
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&gate_type, &g), &o, &p),
                   OTEL_OK);
  emit(p, 0);
  gate_wait_in_export(&g);
  assert_int_equal(p->type->force_flush(p->ctx, 1), OTEL_ETIMEDOUT);
  gate_open(&g);
  assert_int_equal(shut(p, 10000), OTEL_OK);
  assert_int_equal(g.records, 1);
}

static void test_batch_failed_exports_are_counted(void **state) {
  (void)state;
  gate_t g;
  gate_init(&g);
  g.result = OTEL_ECONNECT;
  otel_log_processor_t *p;
  otel_batch_log_processor_options_t o = {.schedule_delay_ms = 60000, .max_queue_size = 10,
                                          .max_export_batch_size = 10, .export_timeout_ms = 1000};
  assert_int_equal(otel_batch_log_processor_create(otel_log_exporter_create(&gate_type, &g), &o, &p),
                   OTEL_OK);
  for (int i = 0; i < 3; i++) emit(p, i);
  assert_int_equal(p->type->force_flush(p->ctx, 10000), OTEL_OK);
  otel_log_processor_stats_t s;
  otel_log_processor_get_stats(p, &s);
  assert_int_equal(s.export_failed, 3);
  assert_int_equal(s.exported, 0);
  assert_int_equal(shut(p, 10000), OTEL_OK);
}

static void test_batch_after_shutdown_via_provider_drops(void **state) {
  (void)state;
  otel_memory_log_exporter_t *mem;
  assert_int_equal(otel_memory_log_exporter_create(&mem), OTEL_OK);
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_memory_log_exporter_exporter(mem), NULL, &p),
                   OTEL_OK);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(NULL, &lp), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, p), OTEL_OK);
  otel_logger_t *l;
  l = otel_logger_provider_get_logger(lp, "t", NULL);
  assert_non_null(l);
  for (int i = 0; i < 100; i++) otel_log_warn(l, "record %d", i);
  /* Default delay is 1 s: only shutdown makes these 100 leave. */
  assert_int_equal(otel_logger_provider_shutdown(lp, 10000), OTEL_OK);
  assert_int_equal(otel_memory_log_exporter_count(mem), 100);
  assert_string_equal(otel_memory_log_exporter_get(mem, 99)->body, "record 99");
  otel_logger_provider_destroy(lp);
  otel_memory_log_exporter_destroy(mem);
}

static void test_simple_exports_each_record_alone(void **state) {
  (void)state;
  gate_t g;
  gate_init(&g);
  otel_log_processor_t *p;
  assert_int_equal(otel_simple_log_processor_create(otel_log_exporter_create(&gate_type, &g), &p),
                   OTEL_OK);
  for (int i = 0; i < 20; i++) emit(p, i);
  assert_int_equal(p->type->force_flush(p->ctx, 10000), OTEL_OK);
  pthread_mutex_lock(&g.mu);
  assert_int_equal(g.records, 20);
  assert_int_equal(g.max_batch, 1);
  pthread_mutex_unlock(&g.mu);
  assert_int_equal(shut(p, 10000), OTEL_OK);
}

static void test_batch_create_without_exporter_fails(void **state) {
  (void)state;
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(NULL, NULL, &p),
                   OTEL_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_options_defaults_then_env),
      cmocka_unit_test(test_batch_full_queue_drops_and_counts_without_blocking),
      cmocka_unit_test(test_batch_shutdown_exports_everything_queued),
      cmocka_unit_test(test_batch_force_flush_exports_and_flushes_exporter),
      cmocka_unit_test(test_batch_flush_with_blocked_exporter_times_out),
      cmocka_unit_test(test_batch_failed_exports_are_counted),
      cmocka_unit_test(test_batch_after_shutdown_via_provider_drops),
      cmocka_unit_test(test_simple_exports_each_record_alone),
      cmocka_unit_test(test_batch_create_without_exporter_fails),
  };
  return cmocka_run_group_tests_name("batch_log_processor", tests, NULL, NULL);
}
