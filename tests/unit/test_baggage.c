/* test_baggage.c: W3C Baggage (baggage.c): parsing, percent-encoding,
 * properties (validated against the W3C grammar, a member with bad ones
 * skipped), invalid members skipped, limits, current baggage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/propagation.h"

struct bg_case {
  const char *name;
  const char *input;
  size_t want_count;
  const char *key;
  const char *want_value; /* of key; NULL: absent */
};

static const struct bg_case cases[] = {
    {"one", "userId=alice", 1, "userId", "alice"},
    {"spaces", "  a = 1 ,  b=2 ", 2, "a", "1"},
    {"percent-decoded", "city=S%C3%A3o%20Paulo", 1, "city", "S\xc3\xa3o Paulo"},
    {"properties kept apart", "k=v;prop1=x;flag", 1, "k", "v"},
    {"empty value allowed", "k=", 1, "k", ""},
    {"bad key skipped, rest kept", "bad key=1,good=2", 1, "good", "2"},
    {"bad escape skipped", "a=%zz,b=ok", 1, "b", "ok"},
    {"forbidden char skipped", "a=x\"y,b=ok", 1, "a", NULL},
    {"no equals skipped", "novalue,b=ok", 1, "b", "ok"},
    {"nothing valid", ",,,", 0, "a", NULL},
    {"last duplicate wins", "a=1,a=2", 1, "a", "2"},
};

static void test_baggage_parse_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct bg_case *c = &cases[i];
    otel_baggage_t *b = otel_baggage_parse(c->input);
    if (otel_baggage_count(b) != c->want_count) fail_msg("%s: count %zu", c->name, otel_baggage_count(b));
    const char *v = otel_baggage_get(b, c->key);
    if ((v == NULL) != (c->want_value == NULL) || (v && strcmp(v, c->want_value)))
      fail_msg("%s: %s=%s", c->name, c->key, v ? v : "(absent)");
    otel_baggage_destroy(b);
  }
}

/* Properties per the W3C grammar: property = key OWS "=" OWS value / key
 * OWS, key a token, value baggage-octets. want_props NULL: member "k" is
 * dropped (and member "other=1" after it kept). */
static void test_baggage_properties_validated(void **state) {
  (void)state;
  static const struct {
    const char *name, *input, *want_props;
  } props[] = {
      {"key=value and flag", "k=v;ttl=5;flag,other=1", "ttl=5;flag"},
      {"optional whitespace removed", "k=v ; ttl = 5 ;\tflag ,other=1", "ttl=5;flag"},
      {"empty properties ignored", "k=v;;p;,other=1", "p"},
      {"empty property value", "k=v;p=,other=1", "p="},
      {"key not a token", "k=v;bad key=1,other=1", NULL},
      {"empty key", "k=v;=x,other=1", NULL},
      {"space inside a value", "k=v;p=a b,other=1", NULL},
      {"quote in a value", "k=v;p=\"q\",other=1", NULL},
      {"backslash in a value", "k=v;p=x\\y,other=1", NULL},
      {"CR LF in a value", "k=v;p=x\r\nX-Injected: 1,other=1", NULL},
      {"NUL-free control char", "k=v;p=\x1b[2J,other=1", NULL},
      {"non-ASCII in a key", "k=v;cl\xc3\xa9=1,other=1", NULL},
  };
  for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
    otel_baggage_t *b = otel_baggage_parse(props[i].input);
    const char *k = NULL, *meta = NULL;
    bool found = false;
    for (size_t j = 0; j < otel_baggage_count(b); j++) {
      otel_baggage_entry(b, j, &k, NULL, &meta);
      if (!strcmp(k, "k")) {
        found = true;
        break;
      }
    }
    if (!otel_baggage_get(b, "other")) fail_msg("%s: the next member was lost", props[i].name);
    if (!props[i].want_props && found)
      fail_msg("%s: member kept with properties \"%s\"", props[i].name, meta ? meta : "");
    if (props[i].want_props && (!found || !meta || strcmp(meta, props[i].want_props)))
      fail_msg("%s: properties \"%s\", want \"%s\"", props[i].name, found && meta ? meta : "(none)",
               props[i].want_props);
    otel_baggage_destroy(b);
  }
}

/* Properties set in code are checked too: they go out on the wire as is. */
static void test_baggage_set_refuses_bad_properties(void **state) {
  (void)state;
  otel_baggage_t *b = otel_baggage_create();
  assert_int_equal(otel_baggage_set(b, "k", "v", "ttl=5\r\nX-Injected: 1"), OTEL_EINVAL);
  assert_int_equal(otel_baggage_set(b, "k", "v", "a,b"), OTEL_EINVAL);
  assert_int_equal(otel_baggage_set(b, "k", "v", "p=x y"), OTEL_EINVAL);
  assert_int_equal(otel_baggage_count(b), 0);
  assert_int_equal(otel_baggage_set(b, "k", "v", " ttl = 5 ; flag "), OTEL_OK);
  char *h = otel_baggage_format(b);
  assert_string_equal(h, "k=v;ttl=5;flag");
  free(h);
  otel_baggage_destroy(b);
}

static void test_baggage_format_encodes_values(void **state) {
  (void)state;
  otel_baggage_t *b = otel_baggage_create();
  assert_int_equal(otel_baggage_set(b, "place", "S\xc3\xa3o Paulo, BR", NULL), OTEL_OK);
  assert_int_equal(otel_baggage_set(b, "k", "50%", "ttl=5"), OTEL_OK);
  assert_int_equal(otel_baggage_set(b, "bad key", "x", NULL), OTEL_EINVAL);
  char *h = otel_baggage_format(b);
  assert_string_equal(h, "place=S%C3%A3o%20Paulo%2C%20BR,k=50%25;ttl=5");
  otel_baggage_t *back = otel_baggage_parse(h);
  assert_string_equal(otel_baggage_get(back, "place"), "S\xc3\xa3o Paulo, BR");
  assert_string_equal(otel_baggage_get(back, "k"), "50%");
  free(h);
  otel_baggage_destroy(back);
  otel_baggage_destroy(b);
}

static void test_baggage_member_limit_drops_extra(void **state) {
  (void)state;
  char header[2048] = "";
  for (int i = 0; i < 70; i++) {
    char m[24];
    snprintf(m, sizeof(m), "%sk%d=v", i ? "," : "", i);
    strcat(header, m);
  }
  otel_baggage_t *b = otel_baggage_parse(header);
  assert_int_equal(otel_baggage_count(b), OTEL_BAGGAGE_MAX_MEMBERS);
  assert_null(otel_baggage_get(b, "k64"));
  otel_baggage_destroy(b);
}

static void test_baggage_size_limit(void **state) {
  (void)state;
  otel_baggage_t *b = otel_baggage_create();
  char *big = malloc(9000);
  memset(big, 'x', 8999);
  big[8999] = '\0';
  assert_int_equal(otel_baggage_set(b, "big", big, NULL), OTEL_EFULL);
  assert_int_equal(otel_baggage_count(b), 0);
  free(big);
  otel_baggage_destroy(b);
}

static void test_baggage_current_is_thread_local_and_owned(void **state) {
  (void)state;
  assert_null(otel_baggage_current());
  otel_baggage_t *b = otel_baggage_parse("a=1");
  otel_baggage_set_current(b);
  assert_ptr_equal(otel_baggage_current(), b);
  otel_baggage_set_current(otel_baggage_parse("a=2")); /* frees the first */
  assert_string_equal(otel_baggage_get(otel_baggage_current(), "a"), "2");
  otel_baggage_set_current(NULL);
  assert_null(otel_baggage_current());
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_baggage_parse_table),
      cmocka_unit_test(test_baggage_properties_validated),
      cmocka_unit_test(test_baggage_set_refuses_bad_properties),
      cmocka_unit_test(test_baggage_format_encodes_values),
      cmocka_unit_test(test_baggage_member_limit_drops_extra),
      cmocka_unit_test(test_baggage_size_limit),
      cmocka_unit_test(test_baggage_current_is_thread_local_and_owned),
  };
  return cmocka_run_group_tests_name("baggage", tests, NULL, NULL);
}
