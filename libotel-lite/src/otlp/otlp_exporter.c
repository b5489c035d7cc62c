/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_exporter.c: what the three OTLP exporters share (otlp_exporter.h):
 * one client per exporter, and one way of sending a request and saying
 * what happened. A failure is reported once a second at most per signal
 * through self-diagnostics and returned to the processor, which counts
 * it; nothing reaches the application.
 */
#include "otlp_exporter.h"

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

struct otel__otlp_exporter {
  otel__otlp_client_t *client;
  otel_signal_t signal;
  char endpoint[512];
};

/* Per signal: what its items are called, and the diagnostics' kinds
 * (static strings: the rate limit tells kinds apart). */
static const struct {
  const char *items, *export_kind, *partial_kind;
} signal_names[] = {
    [OTEL_SIGNAL_TRACES] = {"spans", "otlp_traces_export", "otlp_traces_partial"},
    [OTEL_SIGNAL_METRICS] = {"metric streams", "otlp_metrics_export", "otlp_metrics_partial"},
    [OTEL_SIGNAL_LOGS] = {"log records", "otlp_logs_export", "otlp_logs_partial"},
};

otel_err_t otel__otlp_exporter_create(const otel_otlp_options_t *opts, otel_signal_t signal,
                                      otel__otlp_exporter_t **out) {
  *out = NULL;
  otel_otlp_options_t defaults;
  if (!opts) {
    otel_otlp_options_init(&defaults, signal);
    opts = &defaults;
  }
  otel__otlp_exporter_t *x = calloc(1, sizeof(*x));
  if (!x) return OTEL_ENOMEM;
  x->signal = (unsigned)signal <= OTEL_SIGNAL_LOGS ? signal : OTEL_SIGNAL_TRACES;
  snprintf(x->endpoint, sizeof x->endpoint, "%s", opts->endpoint);
  otel_err_t err = otel__otlp_client_create(opts, &x->client);
  if (err) {
    free(x);
    return err;
  }
  *out = x;
  return OTEL_OK;
}

otel_err_t otel__otlp_exporter_send(otel__otlp_exporter_t *x, uint8_t *body, size_t len,
                                    size_t n) {
  return otel__otlp_exporter_send_at(x, body, body, len, n);
}

otel_err_t otel__otlp_exporter_send_at(otel__otlp_exporter_t *x, uint8_t *base, uint8_t *data,
                                       size_t len, size_t n) {
  otel__otlp_result_t res = {0};
  otel__otlp_body_t *b = base ? otel__otlp_body_adopt(base, data, len) : NULL;
  if (!b) return OTEL_ENOMEM;
  otel_err_t err = otel__otlp_client_send_body(x->client, b, &res);
  otel__otlp_body_release(b);
  const char *items = signal_names[x->signal].items;
  if (err)
    otel__diag(OTEL_DIAG_WARN, signal_names[x->signal].export_kind,
               "exporting %zu %s to %s failed after %u attempt(s): %s%s%s", n, items, x->endpoint,
               res.attempts, otel_strerror(err), res.message[0] ? ": " : "", res.message);
  else if (res.rejected)
    otel__diag(OTEL_DIAG_WARN, signal_names[x->signal].partial_kind,
               "%s rejected %lld of %zu %s: %s", x->endpoint, (long long)res.rejected, n, items,
               res.message);
  return err;
}

void otel__otlp_exporter_cancel(otel__otlp_exporter_t *x) {
  if (x) otel__otlp_client_cancel(x->client);
}

void otel__otlp_exporter_destroy(otel__otlp_exporter_t *x) {
  if (!x) return;
  otel__otlp_client_destroy(x->client);
  free(x);
}
