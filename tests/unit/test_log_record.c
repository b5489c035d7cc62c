/* test_log_record.c: log_record.c: the severity table and parser, and the
 * record allocator: every field copied, attributes deep-copied and limited,
 * bodies cut to the limit on a UTF-8 boundary; small records from the
 * pool's blocks and large ones from malloc, each given back where it came
 * from (mixed up, ASan reports it under make test SANITIZE=1), a pooled
 * block reused whole for the next record; the ASCII mark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "logs_internal.h"

static void test_severity_name_all_levels_match_spec(void **state) {
  (void)state;
  static const struct { otel_severity_t sev; const char *want; } cases[] = {
      {OTEL_SEVERITY_UNSPECIFIED, "UNSPECIFIED"}, {OTEL_SEVERITY_TRACE, "TRACE"},
      {OTEL_SEVERITY_TRACE4, "TRACE4"}, {OTEL_SEVERITY_DEBUG, "DEBUG"},
      {OTEL_SEVERITY_DEBUG2, "DEBUG2"}, {OTEL_SEVERITY_INFO, "INFO"},
      {OTEL_SEVERITY_INFO3, "INFO3"}, {OTEL_SEVERITY_WARN, "WARN"},
      {OTEL_SEVERITY_ERROR, "ERROR"}, {OTEL_SEVERITY_ERROR4, "ERROR4"},
      {OTEL_SEVERITY_FATAL, "FATAL"}, {OTEL_SEVERITY_FATAL4, "FATAL4"},
      {(otel_severity_t)25, ""}, {(otel_severity_t)-1, ""}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    if (strcmp(otel_severity_name(cases[i].sev), cases[i].want) != 0)
      fail_msg("severity %d: got %s want %s", (int)cases[i].sev,
               otel_severity_name(cases[i].sev), cases[i].want);
  }
  /* The numbers are the OTLP SeverityNumber values. */
  assert_int_equal(OTEL_SEVERITY_INFO, 9);
  assert_int_equal(OTEL_SEVERITY_WARN, 13);
  assert_int_equal(OTEL_SEVERITY_ERROR, 17);
  assert_int_equal(OTEL_SEVERITY_FATAL4, 24);
}

static void test_severity_parse_table(void **state) {
  (void)state;
  static const struct { const char *name, *in; otel_err_t err; otel_severity_t want; } cases[] = {
      {"lower", "info", OTEL_OK, OTEL_SEVERITY_INFO},
      {"upper", "WARN", OTEL_OK, OTEL_SEVERITY_WARN},
      {"suffix", "Debug3", OTEL_OK, OTEL_SEVERITY_DEBUG3},
      {"warning alias", "warning", OTEL_OK, OTEL_SEVERITY_WARN},
      {"err alias", "err", OTEL_OK, OTEL_SEVERITY_ERROR},
      {"number", "17", OTEL_OK, OTEL_SEVERITY_ERROR},
      {"number max", "24", OTEL_OK, OTEL_SEVERITY_FATAL4},
      {"number zero", "0", OTEL_EPARSE, OTEL_SEVERITY_UNSPECIFIED},
      {"number too big", "25", OTEL_EPARSE, OTEL_SEVERITY_UNSPECIFIED},
      {"number junk", "9x", OTEL_EPARSE, OTEL_SEVERITY_UNSPECIFIED},
      {"empty", "", OTEL_EPARSE, OTEL_SEVERITY_UNSPECIFIED},
      {"unknown", "verbose", OTEL_EPARSE, OTEL_SEVERITY_UNSPECIFIED},
      {"level 5 suffix", "INFO5", OTEL_EPARSE, OTEL_SEVERITY_UNSPECIFIED}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    otel_severity_t got = OTEL_SEVERITY_UNSPECIFIED;
    otel_err_t err = otel_severity_parse(cases[i].in, &got);
    if (err != cases[i].err || got != cases[i].want)
      fail_msg("%s: err %d sev %d", cases[i].name, (int)err, (int)got);
  }
  assert_int_equal(otel_severity_parse(NULL, NULL), OTEL_EPARSE);
}

static void test_utf8_cut_never_splits_a_character(void **state) {
  (void)state;
  const char *s = "ab\xC3\xA9" "c\xE2\x82\xAC"; /* a b é c € : 2+2+1+3 bytes */
  size_t len = strlen(s);
  assert_int_equal(otel__utf8_cut(s, len, 100), len);
  assert_int_equal(otel__utf8_cut(s, len, 2), 2);
  assert_int_equal(otel__utf8_cut(s, len, 3), 2); /* inside é */
  assert_int_equal(otel__utf8_cut(s, len, 4), 4);
  assert_int_equal(otel__utf8_cut(s, len, 6), 5); /* inside € */
  assert_int_equal(otel__utf8_cut(s, len, 7), 5);
  assert_int_equal(otel__utf8_cut(s, len, 0), 0);
}

static void test_log_record_create_copies_every_field(void **state) {
  (void)state;
  char key[] = "client.address", val[] = "127.0.0.1", body[] = "hello";
  const char *tags[] = {"a", "b"};
  int64_t nums[] = {1, 2, 3};
  otel_attr_t attrs[] = {OTEL_ATTR_STR(key, val), OTEL_ATTR_INT("n", 7),
                         OTEL_ATTR_ARRAY("tags", OTEL_ATTR_TYPE_STRING_ARRAY, tags, 2),
                         OTEL_ATTR_ARRAY("nums", OTEL_ATTR_TYPE_INT_ARRAY, nums, 3),
                         OTEL_ATTR_STR("", "skipped")};
  otel_span_context_t sc = {.trace_flags = 1};
  for (int i = 0; i < 16; i++) sc.trace_id[i] = (uint8_t)(i + 1);
  for (int i = 0; i < 8; i++) sc.span_id[i] = (uint8_t)(0xa0 + i);
  otel__log_record_src_t src = {
      .timestamp_ns = 111, .observed_timestamp_ns = 222, .severity = OTEL_SEVERITY_WARN2,
      .severity_text = "warning", .body = body, .body_len = strlen(body),
      .event_name = "app.startup", .attrs = attrs, .attr_count = 5, .sc = &sc};
  const otel_logger_t *fake_logger = (const otel_logger_t *)&src;
  otel_log_record_t *r = otel__log_record_create(&src, fake_logger, NULL, 1000, 128);
  assert_non_null(r);
  /* Change the sources: the record must not see it. */
  key[0] = 'X';
  val[0] = 'X';
  body[0] = 'X';
  tags[0] = "changed";
  nums[0] = 99;
  assert_int_equal(r->timestamp_ns, 111);
  assert_int_equal(r->observed_timestamp_ns, 222);
  assert_int_equal(r->severity, OTEL_SEVERITY_WARN2);
  assert_string_equal(r->severity_text, "warning");
  assert_string_equal(r->body, "hello");
  assert_int_equal(r->body_len, 5);
  assert_false(r->body_truncated);
  assert_string_equal(r->event_name, "app.startup");
  assert_int_equal(r->attr_count, 4);
  assert_int_equal(r->dropped_attributes_count, 0);
  assert_string_equal(r->attrs[0].key, "client.address");
  assert_string_equal(r->attrs[0].value.s, "127.0.0.1");
  assert_int_equal(r->attrs[1].value.i, 7);
  const char *const *t = r->attrs[2].value.array.items;
  assert_int_equal(r->attrs[2].value.array.len, 2);
  assert_string_equal(t[0], "a");
  assert_string_equal(t[1], "b");
  const int64_t *nn = r->attrs[3].value.array.items;
  assert_int_equal(nn[0], 1);
  assert_int_equal(nn[2], 3);
  assert_memory_equal(r->trace_id, sc.trace_id, 16);
  assert_memory_equal(r->span_id, sc.span_id, 8);
  assert_int_equal(r->trace_flags, 1);
  assert_ptr_equal(r->logger, fake_logger);
  /* A second reference keeps it alive after the first is dropped. */
  assert_ptr_equal(otel_log_record_retain(r), r);
  otel_log_record_release(r);
  assert_string_equal(r->body, "hello");
  otel_log_record_release(r);
}

static void test_log_record_create_without_span_has_empty_ids(void **state) {
  (void)state;
  otel__log_record_src_t src = {.observed_timestamp_ns = 1, .severity = OTEL_SEVERITY_INFO};
  otel_log_record_t *r = otel__log_record_create(&src, NULL, NULL, 10, 10);
  assert_non_null(r);
  static const uint8_t zero[16];
  assert_memory_equal(r->trace_id, zero, 16);
  assert_memory_equal(r->span_id, zero, 8);
  assert_int_equal(r->trace_flags, 0);
  assert_null(r->body);
  assert_null(r->event_name);
  assert_string_equal(r->severity_text, "");
  assert_int_equal(r->attr_count, 0);
  otel_log_record_release(r);
}

static void test_log_record_create_over_limits_truncates_and_counts(void **state) {
  (void)state;
  otel_attr_t attrs[5];
  for (int i = 0; i < 5; i++) attrs[i] = OTEL_ATTR_INT("k", i);
  const char *body = "0123456789\xE2\x82\xAC"; /* 10 ASCII + 3-byte euro */
  otel__log_record_src_t src = {.severity = OTEL_SEVERITY_INFO, .body = body,
                                .body_len = strlen(body), .attrs = attrs, .attr_count = 5};
  otel_log_record_t *r = otel__log_record_create(&src, NULL, NULL, 12, 3);
  assert_non_null(r);
  assert_string_equal(r->body, "0123456789");
  assert_int_equal(r->body_len, 10);
  assert_true(r->body_truncated);
  assert_int_equal(r->attr_count, 3);
  assert_int_equal(r->dropped_attributes_count, 2);
  assert_int_equal(r->attrs[2].value.i, 2);
  otel_log_record_release(r);
}

static otel_log_record_t *record_of(const char *body) {
  otel__log_record_src_t src = {.observed_timestamp_ns = 1, .severity = OTEL_SEVERITY_INFO,
                                .severity_text = "INFO", .body = body, .body_len = strlen(body)};
  return otel__log_record_create(&src, NULL, NULL, 100000, 10);
}

static void test_log_record_small_and_large_blocks(void **state) {
  (void)state;
  char big[4000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  for (int round = 0; round < 3; round++) { /* pooled blocks come back and are reused */
    otel_log_record_t *small = record_of("received request from IP address: 127.0.0.1");
    otel_log_record_t *large = record_of(big);
    otel_log_record_t *utf8 = record_of("caf\xc3\xa9");
    assert_non_null(small);
    assert_non_null(large);
    assert_non_null(utf8);
    assert_string_equal(small->body, "received request from IP address: 127.0.0.1");
    assert_int_equal(large->body_len, sizeof big - 1);
    assert_memory_equal(large->body, big, sizeof big);
    assert_true(otel__log_record_text_is_ascii(small));
    assert_true(otel__log_record_text_is_ascii(large));
    assert_false(otel__log_record_text_is_ascii(utf8));
    assert_ptr_equal(otel_log_record_retain(small), small);
    otel_log_record_release(small);
    assert_string_equal(small->severity_text, "INFO"); /* still held once */
    otel_log_record_release(small);
    otel_log_record_release(large);
    otel_log_record_release(utf8);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_severity_name_all_levels_match_spec),
      cmocka_unit_test(test_severity_parse_table),
      cmocka_unit_test(test_utf8_cut_never_splits_a_character),
      cmocka_unit_test(test_log_record_create_copies_every_field),
      cmocka_unit_test(test_log_record_create_without_span_has_empty_ids),
      cmocka_unit_test(test_log_record_create_over_limits_truncates_and_counts),
      cmocka_unit_test(test_log_record_small_and_large_blocks),
  };
  return cmocka_run_group_tests_name("log_record", tests, NULL, NULL);
}
