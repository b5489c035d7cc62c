/* SPDX-License-Identifier: Apache-2.0
 *
 * term_escape.c: the one way a string from telemetry reaches the terminal
 * of the live view. Telemetry is hostile input: a span name, attribute
 * value, status message, log body, metric name or service name may hold
 * ESC sequences (clear the screen, move the cursor, set the window title,
 * write to the clipboard with OSC 52), a BEL, a CR that overwrites the
 * line, or their 8-bit C1 forms (U+009B is CSI on many terminals). Every
 * such character is shown as text instead:
 *
 *   C0 and DEL     \t \n \r, else \xNN        ESC[2J  ->  \x1b[2J
 *   C1 U+0080-9F   \uNNNN                    U+009B  ->  \u009b
 *   bytes that are not UTF-8 (ingest refuses them; kept safe anyway): \xNN
 *
 * Everything else (printable ASCII and valid UTF-8 above U+009F) passes
 * unchanged. The renderers add their own colour sequences around the
 * escaped text; nothing from telemetry can add one.
 */
#include "viewer.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), 0 when not valid. */
static size_t utf8_len(const unsigned char *s) {
  unsigned char c = s[0];
  size_t n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  for (size_t k = 1; k < n; k++) {
    if ((s[k] & 0xC0) != 0x80) return 0; /* also stops at the NUL */
    cp = (cp << 6) | (s[k] & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

/* Appends the bytes [p, end) unchanged. */
static void put_run(vw_buf_t *b, const unsigned char *p, const unsigned char *end) {
  char tmp[256];
  while (p < end) {
    size_t k = (size_t)(end - p) < sizeof tmp - 1 ? (size_t)(end - p) : sizeof tmp - 1;
    memcpy(tmp, p, k);
    tmp[k] = '\0';
    vw_buf_put(b, tmp);
    p += k;
  }
}

static void put(vw_buf_t *b, const unsigned char *s, size_t n, bool one_line) {
  const unsigned char *run = s; /* start of the bytes that pass unchanged */
  char esc[8];
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len = c >= 0x80 ? utf8_len(s + i) : 0;
    if ((c >= 0x20 && c < 0x7f) || (len && !(c == 0xC2 && s[i + 1] < 0xA0))) {
      i += len ? len : 1; /* printable ASCII, or UTF-8 that is not C1 */
      continue;
    }
    const char *rep = esc;
    if (len) snprintf(esc, sizeof esc, "\\u%04x", s[i + 1]); /* C1 */
    else if (one_line && (c == '\n' || c == '\r')) rep = " ";
    else if (c == '\t') rep = "\\t";
    else if (c == '\n') rep = "\\n";
    else if (c == '\r') rep = "\\r";
    else snprintf(esc, sizeof esc, "\\x%02x", c);
    put_run(b, run, s + i);
    vw_buf_put(b, rep);
    i += len ? len : 1;
    run = s + i;
  }
  put_run(b, run, s + n);
}

void vw_term_text(vw_buf_t *b, const char *s) {
  if (s) put(b, (const unsigned char *)s, strlen(s), false);
}

void vw_term_line(vw_buf_t *b, const char *s) {
  if (s) put(b, (const unsigned char *)s, strlen(s), true);
}

char *vw_term_escape(const char *s) {
  vw_buf_t b = {0};
  vw_term_text(&b, s);
  return vw_buf_take(&b);
}
