/* SPDX-License-Identifier: Apache-2.0
 *
 * instrument_curl.h: a CLIENT span around one libcurl transfer, with the
 * propagation headers injected, the C counterpart of Python's
 * RequestsInstrumentor. Replace curl_easy_perform(easy) with
 * otel_curl_perform(easy):
 *
 *   otel_curl_instrument(&(otel_curl_options_t){.tracer = tracer});  // once
 *   CURLcode rc = otel_curl_perform(easy);
 *
 * The span (named after the HTTP method, child of the current span) has
 * url.full (credentials redacted), server.address, server.port,
 * http.request.method, http.response.status_code, and error.type plus ERROR
 * status when the transfer fails or the status is 4xx/5xx.
 */
#ifndef OTEL_INSTRUMENT_CURL_H
#define OTEL_INSTRUMENT_CURL_H

#include "otel/metrics.h"
#include "otel/trace.h"

#include <curl/curl.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otel_curl_options {
  otel_tracer_t *tracer;    /* borrowed; NULL: the global provider's tracer */
  otel_meter_t *meter;      /* borrowed; NULL: no HTTP client metrics
                               (http.client.request.duration, seconds) */
} otel_curl_options_t;

/* Sets the process-wide options of otel_curl_perform (copied). NULL resets. */
OTEL_API void otel_curl_instrument(const otel_curl_options_t *opts);

/* curl_easy_perform(easy) inside a CLIENT span, with traceparent,
 * tracestate and baggage added to the request headers. */
OTEL_API CURLcode otel_curl_perform(CURL *easy);

/* The same for a transfer that has its own request headers: pass the list
 * set with CURLOPT_HTTPHEADER (borrowed, may be NULL); the propagation
 * headers are added to a copy for this transfer, and CURLOPT_HTTPHEADER is
 * set back to `headers` afterwards. */
OTEL_API CURLcode otel_curl_perform_with_headers(CURL *easy, struct curl_slist *headers);

/* The same in two halves, for a transfer the caller runs itself (the multi
 * interface). otel_curl_transfer_begin starts the CLIENT span, a child of
 * the calling thread's current span, and sets CURLOPT_HTTPHEADER to a copy
 * of `headers` (borrowed, may be NULL) with the propagation headers added;
 * call it before curl_multi_add_handle. Returns the transfer (owned; NULL
 * when out of memory or easy is NULL: the transfer then runs untraced).
 * Once the transfer is done (CURLMSG_DONE, with its result rc),
 * otel_curl_transfer_end records the outcome, sets CURLOPT_HTTPHEADER
 * back to `headers`, ends the span and frees t (NULL is a no-op). */
typedef struct otel_curl_transfer otel_curl_transfer_t;
OTEL_API otel_curl_transfer_t *otel_curl_transfer_begin(CURL *easy, struct curl_slist *headers);
OTEL_API void otel_curl_transfer_end(otel_curl_transfer_t *t, CURLcode rc);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_INSTRUMENT_CURL_H */
