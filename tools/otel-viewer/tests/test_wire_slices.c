/* SPDX-License-Identifier: Apache-2.0
 *
 * test_wire_slices.c: the byte ranges of the records of a packed request
 * (wire_slices.c), which the viewer stores instead of packing each record
 * again: each range must be exactly the record's own encoding, in decode
 * order, across several resources and scopes, with fields the walk does
 * not know in between; bytes that cannot be walked give 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../viewer.h"

typedef Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest TraceReq;
typedef Opentelemetry__Proto__Trace__V1__ResourceSpans ResourceSpans;
typedef Opentelemetry__Proto__Trace__V1__ScopeSpans ScopeSpans;
typedef Opentelemetry__Proto__Trace__V1__Span Span;
typedef Opentelemetry__Proto__Resource__V1__Resource Resource;

#define N_RES 2
#define N_SCOPES 2
#define N_SPANS 3

/* A request with N_RES resources of N_SCOPES scopes of N_SPANS spans, all
 * different (name, ids, times); returns it packed, *spans in decode order. */
static uint8_t *packed_request(size_t *len, Span **spans) {
  static Span sp[N_RES * N_SCOPES * N_SPANS];
  static Span *sp_ptr[N_RES][N_SCOPES][N_SPANS];
  static ScopeSpans ss[N_RES][N_SCOPES];
  static ScopeSpans *ss_ptr[N_RES][N_SCOPES];
  static ResourceSpans rs[N_RES];
  static ResourceSpans *rs_ptr[N_RES];
  static Resource res[N_RES];
  static char names[N_RES * N_SCOPES * N_SPANS][16];
  static uint8_t ids[N_RES * N_SCOPES * N_SPANS][24];
  size_t k = 0;
  for (int r = 0; r < N_RES; r++) {
    opentelemetry__proto__trace__v1__resource_spans__init(&rs[r]);
    opentelemetry__proto__resource__v1__resource__init(&res[r]);
    res[r].dropped_attributes_count = (uint32_t)r + 1; /* a varint field the walk skips */
    rs[r].resource = &res[r];
    rs[r].schema_url = "https://opentelemetry.io/schemas/1.26.0";
    for (int s = 0; s < N_SCOPES; s++) {
      opentelemetry__proto__trace__v1__scope_spans__init(&ss[r][s]);
      for (int i = 0; i < N_SPANS; i++, k++) {
        opentelemetry__proto__trace__v1__span__init(&sp[k]);
        snprintf(names[k], sizeof names[k], "span-%zu", k);
        memset(ids[k], (int)k + 1, sizeof ids[k]);
        sp[k].name = names[k];
        sp[k].trace_id = (ProtobufCBinaryData){16, ids[k]};
        sp[k].span_id = (ProtobufCBinaryData){8, ids[k] + 16};
        sp[k].start_time_unix_nano = 1000 + k; /* fixed64 fields */
        sp[k].end_time_unix_nano = 2000 + k;
        sp[k].kind = OPENTELEMETRY__PROTO__TRACE__V1__SPAN__SPAN_KIND__SPAN_KIND_SERVER;
        sp_ptr[r][s][i] = &sp[k];
        spans[k] = &sp[k];
      }
      ss[r][s].n_spans = N_SPANS;
      ss[r][s].spans = sp_ptr[r][s];
      ss_ptr[r][s] = &ss[r][s];
    }
    rs[r].n_scope_spans = N_SCOPES;
    rs[r].scope_spans = ss_ptr[r];
    rs_ptr[r] = &rs[r];
  }
  TraceReq req;
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__init(&req);
  req.n_resource_spans = N_RES;
  req.resource_spans = rs_ptr;
  *len = protobuf_c_message_get_packed_size(&req.base);
  uint8_t *buf = malloc(*len);
  protobuf_c_message_pack(&req.base, buf);
  return buf;
}

static void test_slices_are_each_span_encoding_in_decode_order(void **state) {
  (void)state;
  Span *spans[N_RES * N_SCOPES * N_SPANS];
  size_t len;
  uint8_t *buf = packed_request(&len, spans);
  vw_slice_t *slices;
  size_t n = vw_wire_slices(buf, len, &slices);
  assert_int_equal(n, N_RES * N_SCOPES * N_SPANS);
  for (size_t k = 0; k < n; k++) {
    size_t want_len = protobuf_c_message_get_packed_size(&spans[k]->base);
    uint8_t want[256];
    assert_true(want_len <= sizeof want);
    protobuf_c_message_pack(&spans[k]->base, want);
    assert_int_equal(slices[k].len, want_len);
    assert_memory_equal(slices[k].data, want, want_len);
  }
  /* and the same order as protobuf-c's decoding */
  TraceReq *req = (TraceReq *)protobuf_c_message_unpack(
      vw_request_descriptor(VW_TRACES), NULL, len, buf);
  assert_non_null(req);
  size_t k = 0;
  for (size_t r = 0; r < req->n_resource_spans; r++)
    for (size_t s = 0; s < req->resource_spans[r]->n_scope_spans; s++)
      for (size_t i = 0; i < req->resource_spans[r]->scope_spans[s]->n_spans; i++, k++) {
        Span *sp = (Span *)protobuf_c_message_unpack(&opentelemetry__proto__trace__v1__span__descriptor,
                                                     NULL, slices[k].len, slices[k].data);
        assert_non_null(sp);
        assert_string_equal(sp->name, req->resource_spans[r]->scope_spans[s]->spans[i]->name);
        protobuf_c_message_free_unpacked(&sp->base, NULL);
      }
  protobuf_c_message_free_unpacked(&req->base, NULL);
  free(slices);
  free(buf);
}

static void test_slices_skip_unknown_fields_of_every_wire_type(void **state) {
  (void)state;
  /* request { field 9 varint; field 1 { field 7 fixed32; field 2 { field 6
   * fixed64; field 2 { "span" bytes } } } } */
  const uint8_t span[] = {0x2a, 0x01, 'x'}; /* name = "x" */
  uint8_t buf[64];
  size_t n = 0;
  buf[n++] = 0x48; buf[n++] = 0x96; buf[n++] = 0x01;             /* field 9, varint 150 */
  buf[n++] = 0x0a; buf[n++] = 5 + 11 + 2 + sizeof span;           /* field 1, len */
  buf[n++] = 0x3d; memset(buf + n, 0, 4); n += 4;                 /* field 7, fixed32 */
  buf[n++] = 0x12; buf[n++] = 9 + 2 + sizeof span;                /* field 2, len */
  buf[n++] = 0x31; memset(buf + n, 0, 8); n += 8;                 /* field 6, fixed64 */
  buf[n++] = 0x12; buf[n++] = sizeof span;                        /* field 2: the span */
  memcpy(buf + n, span, sizeof span); n += sizeof span;
  vw_slice_t *slices;
  assert_int_equal(vw_wire_slices(buf, n, &slices), 1);
  assert_int_equal(slices[0].len, sizeof span);
  assert_memory_equal(slices[0].data, span, sizeof span);
  free(slices);
}

static void test_slices_of_bytes_that_cannot_be_walked_are_none(void **state) {
  (void)state;
  Span *spans[N_RES * N_SCOPES * N_SPANS];
  size_t len;
  uint8_t *buf = packed_request(&len, spans);
  vw_slice_t *slices;
  for (size_t cut = 1; cut < len; cut += 7) { /* truncated: a length runs past the end */
    size_t n = vw_wire_slices(buf, cut, &slices);
    assert_true(n == 0 ? slices == NULL : n < N_RES * N_SCOPES * N_SPANS);
    free(slices);
  }
  const uint8_t group[] = {0x0b, 0x0c}; /* start/end group: not OTLP */
  assert_int_equal(vw_wire_slices(group, sizeof group, &slices), 0);
  assert_null(slices);
  const uint8_t long_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  assert_int_equal(vw_wire_slices(long_varint, sizeof long_varint, &slices), 0);
  assert_int_equal(vw_wire_slices(NULL, 0, &slices), 0);
  free(buf);
}

/* Random bytes, and a valid request with random bytes changed: the walk
 * never reads outside the buffer (the suite runs under ASan) and every
 * range it returns lies inside it. Deterministic (fixed seed). */
static void test_slices_of_random_and_mutated_bytes_stay_inside(void **state) {
  (void)state;
  Span *spans[N_RES * N_SCOPES * N_SPANS];
  size_t len;
  uint8_t *valid = packed_request(&len, spans);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int round = 0; round < 20000; round++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t n = round % 2 ? len : (size_t)(x % 200);
    uint8_t *buf = malloc(n ? n : 1); /* exactly n: ASan sees any overread */
    if (round % 2) {
      memcpy(buf, valid, n);
      for (int k = 0; k < 3; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[(x >> 8) % n] = (uint8_t)x;
      }
    } else {
      for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (uint8_t)x;
      }
    }
    vw_slice_t *slices;
    size_t got = vw_wire_slices(buf, n, &slices);
    for (size_t i = 0; i < got; i++)
      assert_true(slices[i].data >= buf && slices[i].data + slices[i].len <= buf + n);
    free(slices);
    free(buf);
  }
  free(valid);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slices_are_each_span_encoding_in_decode_order),
      cmocka_unit_test(test_slices_skip_unknown_fields_of_every_wire_type),
      cmocka_unit_test(test_slices_of_bytes_that_cannot_be_walked_are_none),
      cmocka_unit_test(test_slices_of_random_and_mutated_bytes_stay_inside),
  };
  return cmocka_run_group_tests_name("wire_slices", tests, NULL, NULL);
}
