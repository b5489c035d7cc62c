/* test_tracestate.c: W3C tracestate validation (tracestate.c): keys, values,
 * list limits and normalisation, from the Trace Context specification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/propagation.h"

struct ts_case {
  const char *name;
  const char *input;
  const char *want; /* normalised, or NULL for invalid */
};

static const struct ts_case cases[] = {
    {"one member", "foo=1", "foo=1"},
    {"two members", "foo=1,bar=2", "foo=1,bar=2"},
    {"spaces around members", " foo=1 ,\tbar=2 ", "foo=1,bar=2"},
    {"empty members skipped", "foo=1,,,bar=2,", "foo=1,bar=2"},
    {"multi-tenant key", "tenant@system=x", "tenant@system=x"},
    {"at sign at the end", "foo@=1,bar=2", "foo@=1,bar=2"},
    {"two at signs", "foo@@bar=1,foo@bar@baz=2", "foo@@bar=1,foo@bar@baz=2"},
    {"key starts with at sign", "@foo=1,bar=2", NULL},
    {"key starts with digit", "1foo=1", "1foo=1"},
    {"leading value spaces kept", "foo=  1", "foo=  1"},
    {"tabs as OWS", "foo=1\t \t,\t \tbar=2", "foo=1,bar=2"},
    {"tenant starting with digit", "1tenant@sys=x", "1tenant@sys=x"},
    {"key special chars", "a_b-c*d/e=1", "a_b-c*d/e=1"},
    {"value with spaces inside", "foo=a b c", "foo=a b c"},
    {"value all printable", "foo=!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~", "foo=!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~"},
    {"empty header", "", NULL},
    {"only commas", ",,", NULL},
    {"upper-case key", "Foo=1", NULL},
    {"key with space", "fo o=1", NULL},
    {"no equals", "foo", NULL},
    {"empty value", "foo=", NULL},
    {"value with comma-free equals", "foo=a=b", NULL},
    {"value trailing space kept invalid", "foo=bar \x01", NULL},
    {"value with control char", "foo=a\x01" "b", NULL},
    {"duplicate keys keep the first", "foo=1,foo=2,bar=3", "foo=1,bar=3"},
    {"241@14 is 256 characters", "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt@vvvvvvvvvvvvvv=1", "ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt@vvvvvvvvvvvvvv=1"},
    {"upper case after at", "t@Sys=1", NULL},
    {"one bad member spoils all", "foo=1,BAD=2", NULL},
};

static void test_tracestate_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct ts_case *c = &cases[i];
    char *got = otel_tracestate_normalize(c->input);
    if (!c->want && got) fail_msg("%s: accepted as %s", c->name, got);
    if (c->want && (!got || strcmp(got, c->want))) fail_msg("%s: got %s", c->name, got ? got : "(invalid)");
    free(got);
  }
}

static void test_tracestate_member_limit_32(void **state) {
  (void)state;
  char buf[1024] = "";
  for (int i = 0; i < 32; i++) {
    char m[24];
    snprintf(m, sizeof(m), "%sk%d=v", i ? "," : "", i);
    strcat(buf, m);
  }
  char *got = otel_tracestate_normalize(buf);
  assert_non_null(got);
  assert_string_equal(got, buf);
  free(got);
  strcat(buf, ",k32=v");
  assert_null(otel_tracestate_normalize(buf));
}

static void test_tracestate_key_and_value_length_limits(void **state) {
  (void)state;
  char key[258], buf[600];
  memset(key, 'a', 256);
  key[256] = '\0';
  snprintf(buf, sizeof(buf), "%s=1", key);
  char *got = otel_tracestate_normalize(buf);
  assert_non_null(got); /* 256 chars: the longest simple key */
  free(got);
  key[256] = 'a';
  key[257] = '\0';
  snprintf(buf, sizeof(buf), "%s=1", key);
  assert_null(otel_tracestate_normalize(buf));
  char value[258];
  memset(value, 'v', 256);
  value[256] = '\0';
  snprintf(buf, sizeof(buf), "k=%s", value);
  got = otel_tracestate_normalize(buf);
  assert_non_null(got);
  free(got);
  value[256] = 'v';
  value[257] = '\0';
  snprintf(buf, sizeof(buf), "k=%s", value);
  assert_null(otel_tracestate_normalize(buf));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tracestate_table),
      cmocka_unit_test(test_tracestate_member_limit_32),
      cmocka_unit_test(test_tracestate_key_and_value_length_limits),
  };
  return cmocka_run_group_tests_name("tracestate", tests, NULL, NULL);
}
