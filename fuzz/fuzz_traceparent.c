/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_traceparent.c: the W3C traceparent header (libotel-lite's
 * otel_traceparent_parse, and extraction through the propagator). The
 * input is the header value. Properties: a value that parses is valid and
 * formats to a value that parses to the same ids, with the sampled flag
 * kept; one that does not leaves the context zeroed.
 */
#include "fuzz.h"
#include "propagation_carrier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *value = fuzz_string(data, size);
  otel_span_context_t sc;
  memset(&sc, 0x55, sizeof sc);
  if (otel_traceparent_parse(value, &sc)) {
    FUZZ_CHECK(otel_span_context_is_valid(&sc));
    FUZZ_CHECK(sc.is_remote);
    char out[OTEL_TRACEPARENT_LEN + 1];
    otel_traceparent_format(&sc, out);
    FUZZ_CHECK(strlen(out) == OTEL_TRACEPARENT_LEN);
    otel_span_context_t again;
    FUZZ_CHECK(otel_traceparent_parse(out, &again));
    FUZZ_CHECK(memcmp(again.trace_id, sc.trace_id, 16) == 0);
    FUZZ_CHECK(memcmp(again.span_id, sc.span_id, 8) == 0);
    FUZZ_CHECK((again.trace_flags & 1) == (sc.trace_flags & 1));
  } else {
    static const otel_span_context_t zero;
    FUZZ_CHECK(memcmp(&sc, &zero, sizeof sc) == 0);
  }
  fuzz_carrier_t c = {value, "congo=t61rcWkgMzE", NULL};
  fuzz_extract(&c);
  free(value);
  return 0;
}
