/* test_traceparent.c: W3C traceparent parsing and formatting
 * (traceparent.c), case by case from the Trace Context specification and
 * the cases its test suite sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "otel/propagation.h"

#define TID "4bf92f3577b34da6a3ce929d0e0e4736"
#define SID "00f067aa0ba902b7"

struct tp_case {
  const char *name;
  const char *input;
  bool want_valid;
  uint8_t want_flags;
};

static const struct tp_case cases[] = {
    {"valid sampled", "00-" TID "-" SID "-01", true, 0x01},
    {"valid not sampled", "00-" TID "-" SID "-00", true, 0x00},
    {"random flag (level 2)", "00-" TID "-" SID "-03", true, 0x03},
    {"unknown flags ignored", "00-" TID "-" SID "-ff", true, 0x03},
    {"leading and trailing spaces", "  00-" TID "-" SID "-01 \t", true, 0x01},
    {"future version, same length", "cc-" TID "-" SID "-01", true, 0x01},
    {"future version with extra field", "cc-" TID "-" SID "-01-what-the-future-will-be-like", true, 0x01},
    {"version 00 with extra field", "00-" TID "-" SID "-01-extra", false, 0},
    {"future version, extra without dash", "cc-" TID "-" SID "-01x", false, 0},
    {"version ff", "ff-" TID "-" SID "-01", false, 0},
    {"upper-case version", "0A-" TID "-" SID "-01", false, 0},
    {"upper-case trace id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" SID "-01", false, 0},
    {"upper-case span id", "00-" TID "-00F067AA0BA902B7-01", false, 0},
    {"upper-case flags", "00-" TID "-" SID "-0A", false, 0},
    {"all-zero trace id", "00-00000000000000000000000000000000-" SID "-01", false, 0},
    {"all-zero span id", "00-" TID "-0000000000000000-01", false, 0},
    {"trace id too short", "00-4bf92f3577b34da6a3ce929d0e0e473-" SID "-01", false, 0},
    {"trace id too long", "00-4bf92f3577b34da6a3ce929d0e0e47366-" SID "-01", false, 0},
    {"span id too short", "00-" TID "-00f067aa0ba902b-01", false, 0},
    {"flags one digit", "00-" TID "-" SID "-1", false, 0},
    {"wrong separator", "00_" TID "-" SID "-01", false, 0},
    {"non-hex in trace id", "00-4bf92f3577b34da6a3ce929d0e0e473g-" SID "-01", false, 0},
    {"non-hex version", "0x-" TID "-" SID "-01", false, 0},
    {"empty", "", false, 0},
    {"only spaces", "   ", false, 0},
    {"two headers joined", "00-" TID "-" SID "-01,00-" TID "-" SID "-01", false, 0},
    {"garbage", "hello world, this is not a traceparent at all....", false, 0},
};

static void test_traceparent_parse_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct tp_case *c = &cases[i];
    otel_span_context_t sc;
    bool ok = otel_traceparent_parse(c->input, &sc);
    if (ok != c->want_valid) fail_msg("%s: valid=%d", c->name, ok);
    if (ok && sc.trace_flags != c->want_flags) fail_msg("%s: flags %02x", c->name, sc.trace_flags);
    if (ok && !sc.is_remote) fail_msg("%s: not marked remote", c->name);
    if (!ok && otel_span_context_is_valid(&sc)) fail_msg("%s: invalid left ids set", c->name);
  }
}

static void test_traceparent_parse_null_invalid(void **state) {
  (void)state;
  otel_span_context_t sc;
  assert_false(otel_traceparent_parse(NULL, &sc));
  assert_false(otel_traceparent_parse("00-" TID "-" SID "-01", NULL));
  char out[OTEL_TRACEPARENT_LEN + 1] = "x";
  otel_span_context_t invalid = {0};
  otel_traceparent_format(&invalid, out);
  assert_string_equal(out, "");
  otel_traceparent_format(NULL, out);
  assert_string_equal(out, "");
}

static void test_traceparent_round_trip_lowercase(void **state) {
  (void)state;
  otel_span_context_t sc;
  assert_true(otel_traceparent_parse("00-" TID "-" SID "-01", &sc));
  char out[OTEL_TRACEPARENT_LEN + 1];
  otel_traceparent_format(&sc, out);
  assert_string_equal(out, "00-" TID "-" SID "-01");
  assert_true(otel_traceparent_parse("cc-" TID "-" SID "-09-future", &sc));
  otel_traceparent_format(&sc, out); /* we only speak version 00 */
  assert_string_equal(out, "00-" TID "-" SID "-01");
}

/* Every byte value is written as its two lower-case hex digits, in both
 * ids, and parses back to itself. */
static void test_traceparent_every_byte_value(void **state) {
  (void)state;
  for (int b = 0; b < 256; b++) {
    otel_span_context_t sc = {.trace_flags = 1};
    for (int i = 0; i < 16; i++) sc.trace_id[i] = (uint8_t)(i == 15 ? b : b ^ 0x5a);
    for (int i = 0; i < 8; i++) sc.span_id[i] = (uint8_t)(i == 0 ? b : b ^ 0xa5);
    char out[OTEL_TRACEPARENT_LEN + 1], want[OTEL_TRACEPARENT_LEN + 1];
    otel_traceparent_format(&sc, out);
    int n = snprintf(want, sizeof want, "00-");
    for (int i = 0; i < 16; i++) n += snprintf(want + n, sizeof want - (size_t)n, "%02x", sc.trace_id[i]);
    n += snprintf(want + n, sizeof want - (size_t)n, "-");
    for (int i = 0; i < 8; i++) n += snprintf(want + n, sizeof want - (size_t)n, "%02x", sc.span_id[i]);
    snprintf(want + n, sizeof want - (size_t)n, "-01");
    assert_string_equal(out, want);
    otel_span_context_t back;
    assert_true(otel_traceparent_parse(out, &back));
    assert_memory_equal(back.trace_id, sc.trace_id, 16);
    assert_memory_equal(back.span_id, sc.span_id, 8);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_traceparent_parse_table),
      cmocka_unit_test(test_traceparent_parse_null_invalid),
      cmocka_unit_test(test_traceparent_round_trip_lowercase),
      cmocka_unit_test(test_traceparent_every_byte_value),
  };
  return cmocka_run_group_tests_name("traceparent", tests, NULL, NULL);
}
