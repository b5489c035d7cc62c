/* SPDX-License-Identifier: Apache-2.0
 *
 * span_context.c: validity checks and hex formatting of span contexts
 * (W3C Trace Context ids). The remote context's cleanup lives with the
 * propagators (propagation.c), which own tracestate and baggage.
 */
#include "otel/span_context.h"

#include <string.h>

bool otel_span_context_is_valid(const otel_span_context_t *sc) {
  /* the ids as words: three loads, where a byte loop took 27 instructions
   * (the check runs several times a span: parent choice, sampler, inject) */
  if (!sc) return false;
  uint64_t t0, t1, s0;
  memcpy(&t0, sc->trace_id, 8);
  memcpy(&t1, sc->trace_id + 8, 8);
  memcpy(&s0, sc->span_id, 8);
  return (t0 | t1) != 0 && s0 != 0;
}

bool otel_span_context_is_sampled(const otel_span_context_t *sc) {
  return otel_span_context_is_valid(sc) && (sc->trace_flags & OTEL_TRACE_FLAG_SAMPLED);
}

/* The two lower-case hex digits of each byte value: one load and one
 * two-byte store a byte (every outgoing request formats a traceparent). */
#define HEX_ROW(h)                                                                           \
  h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b" h "c" h "d" h "e" \
  h "f"
static const char hex_pairs[513] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
    HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
    HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");
#undef HEX_ROW

static void to_hex(const uint8_t *id, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) memcpy(out + 2 * i, hex_pairs + 2 * id[i], 2);
  out[2 * n] = '\0';
}

void otel_trace_id_to_hex(const uint8_t id[16], char out[33]) { to_hex(id, 16, out); }
void otel_span_id_to_hex(const uint8_t id[8], char out[17]) { to_hex(id, 8, out); }
