/* SPDX-License-Identifier: Apache-2.0
 *
 * text_buf.c: a growable string for the renderers, so that they can build
 * their text with printf-like appends and hand out one malloc'd result.
 * An allocation failure is remembered (oom) instead of reported per call.
 */
#include "viewer.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(vw_buf_t *b, size_t extra) {
  if (b->oom) return false;
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) { b->oom = true; return false; }
  b->data = d;
  b->cap = cap;
  return true;
}

void vw_buf_printf(vw_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void vw_buf_put(vw_buf_t *b, const char *s) {
  size_t n = strlen(s);
  if (!reserve(b, n)) return;
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
}

void vw_buf_repeat(vw_buf_t *b, const char *s, int times) {
  for (int i = 0; i < times; i++) vw_buf_put(b, s);
}

char *vw_buf_take(vw_buf_t *b) {
  if (b->oom) { free(b->data); *b = (vw_buf_t){0}; return NULL; }
  char *d = b->data ? b->data : strdup("");
  *b = (vw_buf_t){0};
  return d;
}
