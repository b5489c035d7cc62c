/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_otlp_protobuf.c: an OTLP protobuf request body as otel-viewer
 * receives it over HTTP or gRPC, for the three signals: the gzip path
 * (vw_gunzip, under the --max-body limit), the wire walks (vw_wire_check
 * before protobuf-c unpacks anything, vw_wire_slices over what was
 * accepted), decoding and ingest (otlp_ingest.h). The first input byte
 * chooses: bits 0-1 the signal (traces, metrics, logs; 3 is traces), bit 2
 * gzip (inflated to at most 1 MiB: the 8 MiB seed of issue 18 meets the
 * gzip-bomb refusal, its 20 KB version the decode budget); the rest is the
 * body. Properties: the wire check stops at the
 * nesting limit; the slices it finds lie inside the body.
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
  vw_wire_shape_t shape;
  vw_wire_verdict_t v = vw_wire_check(vw_request_descriptor(sig), body, len, VW_MAX_NESTING,
                                      vw_decode_budget(len, FUZZ_MAX_BODY), &shape);
  FUZZ_CHECK(shape.depth <= VW_MAX_NESTING);
  FUZZ_CHECK(v != VW_WIRE_OK || shape.decoded_bytes <= vw_decode_budget(len, FUZZ_MAX_BODY));
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
