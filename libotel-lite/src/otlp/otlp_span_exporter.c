/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_span_exporter.c: the OTLP span exporter: the OTLP exporter glue
 * (otlp_exporter.c) with the span encoder (otlp_encode_trace.c).
 */
#include "trace_internal.h"

#include "otlp_encode.h"
#include "otlp_exporter.h"

static otel_err_t otlp_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  uint8_t *base, *data;
  size_t len;
  otel_err_t err = otel__otlp_encode_spans_at(spans, n, &base, &data, &len);
  if (err) return err;
  return otel__otlp_exporter_send_at(ctx, base, data, len, n);
}

static void otlp_shutdown(void *ctx) { otel__otlp_exporter_destroy(ctx); }
static void otlp_cancel(void *ctx) { otel__otlp_exporter_cancel(ctx); }

static const struct otel_span_exporter_type otlp_type = {
    .name = "otlp", .export_spans = otlp_export, .shutdown = otlp_shutdown, .cancel = otlp_cancel};

otel_err_t otel_otlp_span_exporter_create(const otel_otlp_options_t *opts,
                                          otel_span_exporter_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = NULL;
  otel__otlp_exporter_t *x;
  otel_err_t err = otel__otlp_exporter_create(opts, OTEL_SIGNAL_TRACES, &x);
  if (err) return err;
  if (!(*out = otel_span_exporter_create(&otlp_type, x))) {
    otel__otlp_exporter_destroy(x);
    return OTEL_ENOMEM;
  }
  return OTEL_OK;
}
