/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_http.c: the OTLP/HTTP transport: POST application/x-protobuf to the
 * signal's URL with libcurl, optionally gzip-compressed, reusing one easy
 * handle (keep-alive). Retryable: 429, 502, 503, 504 and connection
 * failures; Retry-After is honoured. Specification: "OTLP/HTTP". An
 * https:// URL is TLS (curl's default roots, or the options' certificate
 * file; the client certificate and key for mutual TLS).
 *
 * The request runs in a multi handle of its own (it keeps the connection
 * cache, so keep-alive holds), waiting in curl_multi_poll: cancel (a
 * shutdown deadline) wakes it with curl_multi_wakeup, which is
 * thread-safe, and the request is abandoned at once.
 */
#include "otlp_curl_error.h"
#include "otlp_transport.h"

#include "google/rpc/status.pb-c.h"
#include "otel/resource.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_RESPONSE (64 * 1024)

typedef struct http {
  otel_signal_t signal;
  bool gzip;
  CURL *easy;
  CURLM *multi;
  atomic_bool cancelled;
  struct curl_slist *headers;
  char url[512];
  char ca_file[512], cert_file[512], key_file[512]; /* "" when unset */
} http_t;

typedef struct buffer {
  uint8_t *data;
  size_t len;
} buffer_t;

static size_t collect(char *p, size_t size, size_t n, void *ud) {
  buffer_t *b = ud;
  size_t add = size * n;
  size_t room = b->len < MAX_RESPONSE ? MAX_RESPONSE - b->len : 0;
  size_t take = add < room ? add : room;
  if (take) {
    uint8_t *grown = realloc(b->data, b->len + take);
    if (!grown) return 0;
    memcpy(grown + b->len, p, take);
    b->data = grown;
    b->len += take;
  }
  return add;
}

static void *http_create(const otel_otlp_options_t *o) {
  http_t *h = calloc(1, sizeof(*h));
  if (!h) return NULL;
  h->signal = o->signal;
  h->gzip = o->gzip;
  snprintf(h->url, sizeof(h->url), "%s", o->endpoint);
  snprintf(h->ca_file, sizeof(h->ca_file), "%s", o->certificate);
  snprintf(h->cert_file, sizeof(h->cert_file), "%s", o->client_certificate);
  snprintf(h->key_file, sizeof(h->key_file), "%s", o->client_key);
  h->easy = curl_easy_init();
  h->multi = curl_multi_init();
  struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/x-protobuf");
  if (l && o->gzip) l = curl_slist_append(l, "Content-Encoding: gzip");
  if (l) l = curl_slist_append(l, "Expect:"); /* no 100-continue round trip */
  for (size_t i = 0; l && i < o->header_count; i++) {
    char line[400];
    snprintf(line, sizeof(line), "%s: %s", o->headers[i].key, o->headers[i].value);
    l = curl_slist_append(l, line);
  }
  h->headers = l;
  if (!h->easy || !h->multi || !h->headers) {
    curl_easy_cleanup(h->easy);
    if (h->multi) curl_multi_cleanup(h->multi);
    curl_slist_free_all(h->headers);
    free(h);
    return NULL;
  }
  return h;
}

static void http_destroy(void *ctx) {
  http_t *h = ctx;
  curl_multi_cleanup(h->multi);
  curl_easy_cleanup(h->easy);
  curl_slist_free_all(h->headers);
  free(h);
}

static void http_cancel(void *ctx) {
  http_t *h = ctx;
  atomic_store(&h->cancelled, true);
  curl_multi_wakeup(h->multi);
}

/* curl_easy_perform, but woken and abandoned by http_cancel. */
static CURLcode perform(http_t *h) {
  if (atomic_load(&h->cancelled)) return CURLE_ABORTED_BY_CALLBACK;
  if (curl_multi_add_handle(h->multi, h->easy) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode rc = CURLE_FAILED_INIT;
  int running = 1;
  while (running) {
    if (curl_multi_perform(h->multi, &running) != CURLM_OK) break;
    if (!running) {
      int left;
      CURLMsg *m;
      while ((m = curl_multi_info_read(h->multi, &left)))
        if (m->msg == CURLMSG_DONE && m->easy_handle == h->easy) rc = m->data.result;
      break;
    }
    if (atomic_load(&h->cancelled)) {
      rc = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    /* curl's own timeout (CURLOPT_TIMEOUT_MS) ends the transfer; the poll
     * only sleeps until there is something to do, or a wakeup */
    if (curl_multi_poll(h->multi, NULL, 0, 1000, NULL) != CURLM_OK) break;
  }
  curl_multi_remove_handle(h->multi, h->easy);
  return rc;
}

/* gzip (RFC 1952) of in; malloc'd result in *out. */
static bool gzip_body(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len) {
  z_stream z;
  memset(&z, 0, sizeof(z));
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  size_t cap = deflateBound(&z, len);
  uint8_t *buf = malloc(cap);
  if (!buf) {
    deflateEnd(&z);
    return false;
  }
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)len;
  z.next_out = buf;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  *out_len = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(buf);
    return false;
  }
  *out = buf;
  return true;
}

/* An error body is a google.rpc.Status; keep its message when it has one. */
static void error_message(const buffer_t *resp, long status, otel__otlp_attempt_t *out) {
  Google__Rpc__Status *st = resp->len ? google__rpc__status__unpack(NULL, resp->len, resp->data) : NULL;
  if (st && st->message && st->message[0])
    snprintf(out->message, sizeof(out->message), "HTTP %ld: %s", status, st->message);
  else
    snprintf(out->message, sizeof(out->message), "HTTP %ld%s%.*s", status, resp->len ? ": " : "",
             (int)(resp->len < 160 ? resp->len : 160), resp->len ? (const char *)resp->data : "");
  if (st) google__rpc__status__free_unpacked(st, NULL);
}

static void http_send(void *ctx, otel__otlp_body_t *request, uint32_t timeout_ms,
                      otel__otlp_attempt_t *out) {
  http_t *h = ctx;
  const uint8_t *body = request->data; /* libcurl is done with it when perform returns */
  size_t len = request->len;
  uint8_t *zipped = NULL;
  size_t zipped_len = 0;
  if (h->gzip) {
    if (!gzip_body(body, len, &zipped, &zipped_len)) {
      out->err = OTEL_ENOMEM;
      snprintf(out->message, sizeof(out->message), "gzip compression failed");
      return;
    }
    body = zipped;
    len = zipped_len;
  }
  buffer_t resp = {NULL, 0};
  char errbuf[CURL_ERROR_SIZE] = "";
  CURL *e = h->easy;
  curl_easy_reset(e);
  curl_easy_setopt(e, CURLOPT_URL, h->url);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, (const char *)body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "otel-lite/" OTEL_SDK_VERSION);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &resp);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  if (h->ca_file[0]) curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_file);
  if (h->cert_file[0]) curl_easy_setopt(e, CURLOPT_SSLCERT, h->cert_file);
  if (h->key_file[0]) curl_easy_setopt(e, CURLOPT_SSLKEY, h->key_file);
  CURLcode rc = perform(h);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    out->err = OTEL_ECANCELED;
    snprintf(out->message, sizeof(out->message), "cancelled at the shutdown deadline");
  } else if (rc != CURLE_OK) {
    otel__otlp_curl_attempt(rc, errbuf, out); /* retries network errors and timeouts only */
  } else if (status >= 200 && status < 300) {
    out->err = OTEL_OK;
    otel__otlp_read_response(resp.data, resp.len, out);
  } else {
    out->retryable = status == 429 || status == 502 || status == 503 || status == 504;
    out->err = out->retryable ? OTEL_ERETRY : OTEL_EEXPORT;
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
      out->retry_after_ms = otel__otlp_retry_hint_ms((int64_t)retry_after, 0);
    error_message(&resp, status, out);
  }
  free(resp.data);
  free(zipped);
}

const struct otel__otlp_transport_type otel__otlp_http_transport = {
    .name = "http/protobuf", .create = http_create, .send = http_send, .cancel = http_cancel,
    .destroy = http_destroy};
