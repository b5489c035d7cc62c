/* SPDX-License-Identifier: Apache-2.0
 *
 * instrument_curl.c: CLIENT spans around libcurl transfers (see
 * instrument_curl.h). The span starts before the headers are injected, so
 * the callee's parent is this span; the URL, method and status are read
 * from libcurl after the transfer.
 */
#include "otel/instrument_curl.h"

#include "otel/propagation.h"

#include "http_semconv.h"
#include "metrics_internal.h"
#include "trace_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static otel_curl_options_t options;
static otel_instrument_t *duration_histogram;

/* The duration series this thread recorded to last, with the method,
 * host, port and status that chose each: a client calls the same few
 * upstreams again and again (the gateway: two, alternately), and a kept
 * series is recorded to without comparing its attribute set again
 * (metrics_internal.h). `generation` tells a series of an instrument made
 * by an earlier otel_curl_instrument. */
#define KEPT_SERIES 4
static atomic_uint instruments_generation;
typedef struct kept_series {
  unsigned generation;
  otel__series_t *series;
  char method[16], host[128];
  long port, status;
} kept_series_t;
static _Thread_local kept_series_t kept[KEPT_SERIES];
static _Thread_local unsigned kept_next; /* the entry a miss replaces */

void otel_curl_instrument(const otel_curl_options_t *opts) {
  if (opts) options = *opts;
  else memset(&options, 0, sizeof(options));
  duration_histogram = NULL;
  atomic_fetch_add_explicit(&instruments_generation, 1, memory_order_relaxed); /* kept series are stale */
  if (options.meter)
    otel_meter_create_histogram(options.meter, "http.client.request.duration", "s",
                                "Duration of HTTP client requests.", otel__http_duration_buckets,
                                OTEL__HTTP_DURATION_BUCKET_COUNT, &duration_histogram);
}

static otel_tracer_t *tracer(void) {
  if (options.tracer) return options.tracer;
  return otel_tracer_provider_get_tracer(otel_tracer_provider_get_global(),
                                         "libotel-lite.curl", "0.1.0");
}

struct header_list {
  struct curl_slist *list;
  bool failed;
};

static void add_header(void *c, const char *key, const char *value) {
  struct header_list *h = c;
  char line[8400];
  size_t k = strlen(key), v = strlen(value); /* "key: value", cut as snprintf would */
  if (k > sizeof line - 3) k = sizeof line - 3;
  if (v > sizeof line - 3 - k) v = sizeof line - 3 - k;
  memcpy(line, key, k);
  memcpy(line + k, ": ", 2);
  memcpy(line + k + 2, value, v);
  line[k + 2 + v] = '\0';
  struct curl_slist *l = curl_slist_append(h->list, line);
  if (l) h->list = l;
  else h->failed = true;
}

/* Copies the caller's headers, dropping any propagation header it set. */
static struct curl_slist *copy_headers(const struct curl_slist *in) {
  struct curl_slist *out = NULL;
  for (; in; in = in->next) {
    if (!strncasecmp(in->data, "traceparent:", 12) || !strncasecmp(in->data, "tracestate:", 11) ||
        !strncasecmp(in->data, "baggage:", 8))
      continue;
    struct curl_slist *l = curl_slist_append(out, in->data);
    if (!l) break;
    out = l;
  }
  return out;
}

/* The series of a successful transfer answered under 400 (no error.type)
 * whose method and host fit the kept copies; NULL: take the plain path. */
static otel__series_t *duration_series(const char *method, const char *host, long port, long status) {
  size_t method_len = strlen(method), host_len = strlen(host);
  if (method_len >= sizeof kept[0].method || host_len >= sizeof kept[0].host) return NULL;
  unsigned generation = atomic_load_explicit(&instruments_generation, memory_order_relaxed);
  for (int i = 0; i < KEPT_SERIES; i++) {
    const kept_series_t *k = &kept[i];
    if (k->generation == generation && k->series && k->port == port && k->status == status &&
        !strcmp(k->method, method) && !strcmp(k->host, host))
      return k->series;
  }
  otel_attr_t attrs[4];
  size_t n = 0;
  attrs[n++] = OTEL_ATTR_STR("http.request.method", method);
  if (host[0]) attrs[n++] = OTEL_ATTR_STR("server.address", host);
  if (port) attrs[n++] = OTEL_ATTR_INT("server.port", port);
  attrs[n++] = OTEL_ATTR_INT("http.response.status_code", status);
  kept_series_t *k = &kept[kept_next++ % KEPT_SERIES];
  k->series = otel__instrument_series(duration_histogram, attrs, n);
  memcpy(k->method, method, method_len + 1);
  memcpy(k->host, host, host_len + 1);
  k->port = port;
  k->status = status;
  k->generation = generation;
  return k->series;
}

/* What the duration metric takes from the transfer's URL. */
typedef struct url_info {
  char host[256]; /* "" when the URL has none */
  long port;      /* 0 when unknown */
} url_info_t;

/* Parses the transfer's URL once, for the span and the metric alike:
 * url.full (user and password replaced by REDACTED, as the semantic
 * conventions ask), server.address and server.port go on the span when it
 * is recording; host and port go into *info. */
/* The common case, read by hand: http:// or https://, a host without user
 * information, IPv6 brackets or escapes, and at most a numeric port. Any
 * other URL is left to libcurl's URL parser (false), which costs several
 * thousand instructions per request. */
static bool plain_url(const char *url, url_info_t *info) {
  const char *a;
  long port;
  if (!strncmp(url, "http://", 7)) a = url + 7, port = 80;
  else if (!strncmp(url, "https://", 8)) a = url + 8, port = 443;
  else return false;
  size_t host_len = strcspn(a, ":/?#@[%");
  if (host_len == 0 || host_len >= sizeof info->host) return false;
  const char *end = a + host_len;
  if (*end == ':') {
    port = 0;
    size_t digits = 0;
    for (end++; *end >= '0' && *end <= '9' && digits < 6; end++, digits++) port = port * 10 + (*end - '0');
    if (digits == 0 || port > 65535) return false;
  }
  if (*end && *end != '/' && *end != '?' && *end != '#') return false;
  memcpy(info->host, a, host_len);
  info->host[host_len] = '\0';
  info->port = port;
  return true;
}

static void url_attributes(otel_span_t *span, bool recording, const char *url, url_info_t *info) {
  if (plain_url(url, info)) {
    if (recording) {
      otel__span_set_attribute_static(span, &OTEL_ATTR_STR("url.full", url));
      otel__span_set_attribute_static(span, &OTEL_ATTR_STR("server.address", info->host));
      otel__span_set_attribute_static(span, &OTEL_ATTR_INT("server.port", info->port));
    }
    return;
  }
  CURLU *u = curl_url();
  if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
    /* as given, unless it might hold credentials that cannot be cut out */
    if (!strchr(url, '@')) otel_span_set_attribute_str(span, "url.full", url);
    curl_url_cleanup(u);
    return;
  }
  char *part = NULL;
  if (recording) {
    bool credentials = false;
    if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
      curl_free(part);
      curl_url_set(u, CURLUPART_USER, "REDACTED", 0);
      credentials = true;
    }
    if (curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
      curl_free(part);
      curl_url_set(u, CURLUPART_PASSWORD, "REDACTED", 0);
      credentials = true;
    }
    if (!credentials) {
      otel_span_set_attribute_str(span, "url.full", url);
    } else if (curl_url_get(u, CURLUPART_URL, &part, 0) == CURLUE_OK) {
      otel_span_set_attribute_str(span, "url.full", part);
      curl_free(part);
    }
  }
  if (curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    otel_span_set_attribute_str(span, "server.address", part);
    snprintf(info->host, sizeof info->host, "%s", part);
    curl_free(part);
  }
  if (curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    info->port = strtol(part, NULL, 10);
    otel_span_set_attribute_int(span, "server.port", info->port);
    curl_free(part);
  }
  curl_url_cleanup(u);
}

static const char *curl_error_type(CURLcode rc) {
  switch (rc) {
  case CURLE_COULDNT_CONNECT: return "connection_refused";
  case CURLE_OPERATION_TIMEDOUT: return "timeout";
  case CURLE_COULDNT_RESOLVE_HOST: return "name_resolution";
  case CURLE_GOT_NOTHING: return "empty_response";
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR: return "connection_reset";
  case CURLE_SSL_CONNECT_ERROR: return "tls";
  default: return "_OTHER";
  }
}

/* One traced transfer, from begin to end (on the stack for
 * otel_curl_perform_with_headers, on the heap for otel_curl_transfer_*). */
struct otel_curl_transfer {
  CURL *easy;
  struct curl_slist *headers; /* the caller's, set back at the end */
  struct curl_slist *sent;    /* a copy with the propagation headers */
  otel_span_t *span;
  uint64_t start_ns;
};

static void transfer_begin(otel_curl_transfer_t *t, CURL *easy, struct curl_slist *headers) {
  t->easy = easy;
  t->headers = headers;
  t->start_ns = otel_time_now_ns();
  otel_span_start_options_t so = {.kind = OTEL_SPAN_KIND_CLIENT};
  t->span = otel_tracer_start_span(tracer(), "HTTP", &so);
  struct header_list h = {copy_headers(headers), false};
  otel_propagator_inject_current(otel_propagation_get_global(), add_header, &h);
  t->sent = h.list;
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, h.list);
}

static void transfer_end(otel_curl_transfer_t *t, CURLcode rc) {
  CURL *easy = t->easy;
  otel_span_t *span = t->span;
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
  curl_slist_free_all(t->sent);
  char *method = NULL, *url = NULL;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_METHOD, &method);
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (method) {
    otel_span_update_name(span, method);
    otel__span_set_attribute_static(span, &OTEL_ATTR_STR("http.request.method", method));
  }
  url_info_t info = {.host = "", .port = 0};
  bool recording = otel_span_is_recording(span);
  if (url && (recording || duration_histogram)) url_attributes(span, recording, url, &info);
  if (rc != CURLE_OK) {
    otel_span_set_attribute_str(span, "error.type", curl_error_type(rc));
    otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, curl_easy_strerror(rc));
  } else {
    otel__span_set_attribute_static(span, &OTEL_ATTR_INT("http.response.status_code", status));
    if (status >= 400) {
      char code[24];
      snprintf(code, sizeof(code), "%ld", status);
      otel_span_set_attribute_str(span, "error.type", code);
      otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, NULL);
    }
  }
  otel__series_t *series = duration_histogram && rc == CURLE_OK && status < 400
                               ? duration_series(method ? method : "_OTHER", info.host, info.port, status)
                               : NULL;
  if (series) {
    otel__series_histogram_record(duration_histogram, series, (double)(otel_time_now_ns() - t->start_ns) / 1e9);
  } else if (duration_histogram) {
    char code[24] = "";
    otel_attr_t attrs[6];
    size_t n = 0;
    attrs[n++] = OTEL_ATTR_STR("http.request.method", method ? method : "_OTHER");
    if (info.host[0]) attrs[n++] = OTEL_ATTR_STR("server.address", info.host);
    if (info.port) attrs[n++] = OTEL_ATTR_INT("server.port", info.port);
    if (rc == CURLE_OK) attrs[n++] = OTEL_ATTR_INT("http.response.status_code", status);
    if (rc != CURLE_OK) attrs[n++] = OTEL_ATTR_STR("error.type", curl_error_type(rc));
    else if (status >= 400) {
      snprintf(code, sizeof code, "%ld", status);
      attrs[n++] = OTEL_ATTR_STR("error.type", code);
    }
    otel_histogram_record(duration_histogram, (double)(otel_time_now_ns() - t->start_ns) / 1e9, attrs, n);
  }
  otel_span_end(span);
}

CURLcode otel_curl_perform_with_headers(CURL *easy, struct curl_slist *headers) {
  otel_curl_transfer_t t;
  transfer_begin(&t, easy, headers);
  CURLcode rc = curl_easy_perform(easy);
  transfer_end(&t, rc);
  return rc;
}

otel_curl_transfer_t *otel_curl_transfer_begin(CURL *easy, struct curl_slist *headers) {
  if (!easy) return NULL;
  otel_curl_transfer_t *t = malloc(sizeof *t);
  if (t) transfer_begin(t, easy, headers);
  return t;
}

void otel_curl_transfer_end(otel_curl_transfer_t *t, CURLcode rc) {
  if (!t) return;
  transfer_end(t, rc);
  free(t);
}

CURLcode otel_curl_perform(CURL *easy) { return otel_curl_perform_with_headers(easy, NULL); }
