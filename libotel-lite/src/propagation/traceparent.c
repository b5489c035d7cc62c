/* SPDX-License-Identifier: Apache-2.0
 *
 * traceparent.c: the W3C traceparent header (Trace Context level 1, and
 * the level 2 "random" flag): parse with every rule of the specification
 * (two lower-case hex digits of version, ff forbidden, exact length for
 * version 00, extra fields only for future versions, lower-case hex ids
 * that are not all zero) and format version 00.
 */
#include "otel/propagation.h"

#include <string.h>

/* Each lower-case hex digit's value, as the high (hex_high) or low
 * (hex_low) half of a byte, with a mark bit (0x200, 0x100); any other byte
 * is 0. A byte is decoded as hex_high[a] | hex_low[b]: both marks are set
 * only when both characters are digits, so a whole id is checked with one
 * AND of its bytes, and decoded without a branch per character. */
#define HEX_DIGITS(X) X('0', 0) X('1', 1) X('2', 2) X('3', 3) X('4', 4) X('5', 5) X('6', 6) X('7', 7) \
  X('8', 8) X('9', 9) X('a', 10) X('b', 11) X('c', 12) X('d', 13) X('e', 14) X('f', 15)
#define HIGH(c, v) [c] = 0x200 | (v) << 4,
#define LOW(c, v) [c] = 0x100 | (v),
static const uint16_t hex_high[256] = {HEX_DIGITS(HIGH)};
static const uint16_t hex_low[256] = {HEX_DIGITS(LOW)};

/* Decodes 2n lower-case hex chars; false on any other char. */
static bool decode_hex(const char *s, uint8_t *out, size_t n) {
  unsigned marks = 0x300, acc = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned x = hex_high[(unsigned char)s[2 * i]] | hex_low[(unsigned char)s[2 * i + 1]];
    marks &= x;
    acc |= x;
    out[i] = (uint8_t)x;
  }
  if (marks != 0x300) return false;
  return (acc & 0xff) != 0 || n == 1; /* ids must not be all zero; version/flags may */
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

bool otel_traceparent_parse(const char *value, otel_span_context_t *out) {
  if (!out) return false;
  memset(out, 0, sizeof(*out));
  if (!value) return false;
  while (is_ows(*value)) value++;
  size_t len = strlen(value);
  while (len && is_ows(value[len - 1])) len--;
  if (len < OTEL_TRACEPARENT_LEN) return false;

  uint8_t version, flags;
  if (!decode_hex(value, &version, 1) || version == 0xff) return false;
  if (version == 0 && len != OTEL_TRACEPARENT_LEN) return false;
  if (version > 0 && len > OTEL_TRACEPARENT_LEN && value[OTEL_TRACEPARENT_LEN] != '-') return false;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return false;

  otel_span_context_t sc = {.is_remote = true};
  if (!decode_hex(value + 3, sc.trace_id, 16)) return false;
  if (!decode_hex(value + 36, sc.span_id, 8)) return false;
  if (!decode_hex(value + 53, &flags, 1)) return false;
  sc.trace_flags = flags & (OTEL_TRACE_FLAG_SAMPLED | OTEL_TRACE_FLAG_RANDOM);
  *out = sc;
  return true;
}

void otel_traceparent_format(const otel_span_context_t *sc, char out[OTEL_TRACEPARENT_LEN + 1]) {
  static const char digits[] = "0123456789abcdef";
  if (!otel_span_context_is_valid(sc)) { /* never write an invalid header */
    out[0] = '\0';
    return;
  }
  memcpy(out, "00-", 3);
  otel_trace_id_to_hex(sc->trace_id, out + 3);
  out[35] = '-';
  otel_span_id_to_hex(sc->span_id, out + 36);
  out[52] = '-';
  uint8_t f = sc->trace_flags & (OTEL_TRACE_FLAG_SAMPLED | OTEL_TRACE_FLAG_RANDOM);
  out[53] = digits[f >> 4];
  out[54] = digits[f & 0xf];
  out[55] = '\0';
}
