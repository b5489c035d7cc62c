/* SPDX-License-Identifier: Apache-2.0
 *
 * utf8.c: U+FFFD in place of the bytes that are not valid UTF-8 (see
 * utf8.h). Valid means what RFC 3629 allows: no overlong forms, no
 * surrogates, nothing above U+10FFFF. ASCII, most of any telemetry text,
 * is passed over eight bytes at a time.
 */
#include "utf8.h"

#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the ASCII run at the start of p[0..len). */
static size_t ascii_run(const unsigned char *p, size_t len) {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull) break;
  }
  while (i < len && p[i] < 0x80) i++;
  return i;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
static size_t sequence_len(const unsigned char *s, size_t left) {
  unsigned char c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (left < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

size_t otel__utf8_clean_len(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t out = 0;
  for (size_t i = 0; i < len;) {
    size_t run = ascii_run(p + i, len - i);
    out += run;
    i += run;
    if (i == len) break;
    size_t n = sequence_len(p + i, len - i);
    out += n ? n : sizeof replacement - 1;
    i += n ? n : 1;
  }
  return out;
}

uint8_t *otel__utf8_put_clean(uint8_t *out, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < len;) {
    size_t run = ascii_run(p + i, len - i);
    memcpy(out, p + i, run);
    out += run;
    i += run;
    if (i == len) break;
    size_t n = sequence_len(p + i, len - i);
    if (n) {
      memcpy(out, p + i, n);
      out += n;
      i += n;
    } else {
      memcpy(out, replacement, sizeof replacement - 1);
      out += sizeof replacement - 1;
      i++;
    }
  }
  return out;
}
