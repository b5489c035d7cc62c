/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_metric_exporter.c: the OTLP metric exporter: the OTLP exporter glue
 * (otlp_exporter.c) with the metrics encoder (otlp_encode_metrics.c). A
 * collection with no stream sends nothing.
 */
#include "metrics_internal.h"
#include "otel/exporter_otlp.h"

#include "otlp_exporter.h"

static otel_err_t otlp_export(void *ctx, const otel_metric_batch_t *b) {
  if (b->stream_count == 0) return OTEL_OK;
  uint8_t *body;
  size_t len;
  otel_err_t err = otel__otlp_encode_metrics(b, &body, &len);
  if (err) return err;
  return otel__otlp_exporter_send(ctx, body, len, b->stream_count);
}

static void otlp_shutdown(void *ctx) { otel__otlp_exporter_destroy(ctx); }
static void otlp_cancel(void *ctx) { otel__otlp_exporter_cancel(ctx); }

static const struct otel_metric_exporter_type otlp_type = {
    .name = "otlp", .export_metrics = otlp_export, .shutdown = otlp_shutdown, .cancel = otlp_cancel};

otel_err_t otel_otlp_metric_exporter_create(const otel_otlp_options_t *opts,
                                            otel_metric_exporter_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = NULL;
  otel__otlp_exporter_t *x;
  otel_err_t err = otel__otlp_exporter_create(opts, OTEL_SIGNAL_METRICS, &x);
  if (err) return err;
  if (!(*out = otel_metric_exporter_create(&otlp_type, x))) {
    otel__otlp_exporter_destroy(x);
    return OTEL_ENOMEM;
  }
  return OTEL_OK;
}
