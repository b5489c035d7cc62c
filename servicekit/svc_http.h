/* servicekit/svc_http.h: small helpers every service handler uses with
 * civetweb: read one query parameter strictly (decoded, length-limited,
 * valid UTF-8, no control characters), and write a whole response in one
 * mg_write (docs/design.md, civetweb: separate header/body writes stall
 * on Nagle).
 * Not for: routing or server lifecycle (svc_server.h).
 */
#ifndef SVC_HTTP_H
#define SVC_HTTP_H

#include <stddef.h>

#include <civetweb.h>

typedef enum svc_param_result {
  SVC_PARAM_OK = 0,
  SVC_PARAM_MISSING,   /* absent or empty after trimming spaces */
  SVC_PARAM_TOO_LONG,  /* longer than the caller's buffer allows */
  SVC_PARAM_INVALID    /* not UTF-8, or has NUL/control characters */
} svc_param_result_t;

/* Reads query parameter `name` of the current request (GET query string, or
 * an application/x-www-form-urlencoded body already read into `form`, which
 * may be NULL), percent-decoded into out (cap bytes, NUL-terminated),
 * surrounding spaces trimmed. On anything but SVC_PARAM_OK, out is "". */
svc_param_result_t svc_get_param(const struct mg_connection *conn,
                                 const char *form, const char *name,
                                 char *out, size_t cap);

/* True when s (len bytes) is valid UTF-8 with no C0 control characters and
 * no DEL. Exposed for the tests. */
int svc_text_is_clean(const char *s, size_t len);

/* Writes status line, headers and body in one mg_write. body is borrowed.
 * content_type NULL means "text/plain; charset=utf-8". Returns the status. */
int svc_reply(struct mg_connection *conn, int status, const char *content_type,
              const char *body, size_t len);
/* svc_reply with more header lines: extra is NULL, "" or lines each ending
 * in "\r\n" (borrowed, e.g. a page's security headers, Retry-After).
 * Returns the status, or 500 without writing anything when the head would
 * exceed 2 KiB. */
int svc_reply_with_headers(struct mg_connection *conn, int status, const char *content_type,
                           const char *extra, const char *body, size_t len);

/* svc_reply with a NUL-terminated text/plain body. */
int svc_reply_text(struct mg_connection *conn, int status, const char *text);
/* svc_reply with a NUL-terminated application/json body. */
int svc_reply_json(struct mg_connection *conn, int status, const char *json);
/* 405 with an Allow header naming `allow` (e.g. "GET" or "GET, POST"). */
int svc_reply_method_not_allowed(struct mg_connection *conn, const char *allow);

#endif /* SVC_HTTP_H */
