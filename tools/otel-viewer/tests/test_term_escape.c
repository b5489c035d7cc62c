/* SPDX-License-Identifier: Apache-2.0
 *
 * test_term_escape.c: no string from telemetry can send a control
 * character to the participant's terminal (term_escape.c). The escaping
 * itself case by case, then the three views of the live view (waterfall,
 * log line, metrics table) with ESC sequences, BEL, CR, DEL and C1 in every
 * telemetry string: in plain mode the output holds no control character
 * but newline, in colour mode no ESC but the views' own colour sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../viewer.h"

static void expect_escaped(const char *in, const char *want) {
  char *got = vw_term_escape(in);
  assert_non_null(got);
  if (strcmp(got, want) != 0) fail_msg("escape of \"%s\": got \"%s\", want \"%s\"", in, got, want);
  free(got);
}

static void test_escapes_c0_del_c1_and_bad_bytes(void **state) {
  (void)state;
  expect_escaped("plain text: GET /distance?x=1", "plain text: GET /distance?x=1");
  expect_escaped("a\x1b[2Jb\a", "a\\x1b[2Jb\\x07");
  expect_escaped("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07");            /* window title */
  expect_escaped("\x1b]52;c;ZWNobyBoaQ==\x07", "\\x1b]52;c;ZWNobyBoaQ==\\x07"); /* clipboard */
  expect_escaped("tab\there\nnew\rcr", "tab\\there\\nnew\\rcr");
  expect_escaped("\x01\x7f", "\\x01\\x7f");
  expect_escaped("csi \xc2\x9b" "2J nel \xc2\x85", "csi \\u009b2J nel \\u0085"); /* C1 */
  expect_escaped("nbsp\xc2\xa0 \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9b\xb0",
                 "nbsp\xc2\xa0 \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9b\xb0"); /* UTF-8 */
  expect_escaped("bad \xff\xfe end", "bad \\xff\\xfe end");
  expect_escaped("cut \xe2\x82", "cut \\xe2\\x82");
  expect_escaped("overlong \xc0\xaf", "overlong \\xc0\\xaf");
  expect_escaped("", "");
  vw_buf_t b = {0};
  vw_term_line(&b, "one\nline\r\x1b[1Aup");
  char *line = vw_buf_take(&b);
  assert_string_equal(line, "one line \\x1b[1Aup");
  free(line);
}

/* No control character but '\n' (plain), or only SGR sequences ESC [ digits
 * and ';' m (colour); no DEL, no C1. */
static void assert_terminal_safe(const char *text, bool color) {
  const unsigned char *s = (const unsigned char *)text;
  for (size_t i = 0; s[i]; i++) {
    if (s[i] == 0x1b && color) {
      size_t k = i + 1;
      if (s[k++] != '[') fail_msg("ESC not followed by [ at %zu: %s", i, text);
      while ((s[k] >= '0' && s[k] <= '9') || s[k] == ';') k++;
      if (s[k] != 'm') fail_msg("ESC sequence other than SGR at %zu: %s", i, text);
      i = k;
      continue;
    }
    if ((s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
      fail_msg("control byte 0x%02x at %zu in: %s", s[i], i, text);
    if (s[i] == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] < 0xa0)
      fail_msg("C1 character at %zu in: %s", i, text);
  }
}

#define EVIL "\x1b[2J\x1b[H\a\r\x7f\xc2\x9b" "31m"

static void test_views_escape_every_telemetry_string(void **state) {
  (void)state;
  vw_span_t spans[2] = {0};
  for (int i = 0; i < 2; i++) {
    memset(spans[i].trace_id, 0x11, 16);
    spans[i].span_id[7] = (uint8_t)(i + 1);
    spans[i].service = "svc" EVIL;
    spans[i].name = "name" EVIL;
    spans[i].kind = 2;
    spans[i].start_ns = 1000000000ull * (uint64_t)(i + 1);
    spans[i].end_ns = spans[i].start_ns + 5000000;
    spans[i].status_code = 2;
    spans[i].status_message = "status" EVIL;
    spans[i].attrs = "http.route=/x" EVIL;
  }
  spans[1].parent_id[7] = 1;
  spans[1].has_parent = true;
  vw_trace_t t = {.spans = spans, .n_spans = 2, .root_seen = true};
  memcpy(t.trace_id, spans[0].trace_id, 16);
  vw_log_t l = {.time_ns = 1, .severity_number = 17, .severity_text = "ERR" EVIL,
                .service = "svc" EVIL, .body = "body\n" EVIL, .has_trace = false};
  vw_metric_t m = {.service = "svc" EVIL, .name = "metric" EVIL, .unit = "s" EVIL,
                   .attrs = "k=v" EVIL, .type = VW_METRIC_SUM, .is_int = true, .int_value = 3,
                   .p50 = NAN, .p99 = NAN};
  const vw_metric_t *mp = &m;
  for (int color = 0; color < 2; color++) {
    vw_render_opts_t o = {.color = color, .bar_width = 20};
    char *text = vw_render_waterfall(&t, &o);
    assert_non_null(text);
    assert_terminal_safe(text, color);
    assert_non_null(strstr(text, "\\x1b[2J\\x1b[H\\x07\\r\\x7f\\u009b31m"));
    free(text);
    text = vw_render_log(&l, &o);
    assert_non_null(text);
    assert_terminal_safe(text, color);
    assert_non_null(strstr(text, "body \\x1b[2J"));
    free(text);
    text = vw_render_metrics(&mp, 1, &o);
    assert_non_null(text);
    assert_terminal_safe(text, color);
    assert_non_null(strstr(text, "metric\\x1b[2J"));
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escapes_c0_del_c1_and_bad_bytes),
      cmocka_unit_test(test_views_escape_every_telemetry_string),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
