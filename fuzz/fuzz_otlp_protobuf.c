/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_otlp_protobuf.c: an OTLP protobuf request body as otel-viewer
 * receives it over HTTP or gRPC, for the three signals: the gzip path
 * (vw_gunzip, under the --max-body limit), the one-pass decoder
 * (vw_pb_decode, pb_decode.c) on its own, the wire walk of vw_wire_slices,
 * and decoding and ingest as the transports do them (otlp_ingest.h). The first input byte
 * chooses: bits 0-1 the signal (traces, metrics, logs; 3 is traces), bit 2
 * gzip (inflated to at most 1 MiB: the 8 MiB seed of issue 18 meets the
 * gzip-bomb refusal, its 20 KB version the decode budget); the rest is the
 * body. Properties: the decoder stops at the nesting
 * limit and within its budget; the slices lie inside the body.
 */
#include "otlp_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  vw_signal_t sig = (data[0] & 3) == VW_METRICS ? VW_METRICS
                    : (data[0] & 3) == VW_LOGS  ? VW_LOGS
                                                : VW_TRACES;
  const uint8_t *body = data + 1;
  size_t len = size - 1;
  uint8_t *plain = NULL;
  if (data[0] & 4) {
    size_t plain_len;
    if (vw_gunzip(body, len, FUZZ_MAX_BODY, &plain, &plain_len) != 0) return 0;
    body = plain;
    len = plain_len;
  }
  vw_pb_limits_t lim = {.max_depth = VW_MAX_NESTING,
                        .max_bytes = vw_decode_budget(len, FUZZ_MAX_BODY)};
  vw_pb_result_t r;
  vw_pb_status_t st = vw_pb_decode(vw_request_descriptor(sig), body, len, &lim, &r);
  FUZZ_CHECK(r.depth <= VW_MAX_NESTING);
  FUZZ_CHECK(r.used <= lim.max_bytes);
  FUZZ_CHECK((st == VW_PB_OK) == (r.msg != NULL));
  FUZZ_CHECK(st != VW_PB_BAD_UTF8 || (r.bad_message && r.bad_field));
  if (st == VW_PB_OK) vw_pb_arena_reset();
  if (sig != VW_METRICS) {
    vw_slice_t *slices;
    size_t n = vw_wire_slices(body, len, &slices);
    for (size_t i = 0; i < n; i++)
      FUZZ_CHECK(slices[i].data >= body && slices[i].data + slices[i].len <= body + len);
    free(slices);
  }
  fuzz_decode_ingest(sig, body, len, false);
  free(plain);
  return 0;
}
