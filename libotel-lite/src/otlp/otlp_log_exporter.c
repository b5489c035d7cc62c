/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_log_exporter.c: the OTLP log record exporter: the OTLP exporter
 * glue (otlp_exporter.c) with the log record encoder (otlp_encode_logs.c).
 */
#include "logs_internal.h"

#include "otlp_exporter.h"

static otel_err_t otlp_export(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  uint8_t *base, *data;
  size_t len;
  otel_err_t err = otel__otlp_encode_logs_at(recs, n, &base, &data, &len);
  if (err) return err;
  return otel__otlp_exporter_send_at(ctx, base, data, len, n);
}

static void otlp_shutdown(void *ctx) { otel__otlp_exporter_destroy(ctx); }
static void otlp_cancel(void *ctx) { otel__otlp_exporter_cancel(ctx); }

static const struct otel_log_exporter_type otlp_type = {
    .name = "otlp", .export_records = otlp_export, .shutdown = otlp_shutdown, .cancel = otlp_cancel};

otel_err_t otel_otlp_log_exporter_create(const otel_otlp_options_t *opts,
                                         otel_log_exporter_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = NULL;
  otel__otlp_exporter_t *x;
  otel_err_t err = otel__otlp_exporter_create(opts, OTEL_SIGNAL_LOGS, &x);
  if (err) return err;
  if (!(*out = otel_log_exporter_create(&otlp_type, x))) {
    otel__otlp_exporter_destroy(x);
    return OTEL_ENOMEM;
  }
  return OTEL_OK;
}
