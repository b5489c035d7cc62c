/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_curl_error.c: what a failed libcurl transfer means for the OTLP/HTTP
 * exporter (otlp_http.c). The OTLP specification retries only transient
 * failures, so:
 *   - network errors (cannot resolve or connect, connection reset, nothing
 *     or half a response received) and timeouts are retried: the collector
 *     may be restarting;
 *   - TLS errors (handshake, certificate, key, CA file) are never retried:
 *     the same bytes would fail the same way, every batch, and a failing
 *     handshake is a configuration problem the user must see;
 *   - configuration errors (bad URL, unsupported scheme, a feature not
 *     built into libcurl, a bad option) are never retried either;
 *   - anything else (out of memory, an unparsable reply) is not retried.
 */
#include "otlp_curl_error.h"

#include <stdio.h>

otel__otlp_curl_class_t otel__otlp_curl_error_class(CURLcode rc) {
  switch (rc) {
  case CURLE_OK: return OTEL__OTLP_CURL_OK;
  case CURLE_OPERATION_TIMEDOUT: return OTEL__OTLP_CURL_TIMEOUT;
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_GOT_NOTHING:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_AGAIN: return OTEL__OTLP_CURL_NETWORK;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_USE_SSL_FAILED:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_SHUTDOWN_FAILED:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CLIENTCERT: return OTEL__OTLP_CURL_TLS;
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_FAILED_INIT:
  case CURLE_URL_MALFORMAT:
  case CURLE_NOT_BUILT_IN:
  case CURLE_BAD_FUNCTION_ARGUMENT:
  case CURLE_UNKNOWN_OPTION:
  case CURLE_LOGIN_DENIED:
  case CURLE_REMOTE_ACCESS_DENIED: return OTEL__OTLP_CURL_CONFIG;
  default: return OTEL__OTLP_CURL_OTHER;
  }
}

void otel__otlp_curl_attempt(CURLcode rc, const char *detail, otel__otlp_attempt_t *out) {
  static const char *const what[] = {
      [OTEL__OTLP_CURL_TIMEOUT] = "", [OTEL__OTLP_CURL_NETWORK] = "",
      [OTEL__OTLP_CURL_TLS] = "TLS error, not retried: ",
      [OTEL__OTLP_CURL_CONFIG] = "configuration error, not retried: ",
      [OTEL__OTLP_CURL_OTHER] = "not retried: "};
  otel__otlp_curl_class_t k = otel__otlp_curl_error_class(rc);
  if (k == OTEL__OTLP_CURL_OK) return;
  out->retryable = k == OTEL__OTLP_CURL_TIMEOUT || k == OTEL__OTLP_CURL_NETWORK;
  out->err = k == OTEL__OTLP_CURL_TIMEOUT   ? OTEL_ETIMEDOUT
             : k == OTEL__OTLP_CURL_NETWORK ? OTEL_ECONNECT
             : k == OTEL__OTLP_CURL_CONFIG  ? OTEL_ECONFIG
                                            : OTEL_EEXPORT;
  snprintf(out->message, sizeof(out->message), "%s%s", what[k],
           detail && *detail ? detail : curl_easy_strerror(rc));
}
