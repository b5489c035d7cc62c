/* frontend/src/page.h: renders the one page of the frontend: the form, and
 * below it either the result (from the gateway's JSON) or an error.
 * Pure functions of their inputs, so they are tested without a server.
 */
#ifndef FRONTEND_PAGE_H
#define FRONTEND_PAGE_H

#include "html.h"

/* What the page shows under the form. */
typedef struct page_view {
  const char *location;     /* what the user typed, or NULL (borrowed) */
  const char *result_json;  /* the gateway's 200 body, or NULL (borrowed) */
  int error_status;         /* 0, or the HTTP status to explain */
  const char *error_text;   /* the error message shown, or NULL (borrowed) */
  int starting_up_retry_s;  /* >0: the gateway is not ready yet: the page says
                               the app is starting up and reloads itself
                               after that many seconds */
} page_view_t;

/* The security header lines (each ending in CRLF) sent with every page:
 *   Content-Security-Policy: default-src 'none' (no script, frame, font,
 *     connection ...); style-src the page's own <style> by its SHA-256, so
 *     no injected style applies either; img-src 'self' (the browser's
 *     favicon request); form-action 'self'; frame-ancestors 'none' (no
 *     clickjacking); base-uri 'none'. The world map is inline SVG drawn
 *     with presentation attributes, which CSP does not restrict.
 *   Referrer-Policy: no-referrer (the place typed is in the page's URL).
 * X-Content-Type-Options: nosniff comes with every servicekit reply.
 * Static storage, made on the first call; safe from any thread. */
const char *page_security_headers(void);

/* Appends the whole HTML document for view to h. */
void page_render(html_t *h, const page_view_t *view);

#endif /* FRONTEND_PAGE_H */
