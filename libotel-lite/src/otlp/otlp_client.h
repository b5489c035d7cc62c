/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_client.h: the transport half of every OTLP exporter. It sends one
 * already-encoded Export*ServiceRequest (protobuf bytes) to the endpoint over
 * gRPC (otlp_grpc.c) or HTTP (otlp_http.c), with retries, backoff and the
 * timeout of the options, and says what the receiver answered. It knows
 * nothing of spans, metrics or logs: the encoders (otlp_encode_*.c) make the
 * bytes. Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_CLIENT_H
#define OTEL_OTLP_CLIENT_H

#include "otel/exporter_otlp.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef struct otel__otlp_client otel__otlp_client_t;

/* What one send ended with, for the exporter to count and report. */
typedef struct otel__otlp_result {
  otel_err_t err;              /* OTEL_OK when accepted (maybe partially) */
  int64_t rejected;            /* partial_success.rejected_* (0 if none) */
  char message[256];           /* partial_success.error_message or the
                                  transport error, "" if none */
  unsigned attempts;           /* how many requests were made */
} otel__otlp_result_t;

/* Drops (with a message naming each, never its value) the headers of o
 * whose name is not an HTTP token or whose value holds a control character
 * (CR, LF ...), keeping the others in order. otel__otlp_client_create does
 * it for options set in code; OTEL_EXPORTER_OTLP_HEADERS is checked as it
 * is parsed (otlp_options.c). */
void otel__otlp_drop_invalid_headers(otel_otlp_options_t *o);

/* Copies opts. Does not connect (connection is lazy). Returns OTEL_EINVAL
 * for an unusable endpoint or TLS setting (a certificate or key file that
 * cannot be read: a diagnostic names it), OTEL_ENOMEM. *out is set on
 * entry (NULL). */
otel_err_t otel__otlp_client_create(const otel_otlp_options_t *opts,
                                    otel__otlp_client_t **out);

/* An encoded request (otlp_body.c), reference-counted: the exporter holds
 * one reference, a transport that keeps the bytes past its send (gRPC's
 * slices) takes another, and the last release frees them. */
typedef struct otel__otlp_body {
  atomic_uint refs;
  uint8_t *base; /* malloc'd */
  uint8_t *data; /* the request: len bytes inside base */
  size_t len;
} otel__otlp_body_t;

/* A body of len bytes at data inside base (malloc'd) with one reference,
 * owning base from now on; NULL (base freed) when out of memory. */
otel__otlp_body_t *otel__otlp_body_adopt(uint8_t *base, uint8_t *data, size_t len);
void otel__otlp_body_ref(otel__otlp_body_t *body);
/* Drops a reference; the last frees data and the body. NULL: no-op. */
void otel__otlp_body_release(otel__otlp_body_t *body);

/* Sends body (the caller keeps its reference), blocking the calling (exporter) thread at
 * most opts.timeout_ms in total, retries included. Retries only what the
 * OTLP spec calls retryable (gRPC UNAVAILABLE, RESOURCE_EXHAUSTED with
 * RetryInfo, ...; HTTP 429, 502, 503, 504), honouring Retry-After /
 * RetryInfo. Thread-safe for one caller at a time (exports are serial). */
otel_err_t otel__otlp_client_send_body(otel__otlp_client_t *client, otel__otlp_body_t *body,
                                       otel__otlp_result_t *out_result);

/* The same for len bytes at body (borrowed: copied first; for tests). */
otel_err_t otel__otlp_client_send(otel__otlp_client_t *client,
                                  const uint8_t *body, size_t len,
                                  otel__otlp_result_t *out_result);

/* From any thread, at a shutdown deadline: the running send (its request
 * and its backoff sleep) returns at once, and every later send fails at
 * once, with OTEL_ECANCELED. NULL is a no-op. */
void otel__otlp_client_cancel(otel__otlp_client_t *client);

/* Frees the client. NULL is a no-op. */
void otel__otlp_client_destroy(otel__otlp_client_t *client);

#endif /* OTEL_OTLP_CLIENT_H */
