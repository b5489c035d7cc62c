/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_exporter.h: the one OTLP exporter glue. The span, metric and log
 * exporters (otlp_span_exporter.c, otlp_metric_exporter.c,
 * otlp_log_exporter.c) are each this plus their signal's encoder: the
 * client (otlp_client.c), the options' defaults for the signal, sending
 * one encoded request and reporting what it ended with, cancel and
 * destroy. Internal to libotel-lite.
 */
#ifndef OTEL_OTLP_EXPORTER_H
#define OTEL_OTLP_EXPORTER_H

#include "otlp_client.h"

typedef struct otel__otlp_exporter otel__otlp_exporter_t;

/* opts NULL: otel_otlp_options_init(signal). Copies opts; does not
 * connect. Errors: those of otel__otlp_client_create, OTEL_ENOMEM. */
otel_err_t otel__otlp_exporter_create(const otel_otlp_options_t *opts, otel_signal_t signal,
                                      otel__otlp_exporter_t **out);

/* Sends one encoded Export*ServiceRequest (body: malloc'd, len bytes,
 * owned by the exporter from now on and freed when the transport is done
 * with it; NULL: out of memory, OTEL_ENOMEM) of n
 * items. A failure or a partial success is reported through
 * self-diagnostics (naming the endpoint and the signal's items); the
 * error is returned for the processor to count. */
otel_err_t otel__otlp_exporter_send(otel__otlp_exporter_t *x, uint8_t *body, size_t len,
                                    size_t n);
/* The same for len bytes at data inside base (malloc'd, owned from now
 * on): otel__otlp_encode_spans_at's output. */
otel_err_t otel__otlp_exporter_send_at(otel__otlp_exporter_t *x, uint8_t *base, uint8_t *data,
                                       size_t len, size_t n);

/* From any thread: the send in flight and every later one end at once
 * (the shutdown deadline). */
void otel__otlp_exporter_cancel(otel__otlp_exporter_t *x);

/* Frees x and its client. NULL is a no-op. */
void otel__otlp_exporter_destroy(otel__otlp_exporter_t *x);

#endif /* OTEL_OTLP_EXPORTER_H */
