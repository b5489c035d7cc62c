/* SPDX-License-Identifier: Apache-2.0
 *
 * http_server.c: the HTTP port (4318 by default), served by civetweb.
 *
 *   POST /v1/traces, /v1/metrics, /v1/logs   OTLP/HTTP, protobuf or JSON,
 *                                            optionally gzip-compressed
 *   GET  /api/...                            query API (query_api.c)
 *   GET  /healthz                            "ok"
 *   GET  /, /trace/<id>, /logs, /static/...  the pages (pages.c)
 *   GET  /metrics                            Prometheus text (prom_text.c)
 *   GET  /api/stream                         server-sent events on changes
 *
 * Status codes follow the OTLP/HTTP spec: 200 with an Export*ServiceResponse
 * in the encoding of the request (partial_success when items were
 * rejected); 400 for a body that does not decode (bad protobuf, bad JSON,
 * bad gzip, nested deeper than VW_MAX_NESTING), 413 for a body over the
 * limit (before or after inflating, or once decoded: request_decode.c),
 * 415 for another content type or encoding, 404 for unknown paths, 405 for
 * other methods; errors carry a google.rpc.Status body. Each response is
 * written with one mg_write and tcp_nodelay is on (docs/design.md,
 * civetweb: it stalls on Nagle otherwise).
 */
#include "viewer.h"

#include <civetweb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <stdatomic.h>
#include <time.h>

struct vw_http {
  struct mg_context *ctx;
  vw_ingest_t *in;
  vw_store_t *store;
  size_t max_body;
  atomic_bool stopping;     /* streams end when set */
  atomic_int streams;       /* /api/stream connections open */
};

/* At most this many /api/stream connections: each holds a civetweb
 * thread, and OTLP exports must keep finding one. */
#define MAX_STREAMS 4

/* Writes status line, headers and body in one mg_write. */
static void respond(struct mg_connection *conn, int status, const char *ctype,
                    const void *body, size_t len, bool close) {
  const char *reason = mg_get_response_code_text(conn, status);
  char head[256];
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s\r\n",
                    status, reason ? reason : "", ctype, len,
                    close ? "Connection: close\r\n" : "");
  char *all = malloc((size_t)hl + len);
  if (!all) {
    mg_write(conn, head, (size_t)hl);
    mg_write(conn, body, len);
    return;
  }
  memcpy(all, head, (size_t)hl);
  if (len) memcpy(all + hl, body, len);
  mg_write(conn, all, (size_t)hl + len);
  free(all);
}

/* google.rpc.Status {code = 1; message = 2}: protobuf by hand (two fields),
 * or its JSON form. */
static void respond_error(struct mg_connection *conn, vw_http_t *h, int status,
                          int grpc_code, const char *message, bool json) {
  vw_stats_t st = {.bad_requests = 1};
  vw_store_count(h->store, &st);
  bool close = status == 413;
  if (json) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "code", grpc_code);
    cJSON_AddStringToObject(j, "message", message);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    respond(conn, status, "application/json", s ? s : "", s ? strlen(s) : 0, close);
    free(s);
    return;
  }
  uint8_t buf[300];
  size_t n = 0, mlen = strlen(message);
  if (mlen > 250) mlen = 250;
  buf[n++] = 0x08;              /* field 1, varint */
  buf[n++] = (uint8_t)grpc_code;
  buf[n++] = 0x12;              /* field 2, length-delimited */
  if (mlen >= 128) { buf[n++] = (uint8_t)(0x80 | (mlen & 0x7f)); buf[n++] = (uint8_t)(mlen >> 7); }
  else buf[n++] = (uint8_t)mlen;
  memcpy(buf + n, message, mlen);
  n += mlen;
  respond(conn, status, "application/x-protobuf", buf, n, close);
}

/* Reads the whole body, at most max bytes. Returns 0, 413 or 400. */
static int read_body(struct mg_connection *conn, size_t max, uint8_t **out, size_t *len) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  *out = NULL;
  *len = 0;
  if (ri->content_length > 0 && (unsigned long long)ri->content_length > max) return 413;
  size_t cap = ri->content_length > 0 ? (size_t)ri->content_length : 65536;
  uint8_t *buf = malloc(cap + 1);
  if (!buf) return 413;
  for (;;) {
    if (*len == cap) {
      if (cap >= max) { free(buf); return 413; }
      cap = cap * 2 > max ? max : cap * 2;
      uint8_t *nb = realloc(buf, cap + 1);
      if (!nb) { free(buf); return 413; }
      buf = nb;
    }
    int n = mg_read(conn, buf + *len, cap - *len);
    if (n < 0) { free(buf); return 400; }
    if (n == 0) break;
    *len += (size_t)n;
  }
  if (ri->content_length > 0 && *len != (size_t)ri->content_length) { free(buf); return 400; }
  *out = buf;
  return 0;
}

static bool media_type_is(const char *ct, const char *want) {
  size_t n = strlen(want);
  if (!ct || strncasecmp(ct, want, n) != 0) return false;
  return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static void handle_export(struct mg_connection *conn, vw_http_t *h, vw_signal_t sig) {
  const char *ct = mg_get_header(conn, "Content-Type");
  bool json = media_type_is(ct, "application/json");
  if (!json && !media_type_is(ct, "application/x-protobuf")) {
    respond_error(conn, h, 415, 3,
                  "unsupported content type: use application/x-protobuf or application/json",
                  false);
    return;
  }
  const char *enc = mg_get_header(conn, "Content-Encoding");
  bool gz = enc && strcasecmp(enc, "gzip") == 0;
  if (enc && !gz && strcasecmp(enc, "identity") != 0) {
    respond_error(conn, h, 415, 3, "unsupported content encoding: use gzip or none", json);
    return;
  }
  uint8_t *body;
  size_t len;
  int rc = read_body(conn, h->max_body, &body, &len);
  if (rc) {
    respond_error(conn, h, rc, rc == 413 ? 8 : 3,
                  rc == 413 ? "request body too large" : "could not read the request body",
                  json);
    return;
  }
  if (gz) {
    uint8_t *plain;
    size_t plain_len;
    rc = vw_gunzip(body, len, h->max_body, &plain, &plain_len);
    free(body);
    if (rc) {
      respond_error(conn, h, rc, rc == 413 ? 8 : 3,
                    rc == 413 ? "inflated request body too large" : "invalid gzip body", json);
      return;
    }
    body = plain;
    len = plain_len;
  }
  vw_request_t req;
  char why[200];
  vw_decode_status_t st = vw_decode_request(sig, body, len, json, h->max_body, &req, why, sizeof why);
  if (st != VW_DECODE_OK) {
    free(body);
    if (st == VW_DECODE_TOO_LARGE) respond_error(conn, h, 413, 8, why, json);
    else if (st == VW_DECODE_BUSY) respond_error(conn, h, 503, 14, why, json);
    else respond_error(conn, h, 400, 3, why, json);
    return;
  }
  vw_slice_t raw = {body, len};
  ProtobufCMessage *resp = vw_ingest_request(h->in, sig, req.msg, json ? NULL : &raw);
  free(body);
  vw_request_release(&req);
  if (!resp) {
    respond_error(conn, h, 500, 13, "out of memory", json);
    return;
  }
  if (json) {
    cJSON *j = vw_pb_to_json(resp);
    char *s = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    respond(conn, 200, "application/json", s ? s : "{}", s ? strlen(s) : 2, false);
    free(s);
  } else {
    size_t n = protobuf_c_message_get_packed_size(resp);
    uint8_t *out = malloc(n ? n : 1);
    if (out) protobuf_c_message_pack(resp, out);
    respond(conn, 200, "application/x-protobuf", out, out ? n : 0, false);
    free(out);
  }
  protobuf_c_message_free_unpacked(resp, NULL);
}

/* No authentication here; without an auth handler civetweb would look for
 * "/.htpasswd" on every request (no document root is set). */
static int no_authentication(struct mg_connection *conn, void *unused) {
  (void)conn;
  (void)unused;
  return 1; /* authorized */
}

/* GET /api/stream: server-sent events. An event "change" whenever the
 * store changed (checked every 250 ms), with the counters as its data,
 * and a comment every 15 s so that proxies keep the connection; ends when
 * the client goes or the server stops. */
static void stream_events(struct mg_connection *conn, vw_http_t *h) {
  if (atomic_fetch_add(&h->streams, 1) >= MAX_STREAMS) {
    atomic_fetch_sub(&h->streams, 1);
    respond_error(conn, h, 503, 14, "too many event streams", false);
    return;
  }
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
  bool ok = mg_write(conn, head, sizeof head - 1) > 0;
  uint64_t seen = UINT64_MAX;
  int idle = 0;
  while (ok && !atomic_load(&h->stopping)) {
    vw_stats_t st;
    uint64_t seq = vw_store_seq(h->store, &st);
    if (seq != seen) {
      char ev[320];
      int n = snprintf(ev, sizeof ev,
                       "event: change\ndata: {\"seq\":%llu,\"spans\":%llu,\"logs\":%llu,"
                       "\"points\":%llu,\"requests\":%llu}\n\n",
                       (unsigned long long)seq, (unsigned long long)st.spans,
                       (unsigned long long)st.logs, (unsigned long long)st.points,
                       (unsigned long long)st.requests);
      ok = mg_write(conn, ev, (size_t)n) > 0;
      seen = seq;
      idle = 0;
    } else if (++idle >= 60) {
      ok = mg_write(conn, ": keep-alive\n\n", 14) > 0;
      idle = 0;
    }
    poll(NULL, 0, 250);
  }
  atomic_fetch_sub(&h->streams, 1);
}

typedef struct prom_ctx { bool om; char *text; } prom_ctx_t;

static void prom_cb(const vw_metric_t *const *v, size_t n, void *ud) {
  prom_ctx_t *c = ud;
  c->text = vw_prometheus_text(v, n, c->om);
}

static int handler(struct mg_connection *conn, void *cbdata) {
  vw_http_t *h = cbdata;
  const struct mg_request_info *ri = mg_get_request_info(conn);
  const char *uri = ri->local_uri ? ri->local_uri : "";
  bool post = strcmp(ri->request_method, "POST") == 0;
  bool get = strcmp(ri->request_method, "GET") == 0;
  static const char *const paths[] = {"/v1/traces", "/v1/metrics", "/v1/logs"};
  for (int s = 0; s < 3; s++) {
    if (strcmp(uri, paths[s]) != 0) continue;
    if (!post) respond_error(conn, h, 405, 12, "use POST", false);
    else handle_export(conn, h, (vw_signal_t)s);
    return 1;
  }
  if (strcmp(uri, "/healthz") == 0 && get) {
    respond(conn, 200, "text/plain", "ok\n", 3, false);
    return 1;
  }
  if (strcmp(uri, "/api/stream") == 0 && get) {
    stream_events(conn, h);
    return 1;
  }
  if (strncmp(uri, "/api/", 5) == 0 && get) {
    int status;
    const char *ct;
    char *body = vw_query(h->store, uri, ri->query_string, &status, &ct);
    respond(conn, status, ct, body ? body : "", body ? strlen(body) : 0, false);
    free(body);
    return 1;
  }
  if (get && strcmp(uri, "/metrics") == 0) {
    const char *accept = mg_get_header(conn, "Accept");
    bool om = accept && strstr(accept, "application/openmetrics-text");
    prom_ctx_t pc = {om, NULL};
    vw_store_read_metrics(h->store, prom_cb, &pc);
    if (!pc.text) { respond_error(conn, h, 500, 13, "out of memory", false); return 1; }
    respond(conn, 200, om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                          : "text/plain; version=0.0.4; charset=utf-8",
            pc.text, strlen(pc.text), false);
    free(pc.text);
    return 1;
  }
  if (get) {
    int status;
    const char *ct;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char *body = vw_pages(h->store, uri, ri->query_string,
                          (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec, &status, &ct);
    if (body) {
      respond(conn, status, ct, body, strlen(body), false);
      free(body);
      return 1;
    }
  }
  respond_error(conn, h, 404, 5, "not found", false);
  return 1;
}

vw_http_t *vw_http_start(const char *bind, int port, vw_ingest_t *in,
                         vw_store_t *store, size_t max_body, int *bound_port) {
  vw_http_t *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  h->in = in;
  h->store = store;
  h->max_body = max_body;
  char listen[300];
  snprintf(listen, sizeof listen, "%s:%d", bind, port);
  /* civetweb 1.15 gives each connection one worker for its whole life
   * (an open /api/stream page holds one too), so a client that sends half
   * a request holds a worker until request_timeout_ms. 128 workers keep
   * 64 such half-open connections (tests/integration/slow_clients.py) from
   * stalling the services' exports; each costs a 100 KiB stack (Debian's
   * civetweb is built with a 102400-byte thread stack) and a 16 KiB
   * request buffer, of which a few tens of KB are resident once used
   * (measured in servicekit/svc_server.h). The request head must arrive
   * within 10 s of its first byte (the same bound applies to each body
   * read, ample for --max-body on a local network); an idle keep-alive
   * connection is closed after 2 s. */
  const char *options[] = {"listening_ports", listen, "num_threads", "128",
                           "tcp_nodelay", "1", "enable_keep_alive", "yes",
                           "request_timeout_ms", "10000",
                           "keep_alive_timeout_ms", "2000", NULL};
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  h->ctx = mg_start(&cb, h, options);
  if (!h->ctx) {
    fprintf(stderr, "otel-viewer: cannot listen for HTTP on %s\n", listen);
    free(h);
    return NULL;
  }
  mg_set_request_handler(h->ctx, "/", handler, h);
  mg_set_auth_handler(h->ctx, "/", no_authentication, NULL);
  struct mg_server_port ports[4];
  int n = mg_get_server_ports(h->ctx, 4, ports);
  *bound_port = n > 0 ? ports[0].port : port;
  return h;
}

void vw_http_stop(vw_http_t *h) {
  if (!h) return;
  atomic_store(&h->stopping, true); /* event streams end within 250 ms */
  mg_stop(h->ctx);
  free(h);
}
