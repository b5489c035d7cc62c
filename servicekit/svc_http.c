/* servicekit/svc_http.c: strict query parameters and single-write replies
 * for civetweb handlers (see svc_http.h). */
#include "svc_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int svc_text_is_clean(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return 0;
      i++;
      continue;
    }
    size_t n;
    unsigned min;
    unsigned cp;
    if ((c & 0xe0) == 0xc0) { n = 1; min = 0x80; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { n = 2; min = 0x800; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { n = 3; min = 0x10000; cp = c & 0x07; }
    else return 0;
    for (size_t k = 1; k <= n; k++) {
      if (i + k >= len || (p[i + k] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    i += n + 1;
  }
  return 1;
}

svc_param_result_t svc_get_param(const struct mg_connection *conn,
                                 const char *form, const char *name,
                                 char *out, size_t cap) {
  out[0] = '\0';
  const char *data = form;
  if (!data) {
    const struct mg_request_info *ri = mg_get_request_info(conn);
    data = ri ? ri->query_string : NULL;
  }
  if (!data) return SVC_PARAM_MISSING;
  size_t data_len = strlen(data);
  /* mg_get_var writes at most cap-1 bytes and returns -2 when it would not
   * fit; decode into a buffer one larger than the limit to tell "too long"
   * from "exactly cap-1". */
  char *tmp = malloc(cap + 1);
  if (!tmp) return SVC_PARAM_INVALID;
  int n = mg_get_var(data, data_len, name, tmp, cap + 1);
  svc_param_result_t res = SVC_PARAM_OK;
  if (n == -1) res = SVC_PARAM_MISSING;
  else if (n < 0 || (size_t)n >= cap) res = SVC_PARAM_TOO_LONG;
  else if (!svc_text_is_clean(tmp, (size_t)n)) res = SVC_PARAM_INVALID;
  if (res == SVC_PARAM_OK) {
    const char *b = tmp, *e = tmp + n;
    while (b < e && *b == ' ') b++;
    while (e > b && e[-1] == ' ') e--;
    if (b == e) res = SVC_PARAM_MISSING;
    else {
      memcpy(out, b, (size_t)(e - b));
      out[e - b] = '\0';
    }
  }
  free(tmp);
  return res;
}

static const char *status_text(int status) {
  const char *t = mg_get_response_code_text(NULL, status);
  return t ? t : "";
}

int svc_reply_with_headers(struct mg_connection *conn, int status,
                           const char *content_type, const char *extra,
                           const char *body, size_t len) {
  char head[2048];
  int h = snprintf(head, sizeof(head),
                   "HTTP/1.1 %d %s\r\n"
                   "Content-Type: %s\r\n"
                   "Content-Length: %zu\r\n"
                   "Cache-Control: no-store\r\n"
                   "X-Content-Type-Options: nosniff\r\n"
                   "%s\r\n",
                   status, status_text(status),
                   content_type ? content_type : "text/plain; charset=utf-8",
                   len, extra ? extra : "");
  if (h < 0 || (size_t)h >= sizeof(head)) return 500;
  char *buf = malloc((size_t)h + len);
  if (!buf) return 500;
  memcpy(buf, head, (size_t)h);
  if (len) memcpy(buf + h, body, len);
  mg_write(conn, buf, (size_t)h + len);
  free(buf);
  return status;
}

int svc_reply(struct mg_connection *conn, int status, const char *content_type,
              const char *body, size_t len) {
  return svc_reply_with_headers(conn, status, content_type, NULL, body, len);
}

int svc_reply_text(struct mg_connection *conn, int status, const char *text) {
  return svc_reply(conn, status, NULL, text, strlen(text));
}

int svc_reply_json(struct mg_connection *conn, int status, const char *json) {
  return svc_reply(conn, status, "application/json", json, strlen(json));
}

int svc_reply_method_not_allowed(struct mg_connection *conn, const char *allow) {
  char extra[128];
  snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow);
  static const char body[] = "Method not allowed";
  return svc_reply_with_headers(conn, 405, NULL, extra, body, sizeof(body) - 1);
}
