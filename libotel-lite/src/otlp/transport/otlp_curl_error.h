/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_curl_error.h: which libcurl errors the OTLP/HTTP exporter retries
 * (otlp_curl_error.c says why). Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_CURL_ERROR_H
#define OTEL_OTLP_CURL_ERROR_H

#include "otlp_transport.h"

#include <curl/curl.h>

/* What a libcurl error means for an export (otlp_curl_error.c). */
typedef enum otel__otlp_curl_class {
  OTEL__OTLP_CURL_OK,
  OTEL__OTLP_CURL_TIMEOUT,   /* retried */
  OTEL__OTLP_CURL_NETWORK,   /* retried */
  OTEL__OTLP_CURL_TLS,       /* never retried */
  OTEL__OTLP_CURL_CONFIG,    /* never retried */
  OTEL__OTLP_CURL_OTHER      /* not retried */
} otel__otlp_curl_class_t;

otel__otlp_curl_class_t otel__otlp_curl_error_class(CURLcode rc);

/* Fills out's err, retryable and message for a failed transfer (rc not
 * CURLE_OK; detail is curl's error buffer, may be empty). */
void otel__otlp_curl_attempt(CURLcode rc, const char *detail, otel__otlp_attempt_t *out);

#endif /* OTEL_OTLP_CURL_ERROR_H */
