/* SPDX-License-Identifier: Apache-2.0
 *
 * span_context.c: validity checks and hex formatting of span contexts
 * (W3C Trace Context ids). The remote context's cleanup lives with the
 * propagators (propagation.c), which own tracestate and baggage.
 */
#include "otel/span_context.h"

static bool all_zero(const uint8_t *p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++) acc |= p[i];
  return acc == 0;
}

bool otel_span_context_is_valid(const otel_span_context_t *sc) {
  return sc && !all_zero(sc->trace_id, 16) && !all_zero(sc->span_id, 8);
}

bool otel_span_context_is_sampled(const otel_span_context_t *sc) {
  return otel_span_context_is_valid(sc) && (sc->trace_flags & OTEL_TRACE_FLAG_SAMPLED);
}

static void to_hex(const uint8_t *id, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[id[i] >> 4];
    out[2 * i + 1] = digits[id[i] & 0xf];
  }
  out[2 * n] = '\0';
}

void otel_trace_id_to_hex(const uint8_t id[16], char out[33]) { to_hex(id, 16, out); }
void otel_span_id_to_hex(const uint8_t id[8], char out[17]) { to_hex(id, 8, out); }
