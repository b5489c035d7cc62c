/* SPDX-License-Identifier: Apache-2.0
 *
 * utf8.h: making text valid UTF-8 for OTLP. Every string field of an OTLP
 * protobuf message must be valid UTF-8, and receivers built on protobuf-go
 * (the OpenTelemetry Collector among them) reject a whole export request
 * for one invalid string, losing every span, record or point in it. Text
 * that comes from outside (a URL path, a header, a user's query) can hold
 * any bytes, so the encoders write it through these functions: each byte
 * that does not belong to a valid UTF-8 sequence becomes U+FFFD.
 * Internal to libotel-lite.
 */
#ifndef OTEL_UTF8_H
#define OTEL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The length of s[0..len) once each invalid byte is replaced by U+FFFD (3
 * bytes): len itself when s[0..len) is valid UTF-8 already. */
size_t otel__utf8_clean_len(const char *s, size_t len);

/* Whether s[0..len) is ASCII (so valid UTF-8), checked inline eight bytes
 * a step: most telemetry text is short ASCII, for which the call to
 * otel__utf8_clean_len cost more than the check. The tail is one more
 * (overlapping) word, and text under 8 bytes two or three loads, not a
 * loop over its bytes. */
static inline bool otel__utf8_is_ascii(const char *s, size_t len) {
  uint64_t acc = 0, w;
  if (len >= 8) {
    for (size_t i = 0; i + 8 < len; i += 8) {
      memcpy(&w, s + i, 8);
      acc |= w;
    }
    memcpy(&w, s + len - 8, 8);
    acc |= w;
  } else if (len >= 4) {
    uint32_t a, b;
    memcpy(&a, s, 4);
    memcpy(&b, s + len - 4, 4);
    acc = a | b;
  } else if (len) {
    acc = (unsigned char)s[0] | (unsigned char)s[len / 2] | (unsigned char)s[len - 1];
  }
  return !(acc & 0x8080808080808080ull);
}

/* Writes s[0..len) to out with each invalid byte replaced by U+FFFD, and
 * returns the position after it; out has room for otel__utf8_clean_len. */
uint8_t *otel__utf8_put_clean(uint8_t *out, const char *s, size_t len);

/* The same when clean_len (otel__utf8_clean_len of s) is known already: a
 * plain copy when it equals len, the text being valid. */
static inline uint8_t *otel__utf8_put(uint8_t *out, const char *s, size_t len, size_t clean_len) {
  if (clean_len != len) return otel__utf8_put_clean(out, s, len);
  memcpy(out, s, len);
  return out + len;
}

#endif /* OTEL_UTF8_H */
