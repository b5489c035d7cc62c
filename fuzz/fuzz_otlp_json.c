/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_otlp_json.c: an OTLP/JSON request body as otel-viewer receives it
 * over HTTP (and reads it back with --from-jsonl), for the three signals:
 * the checks of the text before cJSON parses it, the JSON-to-protobuf
 * decoder, and ingest (otlp_ingest.h). The first input byte chooses the
 * signal (bits 0-1: traces, metrics, logs; 3 is traces); the rest is the
 * body.
 */
#include "otlp_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  vw_signal_t sig = (data[0] & 3) == VW_METRICS ? VW_METRICS
                    : (data[0] & 3) == VW_LOGS  ? VW_LOGS
                                                : VW_TRACES;
  fuzz_decode_ingest(sig, data + 1, size - 1, true);
  return 0;
}
