/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_client.c: sends encoded OTLP requests with the configured transport
 * and retries what the OTLP specification calls retryable, with
 * exponential backoff and full jitter, honouring the server's hint, all
 * within the options' timeout. Also decodes the partial-success part of
 * the Export*ServiceResponse messages, which both transports share.
 */
#include "otlp_transport.h"

#include "internal.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct otel__otlp_client {
  otel_otlp_options_t opts;
  const struct otel__otlp_transport_type *transport;
  void *ctx;
  uint64_t jitter_state;
};

otel_err_t otel__otlp_client_create(const otel_otlp_options_t *opts, otel__otlp_client_t **out) {
  *out = NULL;
  if (!opts || (strncmp(opts->endpoint, "http://", 7) && strncmp(opts->endpoint, "https://", 8))) {
    otel__diag(OTEL_DIAG_ERROR, "otlp_endpoint",
               "OTLP endpoint \"%s\" must start with http:// or https://", opts ? opts->endpoint : "");
    return OTEL_EINVAL;
  }
  otel__otlp_client_t *c = calloc(1, sizeof(*c));
  if (!c) return OTEL_ENOMEM;
  c->opts = *opts;
  otel__otlp_drop_invalid_headers(&c->opts); /* a CR/LF would split the request */
  c->transport = opts->protocol == OTEL_OTLP_PROTOCOL_GRPC ? &otel__otlp_grpc_transport
                                                           : &otel__otlp_http_transport;
  c->ctx = c->transport->create(&c->opts);
  if (!c->ctx) {
    free(c);
    return OTEL_ENOMEM;
  }
  c->jitter_state = otel_time_now_ns() ^ (uintptr_t)c;
  *out = c;
  return OTEL_OK;
}

void otel__otlp_client_destroy(otel__otlp_client_t *c) {
  if (!c) return;
  c->transport->destroy(c->ctx);
  free(c);
}

static void sleep_ms(uint64_t ms) {
  struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

/* Full jitter: a random delay in [backoff/2, backoff]. */
static uint64_t jittered(otel__otlp_client_t *c, uint64_t backoff) {
  c->jitter_state = c->jitter_state * 6364136223846793005ull + 1442695040888963407ull;
  uint64_t r = c->jitter_state >> 33;
  return backoff / 2 + (backoff > 1 ? r % (backoff / 2 + 1) : 0);
}

otel_err_t otel__otlp_client_send(otel__otlp_client_t *c, const uint8_t *body, size_t len,
                                  otel__otlp_result_t *res) {
  memset(res, 0, sizeof(*res));
  if (!c) return res->err = OTEL_EINVAL;
  uint64_t start = otel__monotonic_ns();
  uint64_t deadline = start + (uint64_t)c->opts.timeout_ms * 1000000ull;
  uint64_t backoff = c->opts.retry_initial_backoff_ms ? c->opts.retry_initial_backoff_ms : 1000;
  for (;;) {
    uint64_t now = otel__monotonic_ns();
    if (now >= deadline) {
      res->err = res->attempts ? OTEL_ERETRY : OTEL_ETIMEDOUT;
      break;
    }
    otel__otlp_attempt_t a;
    memset(&a, 0, sizeof(a));
    c->transport->send(c->ctx, body, len, (uint32_t)((deadline - now) / 1000000ull) + 1, &a);
    res->attempts++;
    res->rejected = a.rejected;
    snprintf(res->message, sizeof(res->message), "%s", a.message);
    if (!a.err || !a.retryable) {
      res->err = a.err;
      break;
    }
    uint64_t wait = a.retry_after_ms ? a.retry_after_ms : jittered(c, backoff);
    now = otel__monotonic_ns();
    if (now + wait * 1000000ull >= deadline) {
      res->err = OTEL_ERETRY;
      break; /* no time left for another try */
    }
    sleep_ms(wait);
    uint64_t max = c->opts.retry_max_backoff_ms ? c->opts.retry_max_backoff_ms : 5000;
    backoff = backoff * 2 > max ? max : backoff * 2;
  }
  return res->err;
}

void otel__otlp_read_response(otel_signal_t signal, const uint8_t *body, size_t len,
                              otel__otlp_attempt_t *out) {
  if (!len) return;
  switch (signal) {
  case OTEL_SIGNAL_TRACES: {
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceResponse *r =
        opentelemetry__proto__collector__trace__v1__export_trace_service_response__unpack(NULL, len, body);
    if (r && r->partial_success) {
      out->rejected = r->partial_success->rejected_spans;
      snprintf(out->message, sizeof(out->message), "%s", r->partial_success->error_message);
    }
    if (r) opentelemetry__proto__collector__trace__v1__export_trace_service_response__free_unpacked(r, NULL);
    break;
  }
  case OTEL_SIGNAL_METRICS: {
    Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceResponse *r =
        opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__unpack(NULL, len, body);
    if (r && r->partial_success) {
      out->rejected = r->partial_success->rejected_data_points;
      snprintf(out->message, sizeof(out->message), "%s",
               r->partial_success->error_message ? r->partial_success->error_message : "");
    }
    if (r) opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__free_unpacked(r, NULL);
    break;
  }
  case OTEL_SIGNAL_LOGS: {
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse *r =
        opentelemetry__proto__collector__logs__v1__export_logs_service_response__unpack(NULL, len, body);
    if (r && r->partial_success) {
      out->rejected = r->partial_success->rejected_log_records;
      snprintf(out->message, sizeof(out->message), "%s", r->partial_success->error_message);
    }
    if (r) opentelemetry__proto__collector__logs__v1__export_logs_service_response__free_unpacked(r, NULL);
    break;
  }
  }
}
