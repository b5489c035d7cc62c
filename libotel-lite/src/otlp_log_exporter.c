/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_log_exporter.c: the OTLP logs exporter: encodes each batch
 * (otlp_encode_logs.c) and sends it with the shared OTLP client (gRPC or
 * HTTP/protobuf, retries, timeout). Failures are reported through the
 * error handler and returned to the processor, which counts them.
 */
#include <stdlib.h>

#include "internal.h"
#include "logs_internal.h"
#include "otlp_client.h"

static otel_err_t otlp_export(void *ctx, const otel_log_record_t *const *recs, size_t n) {
  otel__otlp_client_t *client = ctx;
  uint8_t *body;
  size_t len;
  otel_err_t err = otel__otlp_encode_logs(recs, n, &body, &len);
  if (err) return err;
  otel__otlp_result_t res = {0};
  err = otel__otlp_client_send(client, body, len, &res);
  free(body);
  if (err) {
    otel__diag(OTEL_DIAG_WARN, "otlp_logs_export", "OTLP logs export of %zu records failed: %s%s%s",
               n, otel_strerror(err), res.message[0] ? ": " : "", res.message);
  } else if (res.rejected > 0) {
    otel__diag(OTEL_DIAG_WARN, "otlp_logs_partial", "OTLP receiver rejected %lld of %zu log records: %s",
               (long long)res.rejected, n, res.message);
  }
  return err;
}

static void otlp_shutdown(void *ctx) { otel__otlp_client_destroy(ctx); }
static void otlp_cancel(void *ctx) { otel__otlp_client_cancel(ctx); }

static const struct otel_log_exporter_type otlp_type = {
    .name = "otlp",
    .export_records = otlp_export,
    .shutdown = otlp_shutdown,
    .cancel = otlp_cancel,
};

otel_err_t otel_otlp_log_exporter_create(const otel_otlp_options_t *opts,
                                         otel_log_exporter_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = NULL;
  otel_otlp_options_t defaults;
  if (!opts) {
    otel_otlp_options_init(&defaults, OTEL_SIGNAL_LOGS);
    opts = &defaults;
  }
  otel__otlp_client_t *client;
  otel_err_t err = otel__otlp_client_create(opts, &client);
  if (err) return err;
  *out = otel_log_exporter_create(&otlp_type, client);
  if (!*out) {
    otel__otlp_client_destroy(client);
    return OTEL_ENOMEM;
  }
  return OTEL_OK;
}
