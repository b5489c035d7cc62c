/* SPDX-License-Identifier: Apache-2.0
 *
 * percent.c: percent-decoding ("%20" -> ' '), written once for the three
 * places that read percent-encoded text: OTEL_RESOURCE_ATTRIBUTES
 * (resource.c), OTEL_EXPORTER_OTLP_HEADERS (otlp_options.c) and the W3C
 * baggage header (baggage.c). A '+' is not a space: none of the three
 * formats is application/x-www-form-urlencoded.
 */
#include "internal.h"

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ptrdiff_t otel__percent_decode(const char *b, const char *e, char *out, size_t cap) {
  size_t n = 0;
  for (const char *p = b; p < e; p++) {
    char c = *p;
    if (c == '%') {
      if (e - p < 3 || hex_digit(p[1]) < 0 || hex_digit(p[2]) < 0) return -1;
      c = (char)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
      p += 2;
    }
    if (n + 1 >= cap) return -1;
    out[n++] = c;
  }
  if (cap == 0) return -1;
  out[n] = '\0';
  return (ptrdiff_t)n;
}
