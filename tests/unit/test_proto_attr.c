/* test_proto_attr.c: otel_attr_t -> OTLP KeyValue (proto_attr.c, arena.c):
 * every attribute type survives a pack/unpack round trip; keys and strings
 * that are not valid UTF-8 arrive with U+FFFD for each bad byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto_attr.h"

typedef Opentelemetry__Proto__Common__V1__KeyValueList kvlist_t;

static kvlist_t *round_trip(const otel_attr_t *attrs, size_t n, size_t *out_n) {
  otel__arena_t arena;
  otel__arena_init(&arena, 64); /* tiny blocks: exercise block chaining */
  kvlist_t list = OPENTELEMETRY__PROTO__COMMON__V1__KEY_VALUE_LIST__INIT;
  list.values = otel__proto_kvs(&arena, attrs, n, &list.n_values);
  *out_n = list.n_values;
  size_t len = opentelemetry__proto__common__v1__key_value_list__get_packed_size(&list);
  uint8_t *buf = malloc(len);
  assert_non_null(buf);
  opentelemetry__proto__common__v1__key_value_list__pack(&list, buf);
  otel__arena_cleanup(&arena);
  kvlist_t *back = opentelemetry__proto__common__v1__key_value_list__unpack(NULL, len, buf);
  free(buf);
  assert_non_null(back);
  return back;
}

static void test_proto_attr_scalars_round_trip(void **state) {
  (void)state;
  char key[] = "http.route";
  otel_attr_t attrs[] = {
      OTEL_ATTR_STR(key, "/users/:id"), OTEL_ATTR_BOOL("ok", true),
      OTEL_ATTR_INT("http.response.status_code", 404),
      OTEL_ATTR_DOUBLE("ratio", 0.25), OTEL_ATTR_STR("", "ignored"),
      OTEL_ATTR_STR("null.value", NULL)};
  size_t n;
  kvlist_t *back = round_trip(attrs, 6, &n);
  assert_int_equal(n, 5);
  assert_int_equal(back->n_values, 5);
  assert_string_equal(back->values[0]->key, "http.route");
  assert_string_equal(back->values[0]->value->string_value, "/users/:id");
  assert_true(back->values[1]->value->bool_value);
  assert_int_equal(back->values[2]->value->int_value, 404);
  assert_true(back->values[3]->value->double_value == 0.25);
  assert_string_equal(back->values[4]->key, "null.value");
  assert_string_equal(back->values[4]->value->string_value, "");
  opentelemetry__proto__common__v1__key_value_list__free_unpacked(back, NULL);
}

static void test_proto_attr_arrays_round_trip(void **state) {
  (void)state;
  const char *strs[] = {"a", "bb", "ccc"};
  int64_t ints[] = {-1, 0, INT64_MAX};
  double dbls[] = {1.5};
  bool bools[] = {true, false};
  otel_attr_t attrs[] = {
      OTEL_ATTR_ARRAY("s", OTEL_ATTR_TYPE_STRING_ARRAY, strs, 3),
      OTEL_ATTR_ARRAY("i", OTEL_ATTR_TYPE_INT_ARRAY, ints, 3),
      OTEL_ATTR_ARRAY("d", OTEL_ATTR_TYPE_DOUBLE_ARRAY, dbls, 1),
      OTEL_ATTR_ARRAY("b", OTEL_ATTR_TYPE_BOOL_ARRAY, bools, 2),
      OTEL_ATTR_ARRAY("empty", OTEL_ATTR_TYPE_INT_ARRAY, NULL, 0)};
  size_t n;
  kvlist_t *back = round_trip(attrs, 5, &n);
  assert_int_equal(back->n_values, 5);
  Opentelemetry__Proto__Common__V1__ArrayValue *a = back->values[0]->value->array_value;
  assert_int_equal(a->n_values, 3);
  assert_string_equal(a->values[2]->string_value, "ccc");
  a = back->values[1]->value->array_value;
  assert_true(a->values[2]->int_value == INT64_MAX);
  assert_true(back->values[2]->value->array_value->values[0]->double_value == 1.5);
  assert_false(back->values[3]->value->array_value->values[1]->bool_value);
  assert_int_equal(back->values[4]->value->value_case,
                   OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE);
  opentelemetry__proto__common__v1__key_value_list__free_unpacked(back, NULL);
}

static void test_proto_attr_invalid_utf8_replaced(void **state) {
  (void)state;
  const char *strs[] = {"ok \xC3\xA9", "\xF5\x80"};
  otel_attr_t attrs[] = {OTEL_ATTR_STR("user_agent.original", "Mozilla \xE9t\xE9"),
                         OTEL_ATTR_STR("bad \x80 key", "v"),
                         OTEL_ATTR_ARRAY("s", OTEL_ATTR_TYPE_STRING_ARRAY, strs, 2)};
  size_t n;
  kvlist_t *back = round_trip(attrs, 3, &n);
  assert_int_equal(back->n_values, 3);
  assert_string_equal(back->values[0]->value->string_value, "Mozilla \xEF\xBF\xBDt\xEF\xBF\xBD");
  assert_string_equal(back->values[1]->key, "bad \xEF\xBF\xBD key");
  Opentelemetry__Proto__Common__V1__ArrayValue *a = back->values[2]->value->array_value;
  assert_string_equal(a->values[0]->string_value, "ok \xC3\xA9");
  assert_string_equal(a->values[1]->string_value, "\xEF\xBF\xBD\xEF\xBF\xBD");
  opentelemetry__proto__common__v1__key_value_list__free_unpacked(back, NULL);
}

static void test_arena_large_allocation_gets_own_block(void **state) {
  (void)state;
  otel__arena_t arena;
  otel__arena_init(&arena, 32);
  unsigned char *big = otel__arena_alloc(&arena, 1000);
  assert_non_null(big);
  for (int i = 0; i < 1000; i++) assert_int_equal(big[i], 0);
  memset(big, 0xab, 1000);
  char *s = otel__arena_strdup(&arena, "after");
  assert_string_equal(s, "after");
  assert_int_equal(big[999], 0xab);
  otel__arena_cleanup(&arena);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_proto_attr_scalars_round_trip),
      cmocka_unit_test(test_proto_attr_arrays_round_trip),
      cmocka_unit_test(test_proto_attr_invalid_utf8_replaced),
      cmocka_unit_test(test_arena_large_allocation_gets_own_block),
  };
  return cmocka_run_group_tests_name("proto_attr", tests, NULL, NULL);
}
