/* SPDX-License-Identifier: Apache-2.0
 *
 * instrument_civetweb.c: SERVER spans for civetweb requests (see
 * instrument_civetweb.h). begin_request extracts the remote context from
 * the request headers and starts the span (current on the worker thread);
 * end_request records the status, ends the span and clears the thread's
 * context, because civetweb reuses worker threads across requests.
 */
#include "otel/instrument_civetweb.h"

#include "otel/metrics.h"
#include "otel/propagation.h"

#include "http_semconv.h"
#include "metrics_internal.h"
#include "trace_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static otel_civetweb_options_t options;
static int (*user_begin)(struct mg_connection *);
static void (*user_end)(const struct mg_connection *, int);
static _Thread_local otel_span_t *request_span;
static _Thread_local size_t request_span_attrs; /* the attributes its start set */
static _Thread_local uint64_t request_start_ns;
static _Thread_local char request_method[16], request_route[64];
static otel_instrument_t *duration_histogram, *active_requests;

/* The metric series this worker thread recorded to last, with the values
 * that chose them: a worker serves the same method, scheme, route and
 * status request after request, and a kept series is recorded to without
 * comparing its attribute set again (metrics_internal.h; the lookup
 * compared four strings each time, about 400 instructions a request for
 * the counter's two calls and the histogram's). `generation` tells a
 * series of instruments made by an earlier otel_civetweb_instrument. */
static atomic_uint instruments_generation;
static _Thread_local struct {
  unsigned active_generation, duration_generation;
  otel__series_t *active, *duration;
  const char *active_scheme, *duration_scheme; /* one of two literals */
  char active_method[16], duration_method[16], duration_route[64];
  int duration_status;
} kept;

static otel__series_t *active_series(const char *scheme) {
  unsigned generation = atomic_load_explicit(&instruments_generation, memory_order_relaxed);
  if (kept.active_generation != generation || kept.active_scheme != scheme ||
      strcmp(kept.active_method, request_method)) {
    otel_attr_t attrs[] = {OTEL_ATTR_STR("http.request.method", request_method),
                           OTEL_ATTR_STR("url.scheme", scheme)};
    kept.active = otel__instrument_series(active_requests, attrs, 2);
    kept.active_scheme = scheme;
    memcpy(kept.active_method, request_method, sizeof kept.active_method);
    kept.active_generation = generation;
  }
  return kept.active;
}

/* A status under 500 (no error.type) only. */
static otel__series_t *duration_series(const char *scheme, int status) {
  unsigned generation = atomic_load_explicit(&instruments_generation, memory_order_relaxed);
  if (kept.duration_generation != generation || kept.duration_scheme != scheme ||
      kept.duration_status != status || strcmp(kept.duration_method, request_method) ||
      strcmp(kept.duration_route, request_route)) {
    otel_attr_t attrs[4];
    size_t n = 0;
    attrs[n++] = OTEL_ATTR_STR("http.request.method", request_method);
    attrs[n++] = OTEL_ATTR_STR("url.scheme", scheme);
    attrs[n++] = OTEL_ATTR_INT("http.response.status_code", status);
    if (request_route[0]) attrs[n++] = OTEL_ATTR_STR("http.route", request_route);
    kept.duration = otel__instrument_series(duration_histogram, attrs, n);
    kept.duration_scheme = scheme;
    kept.duration_status = status;
    memcpy(kept.duration_method, request_method, sizeof kept.duration_method);
    memcpy(kept.duration_route, request_route, sizeof kept.duration_route);
    kept.duration_generation = generation;
  }
  return kept.duration;
}

/* The request headers begin_request reads, found in one pass over them
 * (five scans, one per name, took a third of begin_request): the first
 * value of each and whether it is repeated. */
enum { H_TRACEPARENT, H_TRACESTATE, H_BAGGAGE, H_HOST, H_USER_AGENT, H_COUNT };
static const char *const header_names[H_COUNT] = {"traceparent", "tracestate", "baggage", "host",
                                                  "user-agent"};

/* Header carrier over civetweb's request: repeated headers are joined. */
struct carrier {
  const struct mg_request_info *ri;
  const char *value[H_COUNT]; /* first value, or NULL */
  bool repeated[H_COUNT];
  char joined[1024];
};

/* Whether header name a may equal b ignoring case: the first bytes are
 * compared (as strcasecmp would fold them) before the call. */
static bool same_header(const char *a, const char *b) {
  return (a[0] | 0x20) == (b[0] | 0x20) && !strcasecmp(a, b);
}

/* Which of header_names name is, or H_COUNT. */
static int header_index(const char *name) {
  switch (name[0] | 0x20) {
  case 't':
    if (!strcasecmp(name, "traceparent")) return H_TRACEPARENT;
    if (!strcasecmp(name, "tracestate")) return H_TRACESTATE;
    return H_COUNT;
  case 'b': return !strcasecmp(name, "baggage") ? H_BAGGAGE : H_COUNT;
  case 'h': return !strcasecmp(name, "host") ? H_HOST : H_COUNT;
  case 'u': return !strcasecmp(name, "user-agent") ? H_USER_AGENT : H_COUNT;
  default: return H_COUNT;
  }
}

static void carrier_scan(struct carrier *car) {
  for (int k = 0; k < H_COUNT; k++) car->value[k] = NULL, car->repeated[k] = false;
  for (int i = 0; i < car->ri->num_headers; i++) {
    int k = header_index(car->ri->http_headers[i].name);
    if (k == H_COUNT) continue;
    if (car->value[k]) car->repeated[k] = true;
    else car->value[k] = car->ri->http_headers[i].value;
  }
}

/* A repeated header's values joined by commas (NULL when too long). */
static const char *carrier_join(struct carrier *car, const char *key) {
  const char *first = NULL;
  size_t n = 0;
  for (int i = 0; i < car->ri->num_headers; i++) {
    if (!same_header(car->ri->http_headers[i].name, key)) continue;
    const char *v = car->ri->http_headers[i].value;
    if (!first) {
      first = v;
      continue;
    }
    if (n == 0) n = (size_t)snprintf(car->joined, sizeof(car->joined), "%s", first);
    if (n < sizeof(car->joined))
      n += (size_t)snprintf(car->joined + n, sizeof(car->joined) - n, ",%s", v);
  }
  if (n >= sizeof(car->joined)) return NULL; /* too long to be valid anyway */
  return n ? car->joined : first;
}

static const char *carrier_get(void *c, const char *key) {
  struct carrier *car = c;
  /* the propagator asks for its own lower-case names: compared as they
   * are (strcmp), before header_index's strcasecmp */
  int k = !strcmp(key, "traceparent") ? H_TRACEPARENT
          : !strcmp(key, "baggage")   ? H_BAGGAGE
                                      : header_index(key);
  if (k == H_COUNT) return carrier_join(car, key); /* a field we did not look for */
  return car->repeated[k] ? carrier_join(car, header_names[k]) : car->value[k];
}

/* Copies src into dst[cap] (cut to fit), like snprintf "%s" without its
 * format parsing; returns the length copied. */
static size_t copy_text(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
  return n;
}

static const char *match_route(const char *path) {
  for (const char *const *r = options.routes; r && *r; r++)
    if (path && !strcmp(*r, path)) return *r;
  return NULL;
}

/* The literal equal to a request's method or HTTP version, or NULL: the
 * span keeps a literal as it is, where the request's own text is copied. */
static const char *method_literal(const char *m) {
  static const char *const known[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS",
                                      "PATCH", "TRACE", "CONNECT"};
  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
    if (m[0] == known[i][0] && !strcmp(m, known[i])) return known[i];
  return NULL;
}

static const char *version_literal(const char *v) {
  if (!strcmp(v, "1.1")) return "1.1";
  if (!strcmp(v, "1.0")) return "1.0";
  if (!strcmp(v, "2")) return "2";
  return NULL;
}

static bool excluded(const char *path) {
  for (const char *const *p = options.excluded_paths; p && *p; p++)
    if (path && !strcmp(*p, path)) return true;
  return false;
}

static otel_tracer_t *tracer(void) {
  if (options.tracer) return options.tracer;
  return otel_tracer_provider_get_tracer(otel_tracer_provider_get_global(),
                                         "libotel-lite.civetweb", "0.1.0");
}

static int on_begin_request(struct mg_connection *conn) {
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (excluded(ri->local_uri)) { /* no span: on_end_request finds none */
    request_span = NULL;
    request_start_ns = 0;
    return user_begin ? user_begin(conn) : 0;
  }
  struct carrier car; /* joined is written before it is read: not zeroed (1 kB a request) */
  car.ri = ri;
  carrier_scan(&car);
  otel_context_t parent = OTEL_CONTEXT_INIT;
  otel_propagator_extract(otel_propagation_get_global(), carrier_get, &car, &parent);

  const char *method = ri->request_method ? ri->request_method : "_OTHER";
  const char *route = match_route(ri->local_uri);
  char name[160];
  size_t name_len = copy_text(name, sizeof name, method);
  if (route && name_len + 1 < sizeof name) {
    name[name_len++] = ' ';
    copy_text(name + name_len, sizeof name - name_len, route);
  }

  char host[256];
  host[0] = '\0';
  const char *h = car.value[H_HOST]; /* the first, as before */
  if (h) {
    copy_text(host, sizeof host, h);
    char *colon = strrchr(host, ':');
    if (colon && !strchr(colon, ']')) *colon = '\0';
  }
  otel_attr_t attrs[12];
  size_t n = 0;
  uint32_t literals = 0; /* the attributes whose value is a literal (bit per index) */
  const char *lit = method_literal(method);
  if (lit) literals |= 1u << n;
  attrs[n++] = OTEL_ATTR_STR("http.request.method", lit ? lit : method);
  attrs[n++] = OTEL_ATTR_STR("url.path", ri->local_uri ? ri->local_uri : "/");
  literals |= 1u << n;
  attrs[n++] = OTEL_ATTR_STR("url.scheme", ri->is_ssl ? "https" : "http");
  if (ri->query_string) attrs[n++] = OTEL_ATTR_STR("url.query", ri->query_string);
  if (route) attrs[n++] = OTEL_ATTR_STR("http.route", route);
  if (host[0]) attrs[n++] = OTEL_ATTR_STR("server.address", host);
  attrs[n++] = OTEL_ATTR_INT("server.port", ri->server_port);
  attrs[n++] = OTEL_ATTR_STR("client.address", ri->remote_addr);
  attrs[n++] = OTEL_ATTR_INT("client.port", ri->remote_port);
  if (ri->http_version) {
    lit = version_literal(ri->http_version);
    if (lit) literals |= 1u << n;
    attrs[n++] = OTEL_ATTR_STR("network.protocol.version", lit ? lit : ri->http_version);
  }
  const char *ua = car.value[H_USER_AGENT];
  if (ua) attrs[n++] = OTEL_ATTR_STR("user_agent.original", ua);

  otel_span_start_options_t so = {.kind = OTEL_SPAN_KIND_SERVER, .remote_parent = &parent,
                                  .root = true, .attrs = attrs, .attr_count = n};
  copy_text(request_method, sizeof request_method, method);
  copy_text(request_route, sizeof request_route, route ? route : "");
  request_start_ns = otel_time_now_ns();
  otel__series_counter_add(active_requests, active_series(ri->is_ssl ? "https" : "http"), 1);
  otel_context_reset_thread(); /* nothing from an earlier request may leak in */
  /* literal, distinct keys; some literal values */
  request_span = otel__tracer_start_span_literals(tracer(), name, &so, literals);
  request_span_attrs = otel__span_attr_count(request_span);
  otel_baggage_set_current(parent.baggage); /* ownership moves */
  parent.baggage = NULL;
  otel_context_cleanup(&parent);
  return user_begin ? user_begin(conn) : 0;
}

static void on_end_request(const struct mg_connection *conn, int status) {
  if (user_end) user_end(conn, status);
  otel_span_t *span = request_span;
  request_span = NULL;
  if (request_start_ns) {
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *scheme = ri && ri->is_ssl ? "https" : "http";
    otel__series_counter_add(active_requests, active_series(scheme), -1);
    double seconds = (double)(otel_time_now_ns() - request_start_ns) / 1e9;
    if (status < 500) {
      otel__series_histogram_record(duration_histogram, duration_series(scheme, status), seconds);
    } else { /* with error.type: not kept */
      otel_attr_t attrs[5];
      size_t n = 0;
      attrs[n++] = OTEL_ATTR_STR("http.request.method", request_method);
      attrs[n++] = OTEL_ATTR_STR("url.scheme", scheme);
      attrs[n++] = OTEL_ATTR_INT("http.response.status_code", status);
      if (request_route[0]) attrs[n++] = OTEL_ATTR_STR("http.route", request_route);
      char code[16];
      snprintf(code, sizeof code, "%d", status);
      attrs[n++] = OTEL_ATTR_STR("error.type", code);
      otel_histogram_record(duration_histogram, seconds, attrs, n);
    }
    request_start_ns = 0;
  }
  if (span) {
    /* neither key is among the start attributes */
    otel__span_set_attribute_static_new(span, &OTEL_ATTR_INT("http.response.status_code", status),
                                        request_span_attrs);
    if (status >= 500) {
      char code[16];
      snprintf(code, sizeof(code), "%d", status);
      otel__span_set_attribute_static_new(span, &OTEL_ATTR_STR("error.type", code), request_span_attrs + 1);
      otel_span_set_status(span, OTEL_SPAN_STATUS_ERROR, NULL);
    }
    otel_span_end(span);
  }
  otel_context_reset_thread();
  otel_baggage_set_current(NULL);
}

otel_err_t otel_civetweb_instrument(struct mg_callbacks *cb, const otel_civetweb_options_t *opts) {
  if (!cb) return OTEL_EINVAL;
  if (opts) options = *opts;
  else memset(&options, 0, sizeof(options));
  duration_histogram = active_requests = NULL;
  atomic_fetch_add_explicit(&instruments_generation, 1, memory_order_relaxed); /* kept series are stale */
  if (options.meter) {
    otel_meter_create_histogram(options.meter, "http.server.request.duration", "s",
                                "Duration of HTTP server requests.", otel__http_duration_buckets,
                                OTEL__HTTP_DURATION_BUCKET_COUNT, &duration_histogram);
    otel_meter_create_up_down_counter(options.meter, "http.server.active_requests", "{request}",
                                      "Number of active HTTP server requests.", &active_requests);
  }
  if (cb->begin_request != on_begin_request) user_begin = cb->begin_request;
  if (cb->end_request != on_end_request) user_end = cb->end_request;
  cb->begin_request = on_begin_request;
  cb->end_request = on_end_request;
  return OTEL_OK;
}

otel_span_t *otel_civetweb_request_span(void) { return request_span; }
