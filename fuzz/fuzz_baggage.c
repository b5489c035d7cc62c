/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_baggage.c: the W3C baggage header (otel_baggage_parse and
 * otel_baggage_format, and extraction through the propagator). The input
 * is the header value. Properties: at most 64 members, every member's key
 * can be looked up, and the formatted baggage parses back to the same
 * members (when it is short enough to be a header: 8192 bytes).
 */
#include "fuzz.h"
#include "propagation_carrier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *value = fuzz_string(data, size);
  otel_baggage_t *b = otel_baggage_parse(value);
  if (b) {
    size_t n = otel_baggage_count(b);
    FUZZ_CHECK(n <= OTEL_BAGGAGE_MAX_MEMBERS);
    for (size_t i = 0; i < n; i++) {
      const char *k, *v, *meta;
      FUZZ_CHECK(otel_baggage_entry(b, i, &k, &v, &meta));
      FUZZ_CHECK(otel_baggage_get(b, k) != NULL);
    }
    char *text = otel_baggage_format(b);
    if (text && strlen(text) <= OTEL_BAGGAGE_MAX_BYTES) {
      otel_baggage_t *again = otel_baggage_parse(text);
      FUZZ_CHECK(again && otel_baggage_count(again) == n);
      for (size_t i = 0; i < n; i++) {
        const char *k, *v, *meta;
        otel_baggage_entry(b, i, &k, &v, &meta);
        const char *v2 = otel_baggage_get(again, k);
        FUZZ_CHECK(v2 && strcmp(v2, otel_baggage_get(b, k)) == 0);
      }
      otel_baggage_destroy(again);
    }
    free(text);
    otel_baggage_destroy(b);
  }
  fuzz_carrier_t c = {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", NULL, value};
  fuzz_extract(&c);
  free(value);
  return 0;
}
