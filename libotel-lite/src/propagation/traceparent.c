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

/* 1 + the value of each lower-case hex digit, 0 for any other byte: one
 * load per character on the request path. */
static const unsigned char hex_digit[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16};

static int lower_hex(char c) { return hex_digit[(unsigned char)c] - 1; }

/* Decodes 2n lower-case hex chars; false on any other char. */
static bool decode_hex(const char *s, uint8_t *out, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++) {
    int hi = lower_hex(s[2 * i]), lo = lower_hex(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = (uint8_t)(hi << 4 | lo);
    acc |= out[i];
  }
  return acc != 0 || n == 1; /* ids must not be all zero; version/flags may */
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
