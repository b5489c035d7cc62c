/* test_logger.c: logger.c and logger_provider.c: the printf helpers, the
 * minimum severity, otel_logger_emit with every option, truncation of huge
 * messages, one logger per scope, emit after shutdown, and trace
 * correlation (current span ids on the record, empty without a span).
 * Records are read back from the memory exporter (memory_log_exporter.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sched.h>

#include "logs_internal.h"
#include "otel/trace.h"

typedef struct fixture {
  otel_logger_provider_t *lp;
  otel_memory_log_exporter_t *mem;
  otel_logger_t *logger;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  unsetenv("OTEL_LOGS_MIN_SEVERITY");
  unsetenv("OTEL_LOGS_MIRROR_STDERR");
  unsetenv("OTEL_LOGS_MAX_BODY_BYTES");
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  o.max_body_bytes = 64;
  assert_int_equal(otel_logger_provider_create(&o, &f->lp), OTEL_OK);
  assert_int_equal(otel_memory_log_exporter_create(&f->mem), OTEL_OK);
  otel_log_processor_t *p;
  assert_int_equal(otel_simple_log_processor_create(otel_memory_log_exporter_exporter(f->mem), &p),
                   OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(f->lp, p), OTEL_OK);
  f->logger = otel_logger_provider_get_logger(f->lp, "iss-distance-service", "1.2.0");
  assert_non_null(f->logger);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  otel_logger_provider_destroy(f->lp);
  otel_memory_log_exporter_destroy(f->mem);
  free(f);
  return 0;
}

static const otel_log_record_t *flushed(fixture_t *f, size_t i) {
  assert_int_equal(otel_logger_provider_force_flush(f->lp, 10000), OTEL_OK);
  return otel_memory_log_exporter_get(f->mem, i);
}

static void test_log_info_formats_body_and_sets_fields(void **state) {
  fixture_t *f = *state;
  const char *ip = "127.0.0.1";
  uint64_t before = otel_time_now_ns();
  otel_log_info(f->logger, "received request from IP address: %s", ip);
  const otel_log_record_t *r = flushed(f, 0);
  assert_non_null(r);
  assert_string_equal(r->body, "received request from IP address: 127.0.0.1");
  assert_int_equal(r->severity, OTEL_SEVERITY_INFO);
  assert_string_equal(r->severity_text, "INFO");
  assert_true(r->timestamp_ns >= before);
  assert_int_equal(r->timestamp_ns, r->observed_timestamp_ns);
  assert_string_equal(otel_logger_scope_name(r->logger), "iss-distance-service");
  assert_string_equal(otel_logger_scope_version(r->logger), "1.2.0");
  assert_null(r->resource);
}

static void test_log_helpers_map_to_their_severity(void **state) {
  fixture_t *f = *state;
  otel_logger_set_min_severity(f->logger, OTEL_SEVERITY_TRACE);
  otel_log_trace(f->logger, "t%d", 1);
  otel_log_debug(f->logger, "d%d", 2);
  otel_log_info(f->logger, "i%d", 3);
  otel_log_warn(f->logger, "w%d", 4);
  otel_log_error(f->logger, "e%d", 5);
  otel_log_fatal(f->logger, "f%d", 6);
  otel_log(f->logger, OTEL_SEVERITY_ERROR3, "x%s", "7");
  static const struct { otel_severity_t sev; const char *text, *body; } want[] = {
      {OTEL_SEVERITY_TRACE, "TRACE", "t1"}, {OTEL_SEVERITY_DEBUG, "DEBUG", "d2"},
      {OTEL_SEVERITY_INFO, "INFO", "i3"},   {OTEL_SEVERITY_WARN, "WARN", "w4"},
      {OTEL_SEVERITY_ERROR, "ERROR", "e5"}, {OTEL_SEVERITY_FATAL, "FATAL", "f6"},
      {OTEL_SEVERITY_ERROR3, "ERROR3", "x7"}};
  assert_int_equal(otel_logger_provider_force_flush(f->lp, 10000), OTEL_OK);
  assert_int_equal(otel_memory_log_exporter_count(f->mem), 7);
  for (size_t i = 0; i < 7; i++) {
    const otel_log_record_t *r = otel_memory_log_exporter_get(f->mem, i);
    if (r->severity != want[i].sev || strcmp(r->severity_text, want[i].text) ||
        strcmp(r->body, want[i].body))
      fail_msg("record %zu: %d %s %s", i, (int)r->severity, r->severity_text, r->body);
  }
}

static void test_logger_below_min_severity_is_dropped(void **state) {
  fixture_t *f = *state;
  assert_false(otel_logger_is_enabled(f->logger, OTEL_SEVERITY_DEBUG4));
  assert_true(otel_logger_is_enabled(f->logger, OTEL_SEVERITY_INFO));
  otel_log_debug(f->logger, "not kept");
  otel_log_trace(f->logger, "not kept");
  otel_logger_set_min_severity(f->logger, OTEL_SEVERITY_ERROR);
  otel_log_warn(f->logger, "not kept");
  otel_log_error(f->logger, "kept");
  assert_string_equal(flushed(f, 0)->body, "kept");
  assert_int_equal(otel_memory_log_exporter_count(f->mem), 1);
}

static void test_logger_min_severity_from_env(void **state) {
  (void)state;
  setenv("OTEL_LOGS_MIN_SEVERITY", "warn", 1);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(NULL, &lp), OTEL_OK);
  otel_logger_t *l;
  l = otel_logger_provider_get_logger(lp, "x", NULL);
  assert_non_null(l);
  assert_false(otel_logger_is_enabled(l, OTEL_SEVERITY_INFO4));
  assert_true(otel_logger_is_enabled(l, OTEL_SEVERITY_WARN));
  otel_logger_provider_destroy(lp);
  setenv("OTEL_LOGS_MIN_SEVERITY", "loud", 1); /* invalid: default info */
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  assert_int_equal(o.min_severity, OTEL_SEVERITY_INFO);
  unsetenv("OTEL_LOGS_MIN_SEVERITY");
}

static void test_logger_emit_copies_every_option(void **state) {
  fixture_t *f = *state;
  char body[] = "user logged in";
  otel_attr_t attrs[] = {OTEL_ATTR_STR("user.id", "42"), OTEL_ATTR_BOOL("admin", false)};
  otel_span_context_t sc = {.trace_flags = 1};
  memset(sc.trace_id, 0x11, 16);
  memset(sc.span_id, 0x22, 8);
  otel_log_record_options_t o = {
      .timestamp_ns = 1700000000123456789ull, .observed_timestamp_ns = 1700000000999999999ull,
      .severity = OTEL_SEVERITY_INFO2, .body = body, .attrs = attrs, .attr_count = 2,
      .event_name = "user.login", .span_context = &sc};
  otel_logger_emit(f->logger, &o);
  body[0] = 'X';
  const otel_log_record_t *r = flushed(f, 0);
  assert_non_null(r);
  assert_int_equal(r->timestamp_ns, 1700000000123456789ull);
  assert_int_equal(r->observed_timestamp_ns, 1700000000999999999ull);
  assert_int_equal(r->severity, OTEL_SEVERITY_INFO2);
  assert_string_equal(r->severity_text, "INFO2");
  assert_string_equal(r->body, "user logged in");
  assert_string_equal(r->event_name, "user.login");
  assert_int_equal(r->attr_count, 2);
  assert_string_equal(r->attrs[0].value.s, "42");
  assert_memory_equal(r->trace_id, sc.trace_id, 16);
  assert_memory_equal(r->span_id, sc.span_id, 8);
  assert_int_equal(r->trace_flags, 1);
}

static void test_logger_emit_defaults_observed_time_and_keeps_timestamp_unset(void **state) {
  fixture_t *f = *state;
  otel_log_record_options_t o = {.severity = OTEL_SEVERITY_WARN, .severity_text = "warning"};
  uint64_t before = otel_time_now_ns();
  otel_logger_emit(f->logger, &o);
  otel_logger_emit(NULL, &o);     /* no-op */
  otel_logger_emit(f->logger, NULL); /* no-op */
  const otel_log_record_t *r = flushed(f, 0);
  assert_int_equal(r->timestamp_ns, 0);
  assert_true(r->observed_timestamp_ns >= before);
  assert_string_equal(r->severity_text, "warning");
  assert_null(r->body);
  assert_int_equal(otel_memory_log_exporter_count(f->mem), 1);
}

static void test_log_info_huge_message_truncated_to_limit(void **state) {
  fixture_t *f = *state;
  size_t big = 100000;
  char *s = malloc(big + 1);
  memset(s, 'a', big);
  s[big] = '\0';
  otel_log_info(f->logger, "%s", s); /* over the stack buffer and the limit */
  otel_log_info(f->logger, "%.60s!", s); /* 61 bytes: under the limit of 64 */
  free(s);
  const otel_log_record_t *r = flushed(f, 0);
  assert_int_equal(r->body_len, 64);
  assert_int_equal(strlen(r->body), 64);
  assert_true(r->body_truncated);
  r = otel_memory_log_exporter_get(f->mem, 1);
  assert_int_equal(r->body_len, 61);
  assert_false(r->body_truncated);
}

static void test_log_info_truncation_keeps_utf8_whole(void **state) {
  fixture_t *f = *state;
  /* 63 ASCII bytes then a 2-byte character: it does not fit in 64. */
  otel_log_info(f->logger, "%.63s\xC3\xA9tail", "................................................................");
  const otel_log_record_t *r = flushed(f, 0);
  assert_int_equal(r->body_len, 63);
  assert_true(r->body_truncated);
}

static void test_logger_same_scope_same_logger(void **state) {
  fixture_t *f = *state;
  otel_logger_t *a, *b, *c, *d;
  a = otel_logger_provider_get_logger(f->lp, "iss-distance-service", "1.2.0");
  assert_non_null(a);
  b = otel_logger_provider_get_logger(f->lp, "iss-distance-service", NULL);
  assert_non_null(b);
  c = otel_logger_provider_get_logger(f->lp, "gateway", NULL);
  assert_non_null(c);
  d = otel_logger_provider_get_logger(f->lp, "gateway", NULL);
  assert_non_null(d);
  assert_ptr_equal(a, f->logger);
  assert_ptr_not_equal(a, b);
  assert_ptr_equal(c, d);
  assert_null(otel_logger_scope_version(c));
  d = otel_logger_provider_get_logger(f->lp, NULL, NULL); /* as a tracer: name "" */
  assert_non_null(d);
  assert_string_equal(otel_logger_scope_name(d), "");
  assert_ptr_equal(otel_logger_provider_get_logger(f->lp, NULL, NULL), d);
  assert_null(otel_logger_provider_get_logger(NULL, "x", NULL));
}

static void test_logger_after_shutdown_emits_nothing(void **state) {
  fixture_t *f = *state;
  otel_log_info(f->logger, "before");
  assert_int_equal(otel_logger_provider_shutdown(f->lp, 10000), OTEL_OK);
  assert_int_equal(otel_logger_provider_shutdown(f->lp, 10000), OTEL_ESHUTDOWN);
  otel_log_info(f->logger, "after");
  assert_int_equal(otel_memory_log_exporter_count(f->mem), 1); /* shutdown flushed */
  assert_string_equal(otel_memory_log_exporter_get(f->mem, 0)->body, "before");
}

/* ---- Trace correlation ---------------------------------------------------- */
static void test_logger_current_span_ids_on_record(void **state) {
  fixture_t *f = *state;
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.sampler = otel_sampler_always_on();
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&o, &tp), OTEL_OK);
  otel_span_t *span = otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "t", NULL), "s", NULL);
  otel_span_context_t sc = otel_span_get_context(span);
  otel_log_info(f->logger, "inside span");
  otel_span_end(span);
  otel_log_info(f->logger, "outside span");
  const otel_log_record_t *in = flushed(f, 0), *out = otel_memory_log_exporter_get(f->mem, 1);
  assert_memory_equal(in->trace_id, sc.trace_id, 16);
  assert_memory_equal(in->span_id, sc.span_id, 8);
  assert_int_equal(in->trace_flags & OTEL_TRACE_FLAG_SAMPLED, OTEL_TRACE_FLAG_SAMPLED);
  static const uint8_t zero[16];
  assert_memory_equal(out->trace_id, zero, 16);
  assert_memory_equal(out->span_id, zero, 8);
  assert_int_equal(out->trace_flags, 0);
  otel_tracer_provider_destroy(tp);
}

/* ---- Concurrency ------------------------------------------------------------ */
typedef struct emitter_arg {
  otel_logger_t *logger;
  int n;
} emitter_arg_t;

static void *emitter(void *p) {
  emitter_arg_t *a = p;
  for (int i = 0; i < a->n; i++) otel_log_warn(a->logger, "thread record %d", i);
  return NULL;
}

/* Emits from 3 threads while the main thread shuts the provider down: no
 * record is lost without being counted, nothing crashes (ASan/TSan). */
static void test_logger_emit_during_shutdown_concurrent_safe(void **state) {
  (void)state;
  otel_memory_log_exporter_t *mem;
  assert_int_equal(otel_memory_log_exporter_create(&mem), OTEL_OK);
  otel_batch_log_processor_options_t bo = {.schedule_delay_ms = 5, .max_queue_size = 256,
                                           .max_export_batch_size = 64, .export_timeout_ms = 1000};
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_memory_log_exporter_exporter(mem), &bo, &p),
                   OTEL_OK);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(NULL, &lp), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, p), OTEL_OK);
  otel_logger_t *l;
  l = otel_logger_provider_get_logger(lp, "c", NULL);
  assert_non_null(l);
  pthread_t th[3];
  emitter_arg_t arg = {l, 20000};
  for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&th[i], NULL, emitter, &arg), 0);
  /* Shut down once some records went through (bounded wait, no sleep). */
  for (int spins = 0; spins < 100000000 && otel_memory_log_exporter_count(mem) == 0; spins++)
    sched_yield();
  otel_log_processor_stats_t before;
  otel_log_processor_get_stats(p, &before);
  assert_int_equal(otel_logger_provider_shutdown(lp, 10000), OTEL_OK);
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  assert_true(otel_memory_log_exporter_count(mem) > 0);
  /* After shutdown the processor is freed: its counters were read before;
   * every record that was queued by then was exported. */
  assert_true(otel_memory_log_exporter_count(mem) >= before.exported);
  otel_logger_provider_destroy(lp);
  otel_memory_log_exporter_destroy(mem);
}

static void test_logger_many_threads_all_counted_concurrent_safe(void **state) {
  (void)state;
  otel_memory_log_exporter_t *mem;
  assert_int_equal(otel_memory_log_exporter_create(&mem), OTEL_OK);
  otel_batch_log_processor_options_t bo = {.schedule_delay_ms = 5, .max_queue_size = 128,
                                           .max_export_batch_size = 32, .export_timeout_ms = 1000};
  otel_log_processor_t *p;
  assert_int_equal(otel_batch_log_processor_create(otel_memory_log_exporter_exporter(mem), &bo, &p),
                   OTEL_OK);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(NULL, &lp), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, p), OTEL_OK);
  otel_logger_t *l;
  l = otel_logger_provider_get_logger(lp, "c", NULL);
  assert_non_null(l);
  pthread_t th[4];
  emitter_arg_t arg = {l, 5000};
  for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, emitter, &arg), 0);
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  assert_int_equal(otel_logger_provider_force_flush(lp, 10000), OTEL_OK);
  otel_log_processor_stats_t s;
  otel_log_processor_get_stats(p, &s);
  assert_int_equal(s.queued + s.dropped, 20000);
  assert_int_equal(s.exported, s.queued);
  assert_int_equal(otel_memory_log_exporter_count(mem), s.exported);
  otel_logger_provider_destroy(lp);
  otel_memory_log_exporter_destroy(mem);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_log_info_formats_body_and_sets_fields, setup, teardown),
      cmocka_unit_test_setup_teardown(test_log_helpers_map_to_their_severity, setup, teardown),
      cmocka_unit_test_setup_teardown(test_logger_below_min_severity_is_dropped, setup, teardown),
      cmocka_unit_test(test_logger_min_severity_from_env),
      cmocka_unit_test_setup_teardown(test_logger_emit_copies_every_option, setup, teardown),
      cmocka_unit_test_setup_teardown(test_logger_emit_defaults_observed_time_and_keeps_timestamp_unset, setup, teardown),
      cmocka_unit_test_setup_teardown(test_log_info_huge_message_truncated_to_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_log_info_truncation_keeps_utf8_whole, setup, teardown),
      cmocka_unit_test_setup_teardown(test_logger_same_scope_same_logger, setup, teardown),
      cmocka_unit_test_setup_teardown(test_logger_after_shutdown_emits_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_logger_current_span_ids_on_record, setup, teardown),
      cmocka_unit_test(test_logger_emit_during_shutdown_concurrent_safe),
      cmocka_unit_test(test_logger_many_threads_all_counted_concurrent_safe),
  };
  return cmocka_run_group_tests_name("logger", tests, NULL, NULL);
}
