/* SPDX-License-Identifier: Apache-2.0
 *
 * exporter_prometheus.h: the Prometheus pull exporter: the metrics of a
 * MeterProvider in the Prometheus text exposition format (0.0.4) at
 * /metrics, with the OpenTelemetry-to-Prometheus translation of the
 * specification ("Prometheus and OpenMetrics Compatibility"): invalid
 * characters to '_', unit suffixes (s -> _seconds, By -> _bytes, {..}
 * annotations dropped), _total on monotonic sums, histograms as
 * _bucket{le}/_sum/_count, non-monotonic sums as gauges, otel_scope_name /
 * otel_scope_version labels, and the resource as target_info.
 * Prometheus reads cumulative values: use a provider with the cumulative
 * temporality preference (the default).
 */
#ifndef OTEL_EXPORTER_PROMETHEUS_H
#define OTEL_EXPORTER_PROMETHEUS_H

#include "otel/metrics.h"

#include <civetweb.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otel_prometheus_server otel_prometheus_server_t;

/* Collects mp now and returns the exposition text, owned (free()), in
 * *out (*out_len bytes). */
OTEL_API otel_err_t otel_prometheus_text(otel_meter_provider_t *mp, char **out, size_t *out_len);

/* Serves GET /metrics from an existing civetweb context (mp borrowed; it
 * must outlive ctx). */
OTEL_API void otel_prometheus_mount(struct mg_context *ctx, const char *uri, otel_meter_provider_t *mp);

/* Starts a civetweb server for /metrics on host:port (NULL/0: from
 * OTEL_EXPORTER_PROMETHEUS_HOST, default "localhost", and
 * OTEL_EXPORTER_PROMETHEUS_PORT, default 9464; port 0 there picks a free
 * one). mp is borrowed. Returns owned via *out; OTEL_EIO when the port
 * cannot be bound. */
OTEL_API otel_err_t otel_prometheus_server_start(otel_meter_provider_t *mp, const char *host, int port,
                                                 otel_prometheus_server_t **out);
OTEL_API int otel_prometheus_server_port(const otel_prometheus_server_t *s);
OTEL_API void otel_prometheus_server_stop(otel_prometheus_server_t *s);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_EXPORTER_PROMETHEUS_H */
