/* frontend/src/html.c: page buffer and HTML escaping (see html.h). */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(html_t *h, size_t extra) {
  if (h->oom) return 0;
  if (h->len + extra + 1 <= h->cap) return 1;
  size_t cap = h->cap ? h->cap : 4096;
  while (cap < h->len + extra + 1) cap *= 2;
  char *p = realloc(h->data, cap);
  if (!p) {
    h->oom = 1;
    return 0;
  }
  h->data = p;
  h->cap = cap;
  return 1;
}

static void append_n(html_t *h, const char *s, size_t n) {
  if (!reserve(h, n)) return;
  memcpy(h->data + h->len, s, n);
  h->len += n;
  h->data[h->len] = '\0';
}

void html_append(html_t *h, const char *s) { append_n(h, s, strlen(s)); }

void html_append_escaped(html_t *h, const char *s) {
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case '&': append_n(h, "&amp;", 5); break;
    case '<': append_n(h, "&lt;", 4); break;
    case '>': append_n(h, "&gt;", 4); break;
    case '"': append_n(h, "&quot;", 6); break;
    case '\'': append_n(h, "&#39;", 5); break;
    default: append_n(h, p, 1); break;
    }
  }
}

void html_appendf(html_t *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !reserve(h, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(h->data + h->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  h->len += (size_t)n;
}

void html_free(html_t *h) {
  free(h->data);
  memset(h, 0, sizeof(*h));
}
