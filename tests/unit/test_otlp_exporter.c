/* test_otlp_exporter.c: the one OTLP exporter glue (otlp_exporter.c) under
 * the span, metric and log exporters (otlp_span_exporter.c,
 * otlp_metric_exporter.c, otlp_log_exporter.c): toward a port nothing
 * listens on, each signal's export fails, returns the error to its caller
 * (counted by the processor) and reports it once with the same words: how
 * many of the signal's items, the endpoint, the attempts, the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "otel/exporter_otlp.h"

static char messages[4096];

static void collect(otel_diag_level_t level, const char *message, void *user_data) {
  (void)level;
  (void)user_data;
  size_t used = strlen(messages);
  snprintf(messages + used, sizeof messages - used, "%s\n", message);
}

/* A port nothing listens on (bound, then closed). */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  bind(fd, (struct sockaddr *)&a, sizeof a);
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd);
  return ntohs(a.sin_port);
}

static char endpoint[64];

static otel_otlp_options_t options(otel_signal_t signal) {
  otel_otlp_options_t o;
  otel_otlp_options_init(&o, signal);
  o.protocol = OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF;
  snprintf(o.endpoint, sizeof o.endpoint, "%s", endpoint);
  o.timeout_ms = 300;
  o.retry_initial_backoff_ms = 20;
  return o;
}

static int setup(void **state) {
  (void)state;
  snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1/x", closed_port());
  messages[0] = '\0';
  otel_set_error_handler(collect, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  otel_set_error_handler(NULL, NULL);
  return 0;
}

static void expect_report(const char *items) {
  char want[160];
  snprintf(want, sizeof want, "exporting %s to %s failed after ", items, endpoint);
  if (!strstr(messages, want)) fail_msg("no \"%s\" in:\n%s", want, messages);
  assert_non_null(strstr(messages, " attempt(s): "));
}

static void test_span_export_failure_is_returned_and_reported(void **state) {
  (void)state;
  otel_otlp_options_t o = options(OTEL_SIGNAL_TRACES);
  otel_span_exporter_t *e;
  assert_int_equal(otel_otlp_span_exporter_create(&o, &e), OTEL_OK);
  otel_tracer_provider_options_t tpo;
  otel_tracer_provider_options_init(&tpo);
  tpo.sampler = otel_sampler_always_on();
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&tpo, &tp), OTEL_OK);
  otel_span_processor_t *p;
  assert_int_equal(otel_simple_span_processor_create(e, &p), OTEL_OK);
  otel_tracer_provider_add_processor(tp, p);
  otel_span_end(otel_tracer_start_span(otel_tracer_provider_get_tracer(tp, "t", NULL), "s", NULL));
  otel_span_processor_stats_t s;
  otel_span_processor_get_stats(p, &s);
  assert_int_equal(s.export_failed, 1);
  expect_report("1 spans");
  otel_tracer_provider_destroy(tp);
}

static void test_metric_export_failure_is_returned_and_reported(void **state) {
  (void)state;
  otel_otlp_options_t o = options(OTEL_SIGNAL_METRICS);
  otel_metric_exporter_t *e;
  assert_int_equal(otel_otlp_metric_exporter_create(&o, &e), OTEL_OK);
  otel_meter_provider_t *mp;
  assert_int_equal(otel_meter_provider_create(NULL, &mp), OTEL_OK);
  otel_instrument_t *c;
  otel_meter_create_counter(otel_meter_provider_get_meter(mp, "m", NULL), "c", "1", "", &c);
  otel_counter_add(c, 1, NULL, 0);
  assert_int_not_equal(otel_meter_provider_collect(mp, e), OTEL_OK);
  expect_report("1 metric streams");
  otel_metric_exporter_destroy(e);
  otel_meter_provider_destroy(mp);
}

static void test_log_export_failure_is_returned_and_reported(void **state) {
  (void)state;
  otel_otlp_options_t o = options(OTEL_SIGNAL_LOGS);
  otel_log_exporter_t *e;
  assert_int_equal(otel_otlp_log_exporter_create(&o, &e), OTEL_OK);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create(NULL, &lp), OTEL_OK);
  otel_log_processor_t *p;
  assert_int_equal(otel_simple_log_processor_create(e, &p), OTEL_OK);
  assert_int_equal(otel_logger_provider_add_processor(lp, p), OTEL_OK);
  otel_log_info(otel_logger_provider_get_logger(lp, "l", NULL), "hello");
  otel_logger_provider_force_flush(lp, 5000);
  otel_log_processor_stats_t s;
  otel_log_processor_get_stats(p, &s);
  assert_int_equal(s.export_failed, 1);
  expect_report("1 log records");
  otel_logger_provider_destroy(lp);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_span_export_failure_is_returned_and_reported),
      T(test_metric_export_failure_is_returned_and_reported),
      T(test_log_export_failure_is_returned_and_reported),
  };
  return cmocka_run_group_tests_name("otlp_exporter", tests, NULL, NULL);
}
