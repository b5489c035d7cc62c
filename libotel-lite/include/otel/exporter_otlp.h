/* SPDX-License-Identifier: Apache-2.0
 *
 * exporter_otlp.h: configuration of the OTLP exporters (traces, metrics,
 * logs) over gRPC or HTTP/protobuf. Defaults come from the specification
 * ("OTLP Exporter Configuration"), then the OTEL_EXPORTER_OTLP_* environment
 * (per-signal variables win over the generic ones), then explicit fields.
 * The three exporters are created here; the signal headers (trace.h,
 * metrics.h, logs.h) know nothing of OTLP, so a program that exports
 * otherwise (console, Prometheus, its own exporter) never includes this.
 */
#ifndef OTEL_EXPORTER_OTLP_H
#define OTEL_EXPORTER_OTLP_H

#include "otel/common.h"
#include "otel/logs.h"
#include "otel/metrics.h"
#include "otel/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum otel_signal {
  OTEL_SIGNAL_TRACES = 0,
  OTEL_SIGNAL_METRICS,
  OTEL_SIGNAL_LOGS
} otel_signal_t;

typedef enum otel_otlp_protocol {
  OTEL_OTLP_PROTOCOL_GRPC = 0,      /* "grpc" */
  OTEL_OTLP_PROTOCOL_HTTP_PROTOBUF  /* "http/protobuf" */
} otel_otlp_protocol_t;

#define OTEL_OTLP_MAX_HEADERS 16

typedef struct otel_otlp_options {
  otel_signal_t signal;
  /* Endpoint. Default "http://localhost:4317" (grpc) or
   * "http://localhost:4318" (http/protobuf, to which "/v1/<signal>" is
   * appended). OTEL_EXPORTER_OTLP_ENDPOINT (path appended for HTTP),
   * OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT (used as is). Copied on create. */
  char endpoint[512];
  /* Default grpc. OTEL_EXPORTER_OTLP_(<SIGNAL>_)PROTOCOL. */
  otel_otlp_protocol_t protocol;
  /* Extra request headers / gRPC metadata, from
   * OTEL_EXPORTER_OTLP_(<SIGNAL>_)HEADERS ("k1=v1,k2=v2", percent-decoded).
   * A header whose name is not an HTTP token or whose value holds a control
   * character (CR, LF, NUL ...; HTAB is allowed) is dropped with a message
   * naming it, here and when an exporter is created; the others are sent. */
  struct { char key[64]; char value[256]; } headers[OTEL_OTLP_MAX_HEADERS];
  size_t header_count;
  /* Per-export timeout, default 10000 ms. OTEL_EXPORTER_OTLP_(<SIGNAL>_)TIMEOUT. */
  uint32_t timeout_ms;
  /* gzip request bodies. Default false. OTEL_EXPORTER_OTLP_(<SIGNAL>_)COMPRESSION=gzip. */
  bool gzip;
  /* Retries on retryable failures, exponential backoff with jitter, all
   * within timeout_ms. Defaults: initial 1000 ms (gRPC spec), max 5000 ms. */
  uint32_t retry_initial_backoff_ms;
  uint32_t retry_max_backoff_ms;
  /* Transport security. An https:// endpoint always uses TLS and an http://
   * one never does; a gRPC endpoint without a scheme ("host:port") uses TLS
   * unless insecure is true (OTEL_EXPORTER_OTLP_(<SIGNAL>_)INSECURE, default
   * false). The server is verified against the system's roots, or against
   * the PEM file `certificate` when set; client_certificate + client_key
   * (PEM files, both or neither) authenticate the client (mutual TLS).
   * Paths, "" when unset: OTEL_EXPORTER_OTLP_(<SIGNAL>_)CERTIFICATE,
   * _CLIENT_CERTIFICATE, _CLIENT_KEY. A file that cannot be read makes the
   * exporter refuse to be created (OTEL_EINVAL) with a diagnostic. */
  bool insecure;
  char certificate[512];
  char client_certificate[512];
  char client_key[512];
} otel_otlp_options_t;

/* Fills opts with the specification defaults for signal, then applies the
 * environment. Never fails: invalid values are reported and ignored. */
OTEL_API void otel_otlp_options_init(otel_otlp_options_t *opts, otel_signal_t signal);

/* ---- The exporters ---------------------------------------------------------
 * Each takes opts (copied; NULL means otel_otlp_options_init for its
 * signal) and does not connect until its first export. */

/* Spans. Sets *out (owned: give it to a span processor). */
OTEL_API otel_err_t otel_otlp_span_exporter_create(const otel_otlp_options_t *opts,
                                                   otel_span_exporter_t **out);
/* Metric points, for otel_meter_provider_add_periodic_reader. */
OTEL_API otel_err_t otel_otlp_metric_exporter_create(const otel_otlp_options_t *opts,
                                                     otel_metric_exporter_t **out);
/* Log records, encoded as one ExportLogsServiceRequest per batch, grouped
 * by resource and scope. Sets *out (owned: give it to a log processor) on
 * success; errors: OTEL_EINVAL, OTEL_ENOMEM. */
OTEL_API otel_err_t otel_otlp_log_exporter_create(const otel_otlp_options_t *opts,
                                                  otel_log_exporter_t **out);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_EXPORTER_OTLP_H */
