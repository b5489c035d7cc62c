/* SPDX-License-Identifier: Apache-2.0
 *
 * html_escape.c: the one set of helpers through which every string that
 * comes from telemetry reaches a page. Telemetry is hostile input: a span
 * name, attribute value, status message, event attribute or log body may
 * hold markup or control characters, and must show as text, never become
 * an element, an attribute or a script.
 *
 *   vw_html_text   element content, and SVG <text> content (inline SVG in
 *                  an HTML page is parsed by the HTML parser)
 *   vw_html_attr   a double-quoted attribute value (HTML or SVG)
 *   vw_url_part    one path segment or query value inside a URL (then
 *                  put in an attribute with vw_html_attr, which leaves
 *                  percent-encoded text unchanged)
 *
 * Text and attributes: & < > " ' become character references; C0 control
 * characters (but tab and newline) and DEL become their Unicode "control
 * picture" (U+2400 + c, U+2421 for DEL), so that they are visible and
 * harmless. Bytes >= 0x80 pass through: ingest refuses invalid UTF-8.
 */
#include "viewer.h"

#include <string.h>

/* Appends n bytes (not NUL-terminated) to b. */
static void put_n(vw_buf_t *b, const char *s, size_t n) {
  char tmp[256];
  while (n) {
    size_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
    memcpy(tmp, s, k);
    tmp[k] = '\0';
    vw_buf_put(b, tmp);
    s += k;
    n -= k;
  }
}

/* The replacement of byte c in text or attributes, or NULL to keep it. */
static const char *text_ref(unsigned char c, char pic[4]) {
  switch (c) {
  case '&': return "&amp;";
  case '<': return "&lt;";
  case '>': return "&gt;";
  case '"': return "&quot;";
  case '\'': return "&#39;";
  case '\t': case '\n': return NULL;
  default: break;
  }
  if (c < 0x20 || c == 0x7f) { /* U+2400 + c (U+2421 for DEL), in UTF-8 */
    unsigned cp = c == 0x7f ? 0x2421 : 0x2400 + c;
    pic[0] = (char)(0xE0 | (cp >> 12));
    pic[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    pic[2] = (char)(0x80 | (cp & 0x3F));
    pic[3] = '\0';
    return pic;
  }
  return NULL;
}

void vw_html_text(vw_buf_t *b, const char *s) {
  if (!s) return;
  const char *run = s;
  char pic[4];
  for (const char *p = s; *p; p++) {
    const char *ref = text_ref((unsigned char)*p, pic);
    if (!ref) continue;
    put_n(b, run, (size_t)(p - run));
    vw_buf_put(b, ref);
    run = p + 1;
  }
  vw_buf_put(b, run);
}

void vw_html_attr(vw_buf_t *b, const char *s) {
  vw_html_text(b, s); /* the same set: quotes are escaped in both */
}

void vw_url_part(vw_buf_t *b, const char *s) {
  static const char hexd[] = "0123456789ABCDEF";
  char out[4] = {'%', 0, 0, 0};
  const char *run = s;
  for (const char *p = s; p && *p; p++) {
    unsigned char c = (unsigned char)*p;
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~';
    if (keep) continue;
    put_n(b, run, (size_t)(p - run));
    out[1] = hexd[c >> 4];
    out[2] = hexd[c & 15];
    vw_buf_put(b, out);
    run = p + 1;
  }
  if (run) vw_buf_put(b, run);
}
