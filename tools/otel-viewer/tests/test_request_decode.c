/* SPDX-License-Identifier: Apache-2.0
 *
 * test_request_decode.c: the viewer's decoding of request bodies within its
 * limits (pb_decode.c, request_decode.c, the JSON checks of
 * otlp_json_decode.c), on the exact bodies of issue 18 that broke it: an
 * AnyValue array nested 5,000 deep is refused (400, naming the limit)
 * at the limit, 8 MiB of empty spans is refused as too large (413)
 * before the spans are allocated, the same as JSON, and what is
 * accepted at the limit decodes, ingests and renders as JSON on a thread
 * with the 100 KiB stack of a civetweb worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../viewer.h"
#include "hostile_bodies.h"

#define MAX_BODY ((size_t)16 << 20) /* the viewer's default --max-body */

/* Deepest array nesting accepted in a span attribute and in a log body. */
#define SPAN_ATTR_MAX ((VW_MAX_NESTING - 6) / 2)
#define LOG_BODY_MAX ((VW_MAX_NESTING - 5) / 2)

/* vw_pb_decode of a traces request under max_bytes, without a pool. */
static vw_pb_status_t pb_decode(const uint8_t *body, size_t len, size_t max_bytes,
                                vw_pb_result_t *r) {
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = max_bytes};
  vw_pb_status_t st = vw_pb_decode(vw_request_descriptor(VW_TRACES), body, len, &lim, r);
  if (st == VW_PB_OK) vw_pb_arena_reset();
  return st;
}

static vw_decode_status_t decode(vw_signal_t sig, const void *body, size_t len, bool json,
                                 char *why) {
  vw_request_t req;
  vw_decode_status_t st = vw_decode_request(sig, body, len, json, MAX_BODY, &req, why, 200);
  if (st == VW_DECODE_OK) vw_request_release(&req);
  return st;
}

static void test_issue_body_deep_anyvalue_is_refused_naming_the_limit(void **state) {
  (void)state;
  size_t len;
  uint8_t *body = hostile_deep_anyvalue(5000, &len);
  assert_non_null(body);
  assert_in_range(len, 30000, 40000); /* the issue's body: about 34 KB */
  vw_pb_result_t r;
  assert_int_equal(pb_decode(body, len, vw_decode_budget(len, MAX_BODY), &r), VW_PB_TOO_DEEP);
  assert_int_equal(r.depth, VW_MAX_NESTING);
  char why[200];
  assert_int_equal(decode(VW_TRACES, body, len, false, why), VW_DECODE_INVALID);
  assert_non_null(strstr(why, "nested too deeply"));
  assert_non_null(strstr(why, "32 levels"));
  free(body);
}

static void test_nesting_up_to_the_limit_is_accepted(void **state) {
  (void)state;
  char why[200];
  size_t len;
  uint8_t *ok = hostile_deep_anyvalue(SPAN_ATTR_MAX, &len);
  assert_int_equal(decode(VW_TRACES, ok, len, false, why), VW_DECODE_OK);
  free(ok);
  uint8_t *deep = hostile_deep_anyvalue(SPAN_ATTR_MAX + 1, &len);
  assert_int_equal(decode(VW_TRACES, deep, len, false, why), VW_DECODE_INVALID);
  free(deep);
  ok = hostile_deep_log_body(LOG_BODY_MAX, &len);
  assert_int_equal(decode(VW_LOGS, ok, len, false, why), VW_DECODE_OK);
  free(ok);
  deep = hostile_deep_log_body(LOG_BODY_MAX + 1, &len);
  assert_int_equal(decode(VW_LOGS, deep, len, false, why), VW_DECODE_INVALID);
  free(deep);
  char *json = hostile_deep_anyvalue_json(SPAN_ATTR_MAX, &len);
  assert_int_equal(decode(VW_TRACES, json, len, true, why), VW_DECODE_OK);
  free(json);
  json = hostile_deep_anyvalue_json(SPAN_ATTR_MAX + 1, &len);
  assert_int_equal(decode(VW_TRACES, json, len, true, why), VW_DECODE_INVALID);
  assert_non_null(strstr(why, "32 levels"));
  free(json);
}

static void test_issue_body_deep_anyvalue_json_is_refused(void **state) {
  (void)state;
  size_t len;
  char *json = hostile_deep_anyvalue_json(5000, &len);
  char why[200];
  assert_int_equal(decode(VW_TRACES, json, len, true, why), VW_DECODE_INVALID);
  assert_non_null(strstr(why, "brackets"));
  free(json);
  /* brackets under keys the decoder ignores count too: cJSON recurses */
  char deep[4096] = "{\"x\":";
  size_t n = strlen(deep);
  for (int i = 0; i < 1000; i++) deep[n++] = '[';
  for (int i = 0; i < 1000; i++) deep[n++] = ']';
  deep[n++] = '}';
  assert_int_equal(decode(VW_TRACES, deep, n, true, why), VW_DECODE_INVALID);
}

static void test_issue_body_empty_spans_is_too_large(void **state) {
  (void)state;
  size_t len;
  uint8_t *body = hostile_empty_spans((size_t)8 << 20, &len);
  assert_non_null(body);
  assert_in_range(len, (8u << 20) - 64, 8u << 20);
  vw_pb_result_t r;
  assert_int_equal(pb_decode(body, len, vw_decode_budget(len, MAX_BODY), &r), VW_PB_TOO_LARGE);
  /* refused at the array of four million spans, before any was allocated
   * (the structs they would take are counted first) */
  assert_true(r.used < 4096);
  char why[200];
  assert_int_equal(decode(VW_TRACES, body, len, false, why), VW_DECODE_TOO_LARGE);
  assert_non_null(strstr(why, "too large once decoded"));
  assert_non_null(strstr(why, "32 x the body"));
  free(body);
  char *json = hostile_empty_spans_json((size_t)8 << 20, &len);
  assert_int_equal(decode(VW_TRACES, json, len, true, why), VW_DECODE_TOO_LARGE);
  free(json);
}

/* What a request takes is exactly what the decoder draws: capped at that
 * it decodes; capped lower, it is refused as too large. */
static void test_budget_is_what_decoding_takes(void **state) {
  (void)state;
  uint8_t *bodies[3];
  size_t lens[3];
  bodies[0] = hostile_empty_spans(100000, &lens[0]);
  bodies[1] = hostile_deep_anyvalue(SPAN_ATTR_MAX, &lens[1]);
  bodies[2] = hostile_empty_spans(40, &lens[2]);
  for (int i = 0; i < 3; i++) {
    vw_pb_result_t r;
    assert_int_equal(pb_decode(bodies[i], lens[i], SIZE_MAX, &r), VW_PB_OK);
    size_t used = r.used;
    assert_true(used > 0);
    assert_int_equal(pb_decode(bodies[i], lens[i], used, &r), VW_PB_OK);
    assert_int_equal(pb_decode(bodies[i], lens[i], used / 2, &r), VW_PB_TOO_LARGE);
    free(bodies[i]);
  }
}

/* ResourceSpans.resource given n times, one attribute each: the
 * occurrences are merged (an array of 2, 3, ... n attributes: quadratic),
 * which the budget refuses with 413, and no byte of the pool stays held. */
static void test_repeated_singular_message_is_refused_by_the_arena(void **state) {
  (void)state;
  size_t n = 100000, k, r, o, len;
  uint8_t kv[8], res[16], occ[32];
  k = hostile__field(kv, 1, "k", 1);
  r = hostile__field(res, 1, kv, k);
  o = hostile__field(occ, 1, res, r);
  uint8_t *rs = malloc(n * o);
  for (size_t i = 0; i < n; i++) memcpy(rs + i * o, occ, o);
  uint8_t *body = hostile__wrap(rs, n * o, 1, &len);
  char why[200];
  assert_int_equal(decode(VW_TRACES, body, len, false, why), VW_DECODE_TOO_LARGE);
  assert_non_null(strstr(why, "too large once decoded"));
  assert_int_equal(vw_decode_pool_used(), 0);
  free(body);
}

static void test_bad_framing_is_invalid(void **state) {
  (void)state;
  static const uint8_t cases[][6] = {
      {0x0a, 0x05, 0x12, 0x00},        /* length past the end */
      {0x0a, 0xff, 0xff, 0xff, 0xff},  /* unterminated varint */
      {0x0b, 0x00},                    /* group start */
      {0x00, 0x01},                    /* field number 0 */
  };
  static const size_t lens[] = {4, 5, 2, 2};
  char why[200];
  for (size_t i = 0; i < 4; i++) {
    vw_pb_result_t r;
    assert_int_equal(pb_decode(cases[i], lens[i], SIZE_MAX, &r), VW_PB_MALFORMED);
    assert_int_equal(decode(VW_TRACES, cases[i], lens[i], false, why), VW_DECODE_INVALID);
  }
}

/* Requests decoded at the same time share one pool (32 x --max-body): with
 * --max-body 64 KiB a JSON request holds its whole budget (8 x 64 KiB), so
 * four fit and the fifth is BUSY until one is released; every way out of
 * vw_decode_request gives back what it held. */
static void test_requests_decoded_at_once_share_a_pool(void **state) {
  (void)state;
  const size_t max_body = 64 << 10;
  size_t len;
  uint8_t *pb = hostile_normal_span(7, "svc", "name", &len);
  char json[] = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
                "\"07070707070707070707070707070707\",\"spanId\":\"0707070707070707\"}]}]}]}";
  vw_request_t held[5];
  char why[200];
  assert_int_equal(vw_decode_pool_used(), 0);
  for (int i = 0; i < 4; i++)
    assert_int_equal(vw_decode_request(VW_TRACES, (const uint8_t *)json, strlen(json), true,
                                       max_body, &held[i], why, sizeof why),
                     VW_DECODE_OK);
  assert_int_equal(vw_decode_pool_used(), 4 * 8 * max_body);
  assert_int_equal(vw_decode_request(VW_TRACES, (const uint8_t *)json, strlen(json), true,
                                     max_body, &held[4], why, sizeof why),
                   VW_DECODE_BUSY);
  assert_non_null(strstr(why, "retry later"));
  /* a protobuf request holds only what its decoding took (about 1 KB) */
  vw_request_t small;
  vw_request_release(&held[0]);
  assert_int_equal(vw_decode_request(VW_TRACES, pb, len, false, max_body, &small, why, sizeof why),
                   VW_DECODE_OK);
  assert_in_range(vw_decode_pool_used(), 3 * 8 * max_body + 1, 3 * 8 * max_body + 4096);
  assert_int_equal(vw_decode_request(VW_TRACES, (const uint8_t *)json, strlen(json), true,
                                     max_body, &held[0], why, sizeof why),
                   VW_DECODE_BUSY);
  vw_request_release(&small);
  assert_int_equal(vw_decode_request(VW_TRACES, (const uint8_t *)json, strlen(json), true,
                                     max_body, &held[0], why, sizeof why),
                   VW_DECODE_OK);
  for (int i = 0; i < 4; i++) vw_request_release(&held[i]);
  assert_int_equal(vw_decode_pool_used(), 0);
  /* refusals give back what they held: invalid, too deep, too large, not UTF-8 */
  uint8_t *deep = hostile_deep_anyvalue(5000, &len);
  assert_int_equal(decode(VW_TRACES, deep, len, false, why), VW_DECODE_INVALID);
  free(deep);
  uint8_t *empty = hostile_empty_spans(100000, &len);
  assert_int_equal(decode(VW_TRACES, empty, len, false, why), VW_DECODE_TOO_LARGE);
  free(empty);
  char bad_utf8[] = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"\xff\"}]}]}]}";
  assert_int_equal(decode(VW_TRACES, bad_utf8, strlen(bad_utf8), true, why), VW_DECODE_INVALID);
  assert_int_equal(decode(VW_TRACES, "{", 1, true, why), VW_DECODE_INVALID);
  assert_int_equal(vw_decode_pool_used(), 0);
  free(pb);
}

/* An accepted request holds exactly what its decoding took, the structs
 * counted ahead for a repeated message field included (a thousand spans:
 * more than the first step drawn from the pool), and gives it all back. */
static void test_an_accepted_request_holds_what_it_took(void **state) {
  (void)state;
  size_t len;
  uint8_t *body = hostile_empty_spans(2000, &len);
  vw_request_t req;
  char why[200];
  assert_int_equal(vw_decode_request(VW_TRACES, body, len, false, MAX_BODY, &req, why, sizeof why),
                   VW_DECODE_OK);
  assert_true(req.reserved >= 990 * sizeof(Opentelemetry__Proto__Trace__V1__Span));
  assert_true(req.reserved < ((size_t)1 << 20));
  assert_int_equal(vw_decode_pool_used(), req.reserved);
  vw_request_release(&req);
  assert_int_equal(vw_decode_pool_used(), 0);
  free(body);
}

/* What a civetweb worker does with the deepest body accepted, on a thread
 * with the same stack (102400 bytes, minus what civetweb itself uses
 * before the handler: 23 KiB measured, 32 KiB taken here). */
typedef struct deep_job {
  const uint8_t *body;
  size_t len;
  vw_signal_t sig;
  bool ok;
} deep_job_t;

static void decode_ingest_show(deep_job_t *j) {
  vw_store_t *store = vw_store_create(10, 10, 10);
  vw_ingest_t *in = vw_ingest_create(store, NULL);
  vw_request_t req;
  char why[200];
  if (vw_decode_request(j->sig, j->body, j->len, false, MAX_BODY, &req, why, sizeof why) ==
      VW_DECODE_OK) {
    vw_slice_t raw = {j->body, j->len};
    ProtobufCMessage *resp = vw_ingest_request(in, j->sig, req.msg, &raw);
    cJSON *json = vw_pb_to_json(req.msg);
    char *text = cJSON_PrintUnformatted(json);
    j->ok = resp && text;
    free(text);
    cJSON_Delete(json);
    protobuf_c_message_free_unpacked(resp, NULL);
    vw_request_release(&req);
  }
  /* and what the API and the pages do later: the stored span unpacked again */
  int status = 0;
  const char *ctype;
  if (j->sig == VW_TRACES) {
    const char *id = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
    char path[80];
    snprintf(path, sizeof path, "/api/traces/%s/otlp", id);
    char *answer = vw_query(store, path, NULL, &status, &ctype);
    j->ok = j->ok && status == 200 && answer && strstr(answer, "arrayValue");
    free(answer);
    snprintf(path, sizeof path, "/trace/%s", id);
    answer = vw_pages(store, path, NULL, 0, &status, &ctype);
    j->ok = j->ok && status == 200 && answer;
    free(answer);
  } else {
    char *answer = vw_query(store, "/api/logs", NULL, &status, &ctype);
    j->ok = j->ok && status == 200 && answer && strstr(answer, "arrayValue");
    free(answer);
    answer = vw_pages(store, "/logs", NULL, 0, &status, &ctype);
    j->ok = j->ok && status == 200 && answer;
    free(answer);
  }
  vw_ingest_destroy(in);
  vw_store_destroy(store);
}

static void *deep_thread(void *arg) {
  volatile char civetweb_frames[32 * 1024]; /* taken before the handler runs */
  civetweb_frames[0] = 1;
  civetweb_frames[sizeof civetweb_frames - 1] = civetweb_frames[0];
  decode_ingest_show(arg);
  return NULL;
}

static void run_on_civetweb_stack(vw_signal_t sig, const uint8_t *body, size_t len) {
  deep_job_t j = {body, len, sig, false};
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 102400);
  pthread_t t;
  assert_int_equal(pthread_create(&t, &a, deep_thread, &j), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&a);
  assert_true(j.ok);
}

static void test_deepest_accepted_fits_a_civetweb_stack(void **state) {
  (void)state;
  size_t len;
  uint8_t *body = hostile_deep_anyvalue(SPAN_ATTR_MAX, &len);
  run_on_civetweb_stack(VW_TRACES, body, len);
  free(body);
  body = hostile_deep_log_body(LOG_BODY_MAX, &len);
  run_on_civetweb_stack(VW_LOGS, body, len);
  free(body);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_issue_body_deep_anyvalue_is_refused_naming_the_limit),
      cmocka_unit_test(test_nesting_up_to_the_limit_is_accepted),
      cmocka_unit_test(test_issue_body_deep_anyvalue_json_is_refused),
      cmocka_unit_test(test_issue_body_empty_spans_is_too_large),
      cmocka_unit_test(test_budget_is_what_decoding_takes),
      cmocka_unit_test(test_an_accepted_request_holds_what_it_took),
      cmocka_unit_test(test_repeated_singular_message_is_refused_by_the_arena),
      cmocka_unit_test(test_bad_framing_is_invalid),
      cmocka_unit_test(test_requests_decoded_at_once_share_a_pool),
      cmocka_unit_test(test_deepest_accepted_fits_a_civetweb_stack),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
