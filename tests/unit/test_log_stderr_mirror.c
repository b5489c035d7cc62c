/* test_log_stderr_mirror.c: log_stderr_mirror.c and console_log_exporter.c:
 * the exact one-line format (with and without a span, escaped control
 * characters, attributes), the mirror writing at emit time through the
 * provider option, and the console exporter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs_internal.h"

#define TS 1763821925123000000ull /* 2025-11-22T14:32:05.123Z */

static otel_logger_provider_t *lp;
static otel_logger_t *logger;

static int setup(void **state) {
  (void)state;
  unsetenv("OTEL_LOGS_MIRROR_STDERR");
  assert_int_equal(otel_logger_provider_create(NULL, &lp), OTEL_OK);
  logger = otel_logger_provider_get_logger(lp, "gateway", NULL);
  assert_non_null(logger);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  otel_logger_provider_destroy(lp);
  return 0;
}

static otel_log_record_t *record(const char *body, const otel_span_context_t *sc,
                                 const otel_attr_t *attrs, size_t n) {
  otel__log_record_src_t src = {.timestamp_ns = TS, .observed_timestamp_ns = TS + 5,
                                .severity = OTEL_SEVERITY_INFO, .severity_text = "INFO",
                                .body = body, .body_len = body ? strlen(body) : 0,
                                .attrs = attrs, .attr_count = n, .sc = sc};
  return otel__log_record_create(&src, logger, NULL, 8192, 128);
}

static void test_log_format_line_with_span(void **state) {
  (void)state;
  otel_span_context_t sc = {.trace_flags = 1};
  const uint8_t tid[16] = {0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6,
                           0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36};
  const uint8_t sid[8] = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
  memcpy(sc.trace_id, tid, 16);
  memcpy(sc.span_id, sid, 8);
  otel_log_record_t *r = record("received request from IP address: 127.0.0.1", &sc, NULL, 0);
  char buf[512];
  size_t n = otel__log_format_line(r, "iss-distance-service", false, buf, sizeof(buf));
  assert_string_equal(buf, "2025-11-22T14:32:05.123Z INFO  iss-distance-service "
                           "[trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7] "
                           "received request from IP address: 127.0.0.1\n");
  assert_int_equal(n, strlen(buf));
  otel_log_record_release(r);
}

static void test_log_format_line_without_span_escapes_and_falls_back_to_scope(void **state) {
  (void)state;
  otel_log_record_t *r = record("line1\nline2\tend\x01", NULL, NULL, 0);
  char buf[512];
  otel__log_format_line(r, NULL, false, buf, sizeof(buf));
  assert_string_equal(buf, "2025-11-22T14:32:05.123Z INFO  gateway line1\\nline2\\tend\\x01\n");
  otel_log_record_release(r);
}

static void test_log_format_line_attributes_and_small_buffer(void **state) {
  (void)state;
  int64_t codes[] = {200, 404};
  otel_attr_t attrs[] = {OTEL_ATTR_STR("url.path", "/distance"), OTEL_ATTR_STR("q", "two words"),
                         OTEL_ATTR_INT("n", -3), OTEL_ATTR_BOOL("ok", true),
                         OTEL_ATTR_ARRAY("codes", OTEL_ATTR_TYPE_INT_ARRAY, codes, 2)};
  otel_log_record_t *r = record("done", NULL, attrs, 5);
  char buf[512];
  size_t n = otel__log_format_line(r, "svc", true, buf, sizeof(buf));
  const char *want = "2025-11-22T14:32:05.123Z INFO  svc done url.path=/distance "
                     "q=\"two words\" n=-3 ok=true codes=[200,404]\n";
  assert_string_equal(buf, want);
  char small[10];
  assert_int_equal(otel__log_format_line(r, "svc", true, small, sizeof(small)), n);
  assert_string_equal(small, "2025-11-2"); /* cut, still NUL-terminated */
  otel_log_record_release(r);
}

static void test_log_mirror_option_writes_one_line_per_emit(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  assert_non_null(mem);
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  assert_false(o.mirror_stderr); /* off by default */
  o.mirror_stderr = true;
  o.mirror_stream = mem;
  otel_logger_provider_t *p;
  assert_int_equal(otel_logger_provider_create(&o, &p), OTEL_OK);
  otel_logger_t *l;
  l = otel_logger_provider_get_logger(p, "iss-distance-service", NULL);
  assert_non_null(l);
  otel_log_info(l, "received request from IP address: %s", "127.0.0.1");
  otel_log_debug(l, "below the minimum: not mirrored");
  otel_log_error(l, "upstream %d", 503);
  otel_logger_provider_destroy(p); /* flushes the stream */
  fclose(mem);
  /* Two lines; the timestamps vary, so compare what follows them. */
  char *second = strchr(text, '\n');
  assert_non_null(second);
  *second++ = '\0';
  assert_non_null(strstr(text, "Z INFO  iss-distance-service received request from IP address: 127.0.0.1"));
  assert_non_null(strstr(second, "Z ERROR iss-distance-service upstream 503\n"));
  assert_null(strchr(strchr(second, '\n') + 1, '\n'));
  assert_int_equal(text[4], '-');
  assert_int_equal(text[23], 'Z');
  free(text);
}

static void test_log_mirror_env_enables_it(void **state) {
  (void)state;
  setenv("OTEL_LOGS_MIRROR_STDERR", "true", 1);
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  assert_true(o.mirror_stderr);
  unsetenv("OTEL_LOGS_MIRROR_STDERR");
}

static void test_console_exporter_writes_lines_with_attributes(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  otel_log_exporter_t *e = otel_console_log_exporter_create(mem);
  assert_non_null(e);
  otel_attr_t attrs[] = {OTEL_ATTR_STR("k", "v")};
  const otel_log_record_t *recs[2] = {record("first", NULL, attrs, 1), record("second", NULL, NULL, 0)};
  assert_int_equal(e->type->export_records(e->ctx, recs, 2), OTEL_OK);
  assert_int_equal(e->type->force_flush(e->ctx, 1000), OTEL_OK);
  assert_string_equal(text, "2025-11-22T14:32:05.123Z INFO  gateway first k=v\n"
                            "2025-11-22T14:32:05.123Z INFO  gateway second\n");
  otel_log_exporter_destroy(e);
  otel_log_record_release(recs[0]);
  otel_log_record_release(recs[1]);
  fclose(mem);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_log_format_line_with_span),
      cmocka_unit_test(test_log_format_line_without_span_escapes_and_falls_back_to_scope),
      cmocka_unit_test(test_log_format_line_attributes_and_small_buffer),
      cmocka_unit_test(test_log_mirror_option_writes_one_line_per_emit),
      cmocka_unit_test(test_log_mirror_env_enables_it),
      cmocka_unit_test(test_console_exporter_writes_lines_with_attributes),
  };
  return cmocka_run_group_tests_name("log_stderr_mirror", tests, setup, teardown);
}
