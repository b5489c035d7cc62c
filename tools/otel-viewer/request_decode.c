/* SPDX-License-Identifier: Apache-2.0
 *
 * request_decode.c: the one way a request body becomes a protobuf-c
 * message, for both transports (and the fuzz targets). Nothing a body says
 * can crash the viewer or make one request take more than its budget:
 *
 *   protobuf  vw_pb_decode, in one pass into this thread's arena: nesting
 *             depth, decoded size (drawn from the pool below as it grows),
 *             framing and the UTF-8 of every string as it goes
 *   JSON      vw_json_to_pb, which checks its text the same way first;
 *             then every string is checked for UTF-8
 *
 * A string that is not UTF-8 refuses the request whole, as the Collector
 * does. The reason of a refusal names the limit that was crossed; the
 * transports turn INVALID into 400 / INVALID_ARGUMENT and TOO_LARGE into
 * 413 / RESOURCE_EXHAUSTED.
 *
 * All requests decoded at the same time share one pool of
 * VW_DECODE_POOL_PER_MAX_BODY x --max-body: each holds what its decoding
 * took (JSON: its whole budget) until it is released. The viewer has
 * 128 HTTP workers; without the pool as many 8 MiB exports at once could
 * take 128 x 128 MiB. A request that does not fit is BUSY: 503 /
 * UNAVAILABLE, which OTLP clients retry with backoff.
 */
#include "viewer.h"

#include <stdatomic.h>
#include <stdio.h>

static atomic_size_t pool_used; /* bytes held by requests being decoded */

/* Takes n bytes of the pool of max_body; false when they do not fit. */
static bool pool_take(size_t n, size_t max_body) {
  size_t pool = max_body > SIZE_MAX / VW_DECODE_POOL_PER_MAX_BODY
                    ? SIZE_MAX
                    : max_body * VW_DECODE_POOL_PER_MAX_BODY;
  size_t used = atomic_load(&pool_used);
  do {
    if (n > pool || used > pool - n) return false;
  } while (!atomic_compare_exchange_weak(&pool_used, &used, used + n));
  return true;
}

static void pool_give(size_t n) { atomic_fetch_sub(&pool_used, n); }

size_t vw_decode_pool_used(void) { return atomic_load(&pool_used); }

static void busy(char *why, size_t size) {
  snprintf(why, size,
           "the viewer is decoding too much at once (more than %d x --max-body): retry later",
           VW_DECODE_POOL_PER_MAX_BODY);
}

#define SMALL_BODY ((size_t)64 << 10) /* smaller bodies are budgeted as this */

size_t vw_decode_budget(size_t len, size_t max_body) {
  if (len < SMALL_BODY) len = SMALL_BODY;
  size_t by_len = len > SIZE_MAX / VW_DECODED_PER_BODY_BYTE ? SIZE_MAX
                                                            : len * VW_DECODED_PER_BODY_BYTE;
  size_t by_max = max_body > SIZE_MAX / VW_DECODED_PER_MAX_BODY
                      ? SIZE_MAX
                      : max_body * VW_DECODED_PER_MAX_BODY;
  return by_len < by_max ? by_len : by_max;
}

static void too_large(char *why, size_t size, size_t budget) {
  snprintf(why, size,
           "request too large once decoded: over %zu bytes (the viewer's limit: %d x the body, "
           "at most %d x --max-body)",
           budget, VW_DECODED_PER_BODY_BYTE, VW_DECODED_PER_MAX_BODY);
}

static void too_deep(char *why, size_t size) {
  snprintf(why, size,
           "request nested too deeply: over %d levels of messages (the viewer's limit; each "
           "AnyValue array or kvlist adds 2)",
           VW_MAX_NESTING);
}

static vw_decode_status_t decode_json(vw_signal_t sig, const uint8_t *body, size_t len,
                                      size_t budget, size_t max_body, vw_request_t *req,
                                      char *why, size_t size) {
  const char *err = NULL;
  bool big = false;
  req->json = true;
  if (!pool_take(budget, max_body)) { /* what the text will take is known only once parsed */
    busy(why, size);
    return VW_DECODE_BUSY;
  }
  req->reserved = budget;
  req->msg = vw_json_to_pb(vw_request_descriptor(sig), (const char *)body, len, budget, &err,
                           &big);
  if (req->msg) return VW_DECODE_OK;
  pool_give(req->reserved);
  req->reserved = 0;
  if (big) {
    too_large(why, size, budget);
    return VW_DECODE_TOO_LARGE;
  }
  snprintf(why, size, "could not decode the request: %s", err ? err : "invalid JSON");
  return VW_DECODE_INVALID;
}

static bool pool_take_cb(void *max_body, size_t n) { return pool_take(n, *(size_t *)max_body); }

static vw_decode_status_t decode_protobuf(vw_signal_t sig, const uint8_t *body, size_t len,
                                          size_t budget, size_t max_body, vw_request_t *req,
                                          char *why, size_t size) {
  req->json = false;
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING, .max_bytes = budget,
                        .take = pool_take_cb, .ctx = &max_body};
  vw_pb_result_t r;
  vw_pb_status_t st = vw_pb_decode(vw_request_descriptor(sig), body, len, &lim, &r);
  if (st == VW_PB_OK) { /* hold only what it took */
    pool_give(r.reserved - r.used);
    req->reserved = r.used;
    req->msg = r.msg;
    return VW_DECODE_OK;
  }
  pool_give(r.reserved);
  switch (st) {
  case VW_PB_TOO_DEEP: too_deep(why, size); return VW_DECODE_INVALID;
  case VW_PB_TOO_LARGE: too_large(why, size, budget); return VW_DECODE_TOO_LARGE;
  case VW_PB_BUSY: busy(why, size); return VW_DECODE_BUSY;
  case VW_PB_NO_MEMORY:
    snprintf(why, size, "the viewer is out of memory: retry later");
    return VW_DECODE_BUSY;
  case VW_PB_BAD_UTF8:
    snprintf(why, size, "string field contains invalid UTF-8 (%s.%s)", r.bad_message,
             r.bad_field);
    return VW_DECODE_INVALID;
  default:
    snprintf(why, size, "could not decode the request: invalid protobuf");
    return VW_DECODE_INVALID;
  }
}

vw_decode_status_t vw_decode_request(vw_signal_t sig, const uint8_t *body, size_t len, bool json,
                                     size_t max_body, vw_request_t *req, char *why,
                                     size_t why_size) {
  size_t budget = vw_decode_budget(len, max_body);
  *req = (vw_request_t){0};
  vw_decode_status_t st =
      json ? decode_json(sig, body, len, budget, max_body, req, why, why_size)
           : decode_protobuf(sig, body, len, budget, max_body, req, why, why_size);
  if (st != VW_DECODE_OK || !json) return st; /* protobuf: checked as it was decoded */
  if (vw_find_invalid_utf8(req->msg, why, why_size)) {
    vw_request_release(req);
    return VW_DECODE_INVALID;
  }
  return VW_DECODE_OK;
}

void vw_request_release(vw_request_t *req) {
  if (!req->msg) return;
  if (req->json) protobuf_c_message_free_unpacked(req->msg, NULL);
  else vw_pb_arena_reset();
  req->msg = NULL;
  pool_give(req->reserved);
  req->reserved = 0;
}
