/* SPDX-License-Identifier: Apache-2.0
 *
 * request_decode.c: the one way a request body becomes a protobuf-c
 * message, for both transports (and the fuzz targets). Nothing a body says
 * can crash the viewer or make one request take more than its budget:
 *
 *   protobuf  vw_wire_check first (nesting depth, decoded size, framing),
 *             then protobuf-c into this thread's unpack arena, capped at
 *             the same budget as a backstop
 *   JSON      vw_json_to_pb, which checks its text the same way first
 *
 * then every string is checked for UTF-8 (refused whole, as the Collector
 * does). The reason of a refusal names the limit that was crossed; the
 * transports turn INVALID into 400 / INVALID_ARGUMENT and TOO_LARGE into
 * 413 / RESOURCE_EXHAUSTED.
 */
#include "viewer.h"

#include <stdio.h>

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
                                      size_t budget, vw_request_t *req, char *why,
                                      size_t size) {
  const char *err = NULL;
  bool big = false;
  req->msg = vw_json_to_pb(vw_request_descriptor(sig), (const char *)body, len, budget, &err,
                           &big);
  req->json = true;
  if (req->msg) return VW_DECODE_OK;
  if (big) {
    too_large(why, size, budget);
    return VW_DECODE_TOO_LARGE;
  }
  snprintf(why, size, "could not decode the request: %s", err ? err : "invalid JSON");
  return VW_DECODE_INVALID;
}

static vw_decode_status_t decode_protobuf(vw_signal_t sig, const uint8_t *body, size_t len,
                                          size_t budget, vw_request_t *req, char *why,
                                          size_t size) {
  const ProtobufCMessageDescriptor *desc = vw_request_descriptor(sig);
  req->json = false;
  switch (vw_wire_check(desc, body, len, VW_MAX_NESTING, budget, NULL)) {
  case VW_WIRE_OK: break;
  case VW_WIRE_TOO_DEEP: too_deep(why, size); return VW_DECODE_INVALID;
  case VW_WIRE_TOO_LARGE: too_large(why, size, budget); return VW_DECODE_TOO_LARGE;
  case VW_WIRE_MALFORMED:
    snprintf(why, size, "could not decode the request: invalid protobuf");
    return VW_DECODE_INVALID;
  }
  vw_unpack_arena_limit(budget);
  req->msg = protobuf_c_message_unpack(desc, vw_unpack_arena(), len, body);
  if (req->msg) return VW_DECODE_OK;
  bool exhausted = vw_unpack_arena_exhausted();
  vw_unpack_arena_reset();
  if (exhausted) {
    too_large(why, size, budget);
    return VW_DECODE_TOO_LARGE;
  }
  snprintf(why, size, "could not decode the request: invalid protobuf");
  return VW_DECODE_INVALID;
}

vw_decode_status_t vw_decode_request(vw_signal_t sig, const uint8_t *body, size_t len, bool json,
                                     size_t max_body, vw_request_t *req, char *why,
                                     size_t why_size) {
  size_t budget = vw_decode_budget(len, max_body);
  *req = (vw_request_t){0};
  vw_decode_status_t st = json ? decode_json(sig, body, len, budget, req, why, why_size)
                               : decode_protobuf(sig, body, len, budget, req, why, why_size);
  if (st != VW_DECODE_OK) return st;
  if (vw_find_invalid_utf8(req->msg, why, why_size)) {
    vw_request_release(req);
    return VW_DECODE_INVALID;
  }
  return VW_DECODE_OK;
}

void vw_request_release(vw_request_t *req) {
  if (!req->msg) return;
  if (req->json) protobuf_c_message_free_unpacked(req->msg, NULL);
  else vw_unpack_arena_reset();
  req->msg = NULL;
}
