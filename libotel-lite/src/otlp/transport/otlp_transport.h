/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_transport.h: one attempt at sending an OTLP request, as the two
 * transports (otlp_http.c, otlp_grpc.c) implement it. otlp_client.c owns
 * the retry loop around them. Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_TRANSPORT_H
#define OTEL_OTLP_TRANSPORT_H

#include "otlp_client.h"

typedef struct otel__otlp_attempt {
  otel_err_t err;            /* OTEL_OK when accepted */
  bool retryable;            /* the OTLP spec lets us try again */
  uint32_t retry_after_ms;   /* the server's hint (Retry-After, RetryInfo); 0: none */
  int64_t rejected;          /* partial_success.rejected_* */
  char message[256];         /* what went wrong, or the partial success message */
} otel__otlp_attempt_t;

struct otel__otlp_transport_type {
  const char *name;
  /* Returns a context for opts (borrowed for the call, copied if kept). */
  void *(*create)(const otel_otlp_options_t *opts);
  /* One request, within timeout_ms. body is the caller's reference: a
   * transport that keeps the bytes after it returns takes its own. */
  void (*send)(void *ctx, otel__otlp_body_t *body, uint32_t timeout_ms, otel__otlp_attempt_t *out);
  /* From any thread: makes the running send return at once, and every
   * later one fail at once (err OTEL_ECANCELED). For the shutdown deadline. */
  void (*cancel)(void *ctx);
  void (*destroy)(void *ctx);
};

extern const struct otel__otlp_transport_type otel__otlp_http_transport;
extern const struct otel__otlp_transport_type otel__otlp_grpc_transport;

/* Reads partial_success (rejected, message) out of the bytes of any
 * Export*ServiceResponse (otlp_response.c); leaves out as it is when there
 * is none or the bytes are malformed. */
void otel__otlp_read_response(const uint8_t *body, size_t len, otel__otlp_attempt_t *out);

/* The longest a server's retry hint may make an exporter wait (60 s). */
#define OTEL__OTLP_MAX_RETRY_HINT_MS 60000

/* A RetryInfo retry_delay or a Retry-After (nanos 0) as milliseconds in
 * [1, OTEL__OTLP_MAX_RETRY_HINT_MS], for any input (otlp_retry_hint.c). */
uint32_t otel__otlp_retry_hint_ms(int64_t seconds, int64_t nanos);

#endif /* OTEL_OTLP_TRANSPORT_H */
