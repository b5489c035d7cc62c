/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics_internal.h: the structures behind the metrics handles, shared by
 * meter.c (instruments, aggregation, collection), metric_reader.c
 * (periodic reader, exporters) and the metric encoders. Internal.
 */
#ifndef OTEL_METRICS_INTERNAL_H
#define OTEL_METRICS_INTERNAL_H

#include "otel/metrics.h"

#include <pthread.h>
#include <stdatomic.h>

struct otel_metric_exporter {
  const struct otel_metric_exporter_type *type;
  void *ctx;
};

/* Collects every instrument of mp into a batch (owned by the caller: free
 * with otel__metric_batch_free) and exports it with e. */
otel_err_t otel__meter_provider_collect_export(otel_meter_provider_t *mp, otel_metric_exporter_t *e);

/* The periodic reader (metric_reader.c). */
typedef struct otel__periodic_reader otel__periodic_reader_t;
otel_err_t otel__periodic_reader_start(otel_meter_provider_t *mp, otel_metric_exporter_t *e,
                                       uint32_t interval_ms, otel__periodic_reader_t **out);
otel_err_t otel__periodic_reader_flush(otel__periodic_reader_t *r, uint32_t timeout_ms);
/* Final export, stop, exporter shutdown, free. */
otel_err_t otel__periodic_reader_stop(otel__periodic_reader_t *r, uint32_t timeout_ms);

/* Gives the provider a stop function it calls at shutdown (the Prometheus
 * server of OTEL_METRICS_EXPORTER=prometheus). */
void otel__meter_provider_on_shutdown(otel_meter_provider_t *mp, void (*fn)(void *), void *arg);

/* ---- call sites that keep their series ------------------------------------
 * An HTTP server or client records with the same attribute set request
 * after request. otel__instrument_series finds (or makes) the series of a
 * set once; the call site keeps it (with the values that chose it) and
 * records to it directly, without comparing the set again. A series lives
 * as long as its instrument. NULL instrument: NULL. Behaviour otherwise as
 * otel_counter_add / otel_histogram_record with the same attributes. */
typedef struct series otel__series_t;
otel__series_t *otel__instrument_series(otel_instrument_t *in, const otel_attr_t *attrs, size_t n);
void otel__series_counter_add(otel_instrument_t *c, otel__series_t *s, int64_t v);
void otel__series_histogram_record(otel_instrument_t *h, otel__series_t *s, double v);

/* Encodes a batch as an ExportMetricsServiceRequest (malloc'd bytes). */
otel_err_t otel__otlp_encode_metrics(const otel_metric_batch_t *batch, uint8_t **out, size_t *out_len);

#endif /* OTEL_METRICS_INTERNAL_H */
