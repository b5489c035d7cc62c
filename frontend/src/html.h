/* frontend/src/html.h: a growable text buffer for building the page, with
 * HTML escaping for everything that comes from the user or an upstream.
 */
#ifndef FRONTEND_HTML_H
#define FRONTEND_HTML_H

#include <stddef.h>

typedef struct html {
  char *data;   /* owned, NUL-terminated; NULL until the first append */
  size_t len;
  size_t cap;
  int oom;      /* set when an append failed; the page is then not sent */
} html_t;

void html_append(html_t *h, const char *s);
/* Appends s with & < > " ' escaped, so it is safe in text and attributes. */
void html_append_escaped(html_t *h, const char *s);
void html_appendf(html_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void html_free(html_t *h);

#endif /* FRONTEND_HTML_H */
