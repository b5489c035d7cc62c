/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_span_exporter.c: the OTLP span exporter: encodes a batch
 * (otlp_encode_trace.c) and sends it (otlp_client.c). A failure is
 * reported once a second at most through self-diagnostics and returned to
 * the processor, which counts it; nothing reaches the application.
 */
#include "trace_internal.h"

#include "internal.h"
#include "otlp_client.h"
#include "otlp_encode.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct otlp_exporter {
  otel__otlp_client_t *client;
  char endpoint[512];
} otlp_exporter_t;

static otel_err_t otlp_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  otlp_exporter_t *x = ctx;
  uint8_t *body;
  size_t len;
  otel_err_t err = otel__otlp_encode_spans(spans, n, &body, &len);
  if (err) return err;
  otel__otlp_result_t res;
  err = otel__otlp_client_send(x->client, body, len, &res);
  free(body);
  if (err)
    otel__diag(OTEL_DIAG_WARN, "otlp_traces_export",
               "exporting %zu spans to %s failed after %u attempt(s): %s (%s)", n, x->endpoint,
               res.attempts, otel_strerror(err), res.message);
  else if (res.rejected)
    otel__diag(OTEL_DIAG_WARN, "otlp_traces_partial", "%s rejected %lld of %zu spans: %s",
               x->endpoint, (long long)res.rejected, n, res.message);
  return err;
}

static void otlp_shutdown(void *ctx) {
  otlp_exporter_t *x = ctx;
  otel__otlp_client_destroy(x->client);
  free(x);
}

static void otlp_cancel(void *ctx) { otel__otlp_client_cancel(((otlp_exporter_t *)ctx)->client); }

static const struct otel_span_exporter_type otlp_type = {
    .name = "otlp", .export_spans = otlp_export, .shutdown = otlp_shutdown, .cancel = otlp_cancel};

otel_err_t otel_otlp_span_exporter_create(const otel_otlp_options_t *opts,
                                          otel_span_exporter_t **out) {
  *out = NULL;
  otel_otlp_options_t defaults;
  if (!opts) {
    otel_otlp_options_init(&defaults, OTEL_SIGNAL_TRACES);
    opts = &defaults;
  }
  otlp_exporter_t *x = calloc(1, sizeof(*x));
  if (!x) return OTEL_ENOMEM;
  snprintf(x->endpoint, sizeof(x->endpoint), "%s", opts->endpoint);
  otel_err_t err = otel__otlp_client_create(opts, &x->client);
  if (!err && !(*out = otel_span_exporter_create(&otlp_type, x))) err = OTEL_ENOMEM;
  if (err) {
    otel__otlp_client_destroy(x->client);
    free(x);
  }
  return err;
}
