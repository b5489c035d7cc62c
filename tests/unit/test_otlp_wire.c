/* test_otlp_wire.c: the hand-written protobuf wire format (otlp_wire.h,
 * otlp_wire_back.h): varints at their length boundaries; attributes of
 * every type written by otel__wback_attrs (the encoders' backward writer,
 * otlp_wire_back.c) are byte for byte what protobuf-c packs from the same
 * attributes (proto_attr.c), whether they are checked for UTF-8 or known
 * valid already; empty keys are left out; bytes that are not valid UTF-8
 * arrive as U+FFFD; a field number >= 16 takes a two-byte tag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otlp_wire_back.h"
#include "proto_attr.h"

typedef Opentelemetry__Proto__Common__V1__KeyValueList kvlist_t;

static void test_wire_varint_lengths_at_boundaries(void **state) {
  (void)state;
  const struct { uint64_t v; size_t len; } cases[] = {
      {0, 1}, {127, 1}, {128, 2}, {16383, 2}, {16384, 3}, {(1u << 21) - 1, 3},
      {1u << 21, 4}, {UINT32_MAX, 5}, {(uint64_t)INT64_MAX, 9}, {UINT64_MAX, 10}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t buf[16];
    assert_int_equal(wire_varint_len(cases[i].v), cases[i].len);
    assert_int_equal(wire_put_varint(buf, cases[i].v) - buf, cases[i].len);
    /* decode it back: 7 bits a byte, high bit set on all but the last */
    uint64_t back = 0;
    for (size_t b = 0; b < cases[i].len; b++) {
      assert_int_equal((buf[b] & 0x80) != 0, b + 1 < cases[i].len);
      back |= (uint64_t)(buf[b] & 0x7f) << (7 * b);
    }
    assert_true(back == cases[i].v);
  }
  uint8_t one[] = {0x96, 0x01}, buf[4]; /* 150, the protobuf guide's example */
  assert_memory_equal(wire_put_varint(buf, 150) - 2, one, 2);
}

static void test_wire_tags_and_fixed_fields(void **state) {
  (void)state;
  uint8_t buf[16];
  assert_int_equal(wire_put_tag(buf, 1, WIRE_LEN) - buf, 1);
  assert_int_equal(buf[0], 0x0a);
  assert_int_equal(wire_tag_len(15), 1);
  assert_int_equal(wire_tag_len(16), 2);
  assert_int_equal(wire_put_tag(buf, 16, WIRE_VARINT) - buf, 2);
  assert_int_equal(buf[0], 0x80);
  assert_int_equal(buf[1], 0x01);
  /* fixed64 and fixed32 are little-endian */
  uint8_t *p = wire_put_fixed64(buf, 0x0102030405060708ull);
  assert_int_equal(p - buf, 8);
  assert_int_equal(buf[0], 0x08);
  assert_int_equal(buf[7], 0x01);
  wire_put_fixed32(buf, 0xa1b2c3d4u);
  assert_int_equal(buf[0], 0xd4);
  assert_int_equal(buf[3], 0xa1);
  /* proto3 scalars at their default are left out */
  assert_int_equal(wire_opt_varint_size(3, 0), 0);
  assert_ptr_equal(wire_put_opt_varint(buf, 3, 0), buf);
  assert_int_equal(wire_opt_string_size(1, ""), 0);
  assert_int_equal(wire_opt_string_size(1, NULL), 0);
  assert_int_equal(wire_opt_fixed64_size(7, 0), 0);
  assert_int_equal(wire_opt_fixed64_size(7, 1), 9);
}

/* What protobuf-c packs from the same attributes: a KeyValueList, whose
 * field 1 is the repeated KeyValue every OTLP message uses. */
static uint8_t *packed_by_protobuf_c(const otel_attr_t *attrs, size_t n, size_t *len) {
  otel__arena_t arena;
  otel__arena_init(&arena, 256);
  kvlist_t list = OPENTELEMETRY__PROTO__COMMON__V1__KEY_VALUE_LIST__INIT;
  list.values = otel__proto_kvs(&arena, attrs, n, &list.n_values);
  *len = opentelemetry__proto__common__v1__key_value_list__get_packed_size(&list);
  uint8_t *buf = malloc(*len + 1);
  assert_non_null(buf);
  opentelemetry__proto__common__v1__key_value_list__pack(&list, buf);
  otel__arena_cleanup(&arena);
  return buf;
}

/* Writes attrs as `field` with the backward writer, from an empty one (it
 * grows as it writes); returns a malloc'd copy of the bytes. */
static uint8_t *written_backwards(unsigned field, const otel_attr_t *attrs, size_t n, bool valid,
                                  size_t *len) {
  otel__wback_t w = {0};
  otel__wback_attrs(&w, field, attrs, n, valid);
  assert_false(w.failed);
  *len = otel__wback_len(&w);
  uint8_t *out = malloc(*len + 1);
  assert_non_null(out);
  if (*len) memcpy(out, w.p, *len);
  free(w.buf);
  return out;
}

static uint8_t *written_by_wire(const otel_attr_t *attrs, size_t n, size_t *len) {
  return written_backwards(1, attrs, n, false, len);
}

static size_t wire_len(const otel_attr_t *attrs, size_t n) {
  size_t len;
  free(written_backwards(1, attrs, n, false, &len));
  return len;
}

static void expect_same_bytes(const otel_attr_t *attrs, size_t n) {
  size_t want_len, got_len;
  uint8_t *want = packed_by_protobuf_c(attrs, n, &want_len);
  uint8_t *got = written_by_wire(attrs, n, &got_len);
  assert_int_equal(got_len, want_len);
  assert_memory_equal(got, want, want_len);
  /* valid UTF-8 already (as span data is): the unchecked path, same bytes */
  size_t fast_len;
  uint8_t *fast = written_backwards(1, attrs, n, true, &fast_len);
  assert_int_equal(fast_len, want_len);
  assert_memory_equal(fast, want, want_len);
  free(fast);
  free(want);
  free(got);
}

static void test_wire_scalars_match_protobuf_c(void **state) {
  (void)state;
  otel_attr_t attrs[] = {
      OTEL_ATTR_STR("http.route", "/users/:id"),
      OTEL_ATTR_STR("empty.string", ""),
      OTEL_ATTR_STR("null.string", NULL),
      OTEL_ATTR_BOOL("yes", true),
      OTEL_ATTR_BOOL("no", false), /* a oneof member: written even when false */
      OTEL_ATTR_INT("zero", 0),
      OTEL_ATTR_INT("status", 404),
      OTEL_ATTR_INT("negative", -1), /* ten bytes, as protobuf int64 */
      OTEL_ATTR_INT("max", INT64_MAX),
      OTEL_ATTR_DOUBLE("ratio", 0.25),
      OTEL_ATTR_DOUBLE("zero.double", 0.0),
  };
  expect_same_bytes(attrs, sizeof attrs / sizeof attrs[0]);
}

static void test_wire_arrays_match_protobuf_c(void **state) {
  (void)state;
  const char *strs[] = {"a", "", "ccc"};
  int64_t ints[] = {-1, 0, INT64_MAX};
  double dbls[] = {1.5, -0.0};
  bool bools[] = {true, false};
  otel_attr_t attrs[] = {
      OTEL_ATTR_ARRAY("s", OTEL_ATTR_TYPE_STRING_ARRAY, strs, 3),
      OTEL_ATTR_ARRAY("i", OTEL_ATTR_TYPE_INT_ARRAY, ints, 3),
      OTEL_ATTR_ARRAY("d", OTEL_ATTR_TYPE_DOUBLE_ARRAY, dbls, 2),
      OTEL_ATTR_ARRAY("b", OTEL_ATTR_TYPE_BOOL_ARRAY, bools, 2),
      OTEL_ATTR_ARRAY("empty", OTEL_ATTR_TYPE_INT_ARRAY, NULL, 0),
  };
  expect_same_bytes(attrs, sizeof attrs / sizeof attrs[0]);
}

static void test_wire_long_values_take_longer_length_prefixes(void **state) {
  (void)state;
  static char big[70000]; /* a three-byte length prefix */
  memset(big, 'x', sizeof big - 1);
  char key[200]; /* a KeyValue over 127 bytes: a two-byte prefix */
  memset(key, 'k', sizeof key - 1);
  key[sizeof key - 1] = '\0';
  otel_attr_t attrs[] = {OTEL_ATTR_STR("big", big), OTEL_ATTR_STR(key, "v")};
  expect_same_bytes(attrs, 2);
}

static void test_wire_empty_keys_are_left_out(void **state) {
  (void)state;
  otel_attr_t attrs[] = {OTEL_ATTR_STR("", "dropped"), OTEL_ATTR_STR(NULL, "dropped"),
                         OTEL_ATTR_INT("kept", 1)};
  size_t len;
  uint8_t *got = written_by_wire(attrs, 3, &len);
  otel_attr_t kept[] = {OTEL_ATTR_INT("kept", 1)};
  assert_int_equal(len, wire_len(kept, 1));
  free(got);
  expect_same_bytes(attrs, 3);
  assert_int_equal(wire_len(attrs, 2), 0);
  assert_int_equal(wire_len(NULL, 0), 0);
}

static void test_wire_invalid_utf8_becomes_replacement_character(void **state) {
  (void)state;
  const char *strs[] = {"ok \xC3\xA9", "\xF5\x80"};
  otel_attr_t attrs[] = {OTEL_ATTR_STR("user_agent.original", "Mozilla \xE9t\xE9"),
                         OTEL_ATTR_STR("bad \x80 key", "v"),
                         OTEL_ATTR_ARRAY("s", OTEL_ATTR_TYPE_STRING_ARRAY, strs, 2)};
  size_t len;
  uint8_t *got = written_by_wire(attrs, 3, &len);
  kvlist_t *back = opentelemetry__proto__common__v1__key_value_list__unpack(NULL, len, got);
  assert_non_null(back); /* protobuf-c checks strings are UTF-8 */
  assert_int_equal(back->n_values, 3);
  assert_string_equal(back->values[0]->value->string_value, "Mozilla \xEF\xBF\xBDt\xEF\xBF\xBD");
  assert_string_equal(back->values[1]->key, "bad \xEF\xBF\xBD key");
  Opentelemetry__Proto__Common__V1__ArrayValue *a = back->values[2]->value->array_value;
  assert_string_equal(a->values[0]->string_value, "ok \xC3\xA9");
  assert_string_equal(a->values[1]->string_value, "\xEF\xBF\xBD\xEF\xBF\xBD");
  opentelemetry__proto__common__v1__key_value_list__free_unpacked(back, NULL);
  free(got);
}

static void test_wire_attrs_in_a_field_of_two_byte_tag(void **state) {
  (void)state;
  otel_attr_t attrs[] = {OTEL_ATTR_INT("a", 1), OTEL_ATTR_INT("b", 2)};
  size_t at1, at16;
  free(written_backwards(1, attrs, 2, true, &at1));
  free(written_backwards(16, attrs, 2, true, &at16));
  assert_int_equal(at16, at1 + 2); /* one more tag byte per KeyValue */
  uint8_t *buf = written_backwards(16, attrs, 2, true, &at16);
  assert_int_equal(buf[0], 0x82); /* field 16, wire type 2 */
  assert_int_equal(buf[1], 0x01);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_wire_varint_lengths_at_boundaries),
      cmocka_unit_test(test_wire_tags_and_fixed_fields),
      cmocka_unit_test(test_wire_scalars_match_protobuf_c),
      cmocka_unit_test(test_wire_arrays_match_protobuf_c),
      cmocka_unit_test(test_wire_long_values_take_longer_length_prefixes),
      cmocka_unit_test(test_wire_empty_keys_are_left_out),
      cmocka_unit_test(test_wire_invalid_utf8_becomes_replacement_character),
      cmocka_unit_test(test_wire_attrs_in_a_field_of_two_byte_tag),
  };
  return cmocka_run_group_tests_name("otlp_wire", tests, NULL, NULL);
}
