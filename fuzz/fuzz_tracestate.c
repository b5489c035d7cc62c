/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_tracestate.c: the W3C tracestate header (otel_tracestate_normalize,
 * and extraction next to a valid traceparent). The input is the header
 * value. Properties: a normalised value is not empty, at most 32 members,
 * no longer than the input, and normalising it again changes nothing.
 */
#include "fuzz.h"
#include "propagation_carrier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *value = fuzz_string(data, size);
  char *norm = otel_tracestate_normalize(value);
  if (norm) {
    size_t members = 1;
    for (const char *p = norm; *p; p++) members += *p == ',';
    FUZZ_CHECK(norm[0] != '\0');
    FUZZ_CHECK(members <= OTEL_TRACESTATE_MAX_MEMBERS);
    FUZZ_CHECK(strlen(norm) <= strlen(value));
    char *again = otel_tracestate_normalize(norm);
    FUZZ_CHECK(again && strcmp(again, norm) == 0);
    free(again);
    free(norm);
  }
  fuzz_carrier_t c = {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", value, NULL};
  fuzz_extract(&c);
  free(value);
  return 0;
}
