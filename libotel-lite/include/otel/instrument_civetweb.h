/* SPDX-License-Identifier: Apache-2.0
 *
 * instrument_civetweb.h: automatic SERVER spans for a civetweb server, the
 * C counterpart of Python's FlaskInstrumentor. Handlers need no change:
 *
 *   struct mg_callbacks cb = {0};
 *   otel_civetweb_options_t o = {.tracer = tracer, .routes = routes};
 *   otel_civetweb_instrument(&cb, &o);      // before mg_start
 *   ctx = mg_start(&cb, user_data, options);
 *
 * Each request gets a SERVER span continued from the incoming traceparent,
 * tracestate and baggage, named "{method} {route}" (or "{method}" when no
 * route matches), with the stable HTTP semantic conventions
 * (http.request.method, url.path, url.query, url.scheme, http.route,
 * http.response.status_code, server.address, server.port, client.address,
 * network.protocol.version, user_agent.original) and ERROR status on 5xx;
 * with a meter, also the http.server.request.duration histogram (seconds,
 * the conventions' buckets) and http.server.active_requests.
 * The span is current on the worker thread while the handler runs, so
 * spans and log records made in the handler are its children; the
 * thread's context is cleared when the request ends.
 * Requests for an excluded path (a health probe) are passed through with no
 * span, no context and no metric.
 * One instrumented server per process (the options are process-wide).
 */
#ifndef OTEL_INSTRUMENT_CIVETWEB_H
#define OTEL_INSTRUMENT_CIVETWEB_H

#include "otel/metrics.h"
#include "otel/trace.h"

#include <civetweb.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otel_civetweb_options {
  otel_tracer_t *tracer;     /* borrowed; NULL: the global provider's tracer */
  const char *const *routes; /* borrowed, NULL-terminated exact paths
                                ("/", "/api/distance"); NULL: none */
  otel_meter_t *meter;       /* borrowed; NULL: no HTTP server metrics */
  const char *const *excluded_paths; /* borrowed, NULL-terminated exact paths
                                        served with no span and no metric
                                        (health probes: "/healthz"); NULL: none */
} otel_civetweb_options_t;

/* Adds begin_request/end_request hooks to cb, keeping (and calling) any
 * the application set. opts is copied; routes and tracer must outlive the
 * server. Returns OTEL_EINVAL for NULL cb. */
OTEL_API otel_err_t otel_civetweb_instrument(struct mg_callbacks *cb,
                                             const otel_civetweb_options_t *opts);

/* The SERVER span of the request being handled on this thread (borrowed,
 * valid until the request ends), or NULL outside an instrumented request. */
OTEL_API otel_span_t *otel_civetweb_request_span(void);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_INSTRUMENT_CIVETWEB_H */
