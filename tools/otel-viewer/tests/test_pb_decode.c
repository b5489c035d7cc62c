/* SPDX-License-Identifier: Apache-2.0
 *
 * test_pb_decode.c: the viewer's one-pass protobuf decoder (pb_decode.c)
 * accepts every valid encoding of the OTLP messages and refuses what the
 * encoding and the limits refuse. The app's own exports (the fixtures of
 * tests/fixtures/viewer, packed as an SDK would) decode to what
 * protobuf-c's unpack gives, packed again byte for byte; then hand-written
 * encodings: unknown fields of every wire type skipped, fields in any
 * order, repeated scalars packed, unpacked and both, the last of a
 * singular scalar kept, a singular message given twice merged, a oneof
 * keeping its last member; and refused: a wire type that does not match
 * the field, groups, field number 0, lengths past the end, varints over 10
 * bytes, packed fixed-size runs of the wrong length, strings that are not
 * UTF-8 (naming the field), nesting past the limit. And the pool is drawn
 * for everything a request takes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../viewer.h"

typedef Opentelemetry__Proto__Trace__V1__Span Span;
typedef Opentelemetry__Proto__Common__V1__AnyValue AnyValue;
typedef Opentelemetry__Proto__Metrics__V1__ExponentialHistogramDataPoint__Buckets Buckets;
typedef Opentelemetry__Proto__Metrics__V1__HistogramDataPoint HistogramPoint;

#define SPAN_D opentelemetry__proto__trace__v1__span__descriptor
#define ANY_D opentelemetry__proto__common__v1__any_value__descriptor
#define BUCKETS_D opentelemetry__proto__metrics__v1__exponential_histogram_data_point__buckets__descriptor
#define HIST_D opentelemetry__proto__metrics__v1__histogram_data_point__descriptor

/* ---- a small protobuf writer -------------------------------------------- */
typedef struct w {
  uint8_t b[16384];
  size_t n;
} w_t;

static void varint(w_t *w, uint64_t v) {
  while (v >= 0x80) {
    w->b[w->n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  w->b[w->n++] = (uint8_t)v;
}

static void tag(w_t *w, unsigned field, unsigned wire) { varint(w, (uint64_t)field << 3 | wire); }

static void bytes(w_t *w, unsigned field, const void *data, size_t len) {
  tag(w, field, 2);
  varint(w, len);
  memcpy(w->b + w->n, data, len);
  w->n += len;
}

static void str(w_t *w, unsigned field, const char *s) { bytes(w, field, s, strlen(s)); }

static void fixed64(w_t *w, unsigned field, uint64_t v) {
  tag(w, field, 1);
  for (int i = 0; i < 8; i++) w->b[w->n++] = (uint8_t)(v >> (8 * i));
}

static void fixed32(w_t *w, unsigned field, uint32_t v) {
  tag(w, field, 5);
  for (int i = 0; i < 4; i++) w->b[w->n++] = (uint8_t)(v >> (8 * i));
}

static vw_pb_status_t decode(const ProtobufCMessageDescriptor *d, const w_t *w, void **out) {
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = (size_t)1 << 20};
  vw_pb_result_t r;
  vw_pb_status_t st = vw_pb_decode(d, w->b, w->n, &lim, &r);
  *out = r.msg;
  return st;
}

/* The bytes protobuf-c packs m into (the caller frees .data). */
static vw_packed_t packed(const void *m) { return vw_pack(m); }

static void assert_same_packing(const void *a, const void *b) {
  vw_packed_t pa = packed(a), pb = packed(b);
  assert_int_equal(pa.len, pb.len);
  assert_memory_equal(pa.data, pb.data, pa.len);
  free(pa.data);
  free(pb.data);
}

/* ---- the app's exports: the same as protobuf-c's unpack ----------------- */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return s;
}

static void same_as_protobuf_c(const char *file, vw_signal_t sig) {
  char path[256];
  snprintf(path, sizeof path, "tests/fixtures/viewer/%s", file);
  size_t n = 0;
  char *json = slurp(path, &n);
  assert_non_null(json);
  char *nl = strchr(json, '\n');
  if (nl && sig == VW_METRICS) n = (size_t)(nl - json); /* first line of a .jsonl */
  const char *err = NULL;
  const ProtobufCMessageDescriptor *d = vw_request_descriptor(sig);
  ProtobufCMessage *m = vw_json_to_pb(d, json, n, SIZE_MAX, &err, NULL);
  free(json);
  assert_non_null(m);
  vw_packed_t wire = vw_pack(m);
  protobuf_c_message_free_unpacked(m, NULL);
  ProtobufCMessage *theirs = protobuf_c_message_unpack(d, NULL, wire.len, wire.data);
  assert_non_null(theirs);
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = vw_decode_budget(wire.len, 16 << 20)};
  vw_pb_result_t r;
  assert_int_equal(vw_pb_decode(d, wire.data, wire.len, &lim, &r), VW_PB_OK);
  assert_same_packing(r.msg, theirs);
  vw_packed_t again = vw_pack(r.msg);
  assert_int_equal(again.len, wire.len);
  assert_memory_equal(again.data, wire.data, wire.len);
  cJSON *a = vw_pb_to_json(r.msg), *b = vw_pb_to_json(theirs);
  char *ja = cJSON_PrintUnformatted(a), *jb = cJSON_PrintUnformatted(b);
  assert_string_equal(ja, jb);
  free(ja);
  free(jb);
  cJSON_Delete(a);
  cJSON_Delete(b);
  free(again.data);
  vw_pb_arena_reset();
  protobuf_c_message_free_unpacked(theirs, NULL);
  free(wire.data);
}

static void test_app_exports_decode_as_protobuf_c_unpacks_them(void **state) {
  (void)state;
  same_as_protobuf_c("trace_app.json", VW_TRACES);
  same_as_protobuf_c("logs_app.json", VW_LOGS);
  same_as_protobuf_c("metrics_app.jsonl", VW_METRICS);
}

/* ---- valid encodings ------------------------------------------------------ */
static const uint8_t trace_id[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t span_id[8] = {8, 7, 6, 5, 4, 3, 2, 1};

/* A span in field order: ids, name, kind, times, one attribute. */
static void canonical_span(w_t *w) {
  w_t kv = {.n = 0}, any = {.n = 0};
  str(&any, 1, "GET");
  str(&kv, 1, "http.request.method");
  bytes(&kv, 2, any.b, any.n);
  bytes(w, 1, trace_id, 16);
  bytes(w, 2, span_id, 8);
  str(w, 5, "GET /");
  tag(w, 6, 0), varint(w, 2);
  fixed64(w, 7, 1000);
  fixed64(w, 8, 2000);
  bytes(w, 9, kv.b, kv.n);
}

static void test_unknown_fields_of_every_wire_type_are_skipped(void **state) {
  (void)state;
  w_t plain = {.n = 0}, with = {.n = 0};
  canonical_span(&plain);
  tag(&with, 100, 0), varint(&with, 300);   /* varint */
  fixed64(&with, 101, 7);                   /* 64-bit */
  canonical_span(&with);
  str(&with, 102, "extension");             /* length-delimited */
  fixed32(&with, 103, 9);                   /* 32-bit */
  tag(&with, 536870911, 0), varint(&with, 1); /* the largest field number */
  void *a, *b;
  assert_int_equal(decode(&SPAN_D, &plain, &a), VW_PB_OK);
  vw_packed_t pa = packed(a);
  vw_pb_arena_reset();
  assert_int_equal(decode(&SPAN_D, &with, &b), VW_PB_OK);
  vw_packed_t pb = packed(b);
  assert_int_equal(pa.len, pb.len);
  assert_memory_equal(pa.data, pb.data, pa.len);
  assert_string_equal(((Span *)b)->name, "GET /");
  free(pa.data);
  free(pb.data);
  vw_pb_arena_reset();
}

static void test_fields_in_any_order(void **state) {
  (void)state;
  w_t plain = {.n = 0}, reversed = {.n = 0};
  canonical_span(&plain);
  w_t kv = {.n = 0}, any = {.n = 0};
  str(&any, 1, "GET");
  bytes(&kv, 2, any.b, any.n); /* value before key */
  str(&kv, 1, "http.request.method");
  bytes(&reversed, 9, kv.b, kv.n);
  fixed64(&reversed, 8, 2000);
  fixed64(&reversed, 7, 1000);
  tag(&reversed, 6, 0), varint(&reversed, 2);
  str(&reversed, 5, "GET /");
  bytes(&reversed, 2, span_id, 8);
  bytes(&reversed, 1, trace_id, 16);
  void *a, *b;
  assert_int_equal(decode(&SPAN_D, &plain, &a), VW_PB_OK);
  vw_packed_t pa = packed(a);
  vw_pb_arena_reset();
  assert_int_equal(decode(&SPAN_D, &reversed, &b), VW_PB_OK);
  vw_packed_t pb = packed(b);
  assert_int_equal(pa.len, pb.len);
  assert_memory_equal(pa.data, pb.data, pa.len);
  free(pa.data);
  free(pb.data);
  vw_pb_arena_reset();
}

/* Buckets.bucket_counts is repeated uint64 (varints), HistogramDataPoint's
 * bucket_counts repeated fixed64 and explicit_bounds repeated double. */
static void test_repeated_scalars_packed_unpacked_and_both(void **state) {
  (void)state;
  static const uint64_t want[] = {0, 1, 127, 128, 300, UINT64_MAX};
  w_t run = {.n = 0}, packed_w = {.n = 0}, unpacked = {.n = 0}, mixed = {.n = 0};
  for (int i = 0; i < 6; i++) varint(&run, want[i]);
  tag(&packed_w, 1, 0), varint(&packed_w, 5); /* offset: sint32 -3, zigzag 5 */
  bytes(&packed_w, 2, run.b, run.n);
  for (int i = 0; i < 6; i++) tag(&unpacked, 2, 0), varint(&unpacked, want[i]);
  w_t first = {.n = 0};
  for (int i = 0; i < 3; i++) varint(&first, want[i]);
  bytes(&mixed, 2, first.b, first.n);         /* three packed */
  tag(&mixed, 2, 0), varint(&mixed, want[3]); /* one not */
  w_t rest = {.n = 0};
  for (int i = 4; i < 6; i++) varint(&rest, want[i]);
  bytes(&mixed, 2, rest.b, rest.n);           /* two packed again */
  bytes(&mixed, 2, "", 0);                    /* an empty packed run */
  const w_t *cases[] = {&packed_w, &unpacked, &mixed};
  for (int c = 0; c < 3; c++) {
    void *m;
    assert_int_equal(decode(&BUCKETS_D, cases[c], &m), VW_PB_OK);
    Buckets *b = m;
    assert_int_equal(b->n_bucket_counts, 6);
    for (int i = 0; i < 6; i++) assert_true(b->bucket_counts[i] == want[i]);
    if (c == 0) assert_int_equal(b->offset, -3);
    vw_pb_arena_reset();
  }
  /* fixed64 and double, packed and not */
  w_t h = {.n = 0}, counts = {.n = 0}, bounds = {.n = 0};
  for (uint64_t i = 0; i < 3; i++)
    for (int k = 0; k < 8; k++) counts.b[counts.n++] = (uint8_t)((i + 10) >> (8 * k));
  double bound[2] = {0.5, 2.5};
  memcpy(bounds.b, bound, sizeof bound);
  bounds.n = sizeof bound;
  bytes(&h, 6, counts.b, counts.n);
  fixed64(&h, 6, 13);
  bytes(&h, 7, bounds.b, bounds.n);
  uint64_t bits;
  double third = 7.0;
  memcpy(&bits, &third, 8);
  fixed64(&h, 7, bits);
  void *m;
  assert_int_equal(decode(&HIST_D, &h, &m), VW_PB_OK);
  HistogramPoint *p = m;
  assert_int_equal(p->n_bucket_counts, 4);
  for (int i = 0; i < 4; i++) assert_true(p->bucket_counts[i] == (uint64_t)(10 + i));
  assert_int_equal(p->n_explicit_bounds, 3);
  assert_true(p->explicit_bounds[0] == 0.5 && p->explicit_bounds[1] == 2.5 &&
              p->explicit_bounds[2] == 7.0);
  vw_pb_arena_reset();
}

static void test_last_of_a_singular_scalar_wins(void **state) {
  (void)state;
  w_t w = {.n = 0};
  canonical_span(&w);
  str(&w, 5, "second name");
  fixed64(&w, 7, 1500);
  tag(&w, 6, 0), varint(&w, 3);
  void *m;
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_OK);
  Span *s = m;
  assert_string_equal(s->name, "second name");
  assert_true(s->start_time_unix_nano == 1500);
  assert_int_equal(s->kind, 3);
  assert_int_equal(s->n_attributes, 1);
  vw_pb_arena_reset();
}

/* Span.status given twice is merged (code from one, message from the
 * other); attributes given in two runs are one array. */
static void test_singular_message_given_twice_is_merged(void **state) {
  (void)state;
  w_t w = {.n = 0}, st1 = {.n = 0}, st2 = {.n = 0}, kv = {.n = 0};
  canonical_span(&w);
  tag(&st1, 3, 0), varint(&st1, 2);
  str(&st2, 2, "boom");
  bytes(&w, 15, st1.b, st1.n);
  str(&w, 5, "between");
  bytes(&w, 15, st2.b, st2.n);
  str(&kv, 1, "second.key");
  bytes(&w, 9, kv.b, kv.n);
  void *m;
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_OK);
  Span *s = m;
  assert_non_null(s->status);
  assert_int_equal(s->status->code, 2);
  assert_string_equal(s->status->message, "boom");
  assert_int_equal(s->n_attributes, 2);
  assert_string_equal(s->attributes[0]->key, "http.request.method");
  assert_string_equal(s->attributes[1]->key, "second.key");
  vw_pb_arena_reset();
}

static void test_oneof_keeps_its_last_member(void **state) {
  (void)state;
  w_t w = {.n = 0}, arr = {.n = 0}, inner = {.n = 0};
  str(&inner, 1, "x");
  bytes(&arr, 1, inner.b, inner.n);
  str(&w, 1, "text");
  bytes(&w, 5, arr.b, arr.n); /* array_value */
  tag(&w, 3, 0), varint(&w, (uint64_t)-5); /* int_value -5: a 10-byte varint */
  void *m;
  assert_int_equal(decode(&ANY_D, &w, &m), VW_PB_OK);
  AnyValue *v = m;
  assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE);
  assert_true(v->int_value == -5);
  vw_pb_arena_reset();
  w_t again = {.n = 0};
  tag(&again, 3, 0), varint(&again, 1);
  bytes(&again, 5, arr.b, arr.n);
  bytes(&again, 5, arr.b, arr.n); /* the same message member twice: merged */
  assert_int_equal(decode(&ANY_D, &again, &m), VW_PB_OK);
  v = m;
  assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE);
  assert_int_equal(v->array_value->n_values, 2);
  assert_string_equal(v->array_value->values[1]->string_value, "x");
  vw_pb_arena_reset();
}

/* ---- refusals --------------------------------------------------------------- */
static void test_what_the_encoding_refuses_is_malformed(void **state) {
  (void)state;
  void *m;
  w_t w;
  w = (w_t){.n = 0}, tag(&w, 5, 0), varint(&w, 1); /* name (a string) as a varint */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, str(&w, 7, "12345678"); /* start time (fixed64) length-delimited */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, tag(&w, 9, 0), varint(&w, 1); /* attributes (messages) as a varint */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, tag(&w, 100, 3); /* a group, even unknown */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, tag(&w, 100, 6);
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, tag(&w, 0, 0), varint(&w, 1); /* field number 0 */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, tag(&w, 5, 2), varint(&w, 10), w.b[w.n++] = 'a'; /* past the end */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, tag(&w, 6, 0);
  for (int i = 0; i < 10; i++) w.b[w.n++] = 0x80;
  w.b[w.n++] = 0; /* an 11-byte varint */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, bytes(&w, 7, "1234567", 7); /* bounds: 7 bytes of doubles */
  assert_int_equal(decode(&HIST_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, bytes(&w, 2, "\x80", 1); /* a packed varint cut short */
  assert_int_equal(decode(&BUCKETS_D, &w, &m), VW_PB_MALFORMED);
  w = (w_t){.n = 0}, fixed64(&w, 7, 1), w.n -= 1; /* a fixed64 cut short */
  assert_int_equal(decode(&SPAN_D, &w, &m), VW_PB_MALFORMED);
}

static void test_a_string_that_is_not_utf8_is_named(void **state) {
  (void)state;
  static const char *const bad[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80",
                                    "\xf4\x90\x80\x80", "ok\0\xff"};
  static const size_t lens[] = {1, 2, 2, 3, 4, 4};
  for (int i = 0; i < 6; i++) {
    w_t w = {.n = 0};
    canonical_span(&w);
    bytes(&w, 5, bad[i], lens[i]);
    vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = (size_t)1 << 20};
    vw_pb_result_t r;
    assert_int_equal(vw_pb_decode(&SPAN_D, w.b, w.n, &lim, &r), VW_PB_BAD_UTF8);
    assert_string_equal(r.bad_message, "Span");
    assert_string_equal(r.bad_field, "name");
  }
  w_t good = {.n = 0};
  str(&good, 5, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80"); /* 2, 3 and 4 bytes */
  void *m;
  assert_int_equal(decode(&SPAN_D, &good, &m), VW_PB_OK);
  vw_pb_arena_reset();
  /* the framing is judged first: a later malformed field wins */
  w_t both = {.n = 0};
  bytes(&both, 5, "\xff", 1);
  tag(&both, 0, 0);
  assert_int_equal(decode(&SPAN_D, &both, &m), VW_PB_MALFORMED);
}

static void test_nesting_past_the_limit_is_too_deep(void **state) {
  (void)state;
  /* AnyValue{array_value{values[AnyValue{...}]}}: 2 levels each */
  w_t w = {.n = 0};
  str(&w, 1, "leaf");
  for (int level = 1; level < 20; level++) {
    w_t arr = {.n = 0}, any = {.n = 0};
    bytes(&arr, 1, w.b, w.n);
    bytes(&any, 5, arr.b, arr.n);
    w = any;
  }
  /* 39 levels: the AnyValue is 1, each wrap adds 2 */
  vw_pb_limits_t lim = {.max_depth = 39, .max_bytes = (size_t)1 << 20};
  vw_pb_result_t r;
  assert_int_equal(vw_pb_decode(&ANY_D, w.b, w.n, &lim, &r), VW_PB_OK);
  assert_int_equal(r.depth, 39);
  vw_pb_arena_reset();
  lim.max_depth = 38;
  assert_int_equal(vw_pb_decode(&ANY_D, w.b, w.n, &lim, &r), VW_PB_TOO_DEEP);
  assert_int_equal(r.depth, 38);
}

/* ---- the pool ------------------------------------------------------------ */
typedef struct pool {
  size_t drawn, cap;
} pool_t;

static bool pool_take(void *ctx, size_t n) {
  pool_t *p = ctx;
  if (n > p->cap - p->drawn) return false;
  p->drawn += n;
  return true;
}

/* 150 spans, whose structs are counted ahead: everything the
 * request takes is drawn from the pool first, and a pool too small for it
 * refuses it (BUSY) even though the budget would allow it. */
static void test_the_pool_is_drawn_for_all_a_request_takes(void **state) {
  (void)state;
  w_t span = {.n = 0};
  canonical_span(&span);
  static w_t scope, rs, req;
  scope.n = rs.n = req.n = 0;
  for (int i = 0; i < 150; i++) bytes(&scope, 2, span.b, span.n);
  bytes(&rs, 2, scope.b, scope.n);
  bytes(&req, 1, rs.b, rs.n);
  pool_t pool = {.drawn = 0, .cap = SIZE_MAX};
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = (size_t)1 << 20,
                        .take = pool_take, .ctx = &pool};
  vw_pb_result_t r;
  const ProtobufCMessageDescriptor *d = vw_request_descriptor(VW_TRACES);
  assert_int_equal(vw_pb_decode(d, req.b, req.n, &lim, &r), VW_PB_OK);
  assert_true(r.used > 150 * sizeof(Span));
  assert_int_equal(r.reserved, pool.drawn);
  assert_true(pool.drawn >= r.used);
  size_t used = r.used;
  vw_pb_arena_reset();
  pool = (pool_t){.drawn = 0, .cap = used - 1};
  assert_int_equal(vw_pb_decode(d, req.b, req.n, &lim, &r), VW_PB_BUSY);
  assert_int_equal(r.reserved, pool.drawn);
  assert_true(pool.drawn < used);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_app_exports_decode_as_protobuf_c_unpacks_them),
      cmocka_unit_test(test_unknown_fields_of_every_wire_type_are_skipped),
      cmocka_unit_test(test_fields_in_any_order),
      cmocka_unit_test(test_repeated_scalars_packed_unpacked_and_both),
      cmocka_unit_test(test_last_of_a_singular_scalar_wins),
      cmocka_unit_test(test_singular_message_given_twice_is_merged),
      cmocka_unit_test(test_oneof_keeps_its_last_member),
      cmocka_unit_test(test_what_the_encoding_refuses_is_malformed),
      cmocka_unit_test(test_a_string_that_is_not_utf8_is_named),
      cmocka_unit_test(test_nesting_past_the_limit_is_too_deep),
      cmocka_unit_test(test_the_pool_is_drawn_for_all_a_request_takes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
