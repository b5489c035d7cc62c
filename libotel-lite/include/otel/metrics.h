/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.h: the metrics API and SDK (specification: "Metrics API",
 * "Metrics SDK"): MeterProvider, Meter, the instruments (Counter,
 * UpDownCounter, Histogram, Gauge, and the observable Counter,
 * UpDownCounter and Gauge), aggregation per attribute set with a
 * cardinality limit, cumulative or delta temporality, and a periodic
 * exporting reader.
 *
 *   otel_instrument_t *requests;
 *   otel_meter_create_counter(meter, "incoming.requests", "{request}",
 *                             "Requests received", &requests);
 *   otel_counter_add(requests, 1, NULL, 0);
 *
 * Recording calls never fail the caller: NULL instruments, negative
 * counter increments and NaN are ignored. Recording into an existing
 * series takes no lock and allocates nothing (a histogram takes a per-series
 * spinlock). Thread-safe unless said otherwise.
 */
#ifndef OTEL_METRICS_H
#define OTEL_METRICS_H

#include "otel/common.h"
#include "otel/resource.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct otel_meter_provider otel_meter_provider_t;
typedef struct otel_meter otel_meter_t;
typedef struct otel_instrument otel_instrument_t;
typedef struct otel_observer otel_observer_t;
typedef struct otel_metric_exporter otel_metric_exporter_t;

typedef enum otel_instrument_kind {
  OTEL_INSTRUMENT_COUNTER = 0,
  OTEL_INSTRUMENT_UP_DOWN_COUNTER,
  OTEL_INSTRUMENT_HISTOGRAM,
  OTEL_INSTRUMENT_GAUGE,
  OTEL_INSTRUMENT_OBSERVABLE_COUNTER,
  OTEL_INSTRUMENT_OBSERVABLE_UP_DOWN_COUNTER,
  OTEL_INSTRUMENT_OBSERVABLE_GAUGE
} otel_instrument_kind_t;

typedef enum otel_temporality {
  OTEL_TEMPORALITY_CUMULATIVE = 0,
  OTEL_TEMPORALITY_DELTA
} otel_temporality_t;

/* How temporality is chosen per instrument kind
 * (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE). */
typedef enum otel_temporality_preference {
  OTEL_TEMPORALITY_PREFER_CUMULATIVE = 0, /* everything cumulative (default) */
  OTEL_TEMPORALITY_PREFER_DELTA,          /* counters and histograms delta */
  OTEL_TEMPORALITY_PREFER_LOWMEMORY       /* synchronous counters and histograms delta */
} otel_temporality_preference_t;

/* The values of an observable instrument are reported from a callback run
 * at each collection, on the reader's thread. */
typedef void (*otel_observable_cb)(otel_observer_t *observer, void *user_data);

/* ---- Exporters -----------------------------------------------------------*/

/* A measurement kept with the trace it was made in (a histogram keeps the
 * last one of each bucket per collection): the value, when, and the span
 * that was current when it was recorded (all-zero ids when none was, which
 * only OTEL_EXEMPLAR_FILTER_ALWAYS_ON keeps). */
typedef struct otel_exemplar {
  uint64_t time_ns;
  double value;
  uint8_t trace_id[16];
  uint8_t span_id[8];
} otel_exemplar_t;

/* One point of a collected stream: attributes, times, and either a number
 * or a histogram. Pointers are valid during the export call only. */
typedef struct otel_metric_point {
  const otel_attr_t *attrs;
  size_t attr_count;
  uint64_t start_time_ns;
  uint64_t time_ns;
  bool is_double;
  int64_t as_int;
  double as_double;
  /* histograms */
  uint64_t count;
  double sum, min, max;
  const uint64_t *bucket_counts; /* bucket_count entries */
  size_t bucket_count;           /* = boundary_count + 1 */
  const otel_exemplar_t *exemplars; /* histograms: at most one per bucket */
  size_t exemplar_count;
} otel_metric_point_t;

typedef struct otel_metric_stream {
  const char *name, *description, *unit;
  otel_instrument_kind_t kind;
  otel_temporality_t temporality;
  bool monotonic;                /* sums: Counter and observable Counter */
  const double *boundaries;      /* histograms */
  size_t boundary_count;
  const char *scope_name, *scope_version;
  const otel_metric_point_t *points;
  size_t point_count;
} otel_metric_stream_t;

typedef struct otel_metric_batch {
  const otel_resource_t *resource;
  const otel_metric_stream_t *streams;
  size_t stream_count;
} otel_metric_batch_t;

struct otel_metric_exporter_type {
  const char *name;
  /* Called serially on the reader's thread; batch is borrowed for the call. */
  otel_err_t (*export_metrics)(void *ctx, const otel_metric_batch_t *batch);
  void (*shutdown)(void *ctx); /* once; frees ctx. NULL: nothing */
  /* Optional, from another thread when a shutdown's deadline passes: the
   * export in progress and every later one must return at once (an
   * error). Without it, a shutdown that times out leaves the reader's
   * thread to finish on its own (its data is then never freed). */
  void (*cancel)(void *ctx);
};

/* Wraps a custom exporter. Returns owned, NULL on OOM. */
OTEL_API otel_metric_exporter_t *otel_metric_exporter_create(const struct otel_metric_exporter_type *t,
                                                             void *ctx);
OTEL_API void otel_metric_exporter_destroy(otel_metric_exporter_t *e);
/* The OTLP exporter: otel_otlp_metric_exporter_create (exporter_otlp.h). */
/* One readable block per stream on out (borrowed; stdout if NULL). */
OTEL_API otel_metric_exporter_t *otel_console_metric_exporter_create(FILE *out);

/* ---- MeterProvider ---------------------------------------------------------*/

/* Which measurements become exemplars (OTEL_METRICS_EXEMPLAR_FILTER). */
typedef enum otel_exemplar_filter {
  OTEL_EXEMPLAR_FILTER_TRACE_BASED = 0, /* trace_based: made inside a sampled span */
  OTEL_EXEMPLAR_FILTER_ALWAYS_ON,       /* always_on: every measurement */
  OTEL_EXEMPLAR_FILTER_ALWAYS_OFF       /* always_off: none */
} otel_exemplar_filter_t;

typedef struct otel_meter_provider_options {
  otel_resource_t *resource;        /* a reference is taken; NULL: default resource */
  uint32_t export_interval_ms;      /* 60000; OTEL_METRIC_EXPORT_INTERVAL */
  uint32_t export_timeout_ms;       /* 30000; OTEL_METRIC_EXPORT_TIMEOUT */
  otel_temporality_preference_t temporality; /* OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE */
  uint32_t cardinality_limit;       /* 2000 series per instrument, overflow included */
  otel_exemplar_filter_t exemplar_filter; /* trace_based; OTEL_METRICS_EXEMPLAR_FILTER */
} otel_meter_provider_options_t;

/* Fills the specification defaults, then the environment. */
OTEL_API void otel_meter_provider_options_init(otel_meter_provider_options_t *o);
/* Returns owned via *out (free with otel_meter_provider_destroy). */
OTEL_API otel_err_t otel_meter_provider_create(const otel_meter_provider_options_t *o,
                                               otel_meter_provider_t **out);
/* Starts a periodic exporting reader for exporter (ownership taken, even
 * on error): a thread that collects and exports every export interval.
 * At most one per provider. */
OTEL_API otel_err_t otel_meter_provider_add_periodic_reader(otel_meter_provider_t *mp,
                                                            otel_metric_exporter_t *exporter);
/* From OTEL_METRICS_EXPORTER (otlp | console | none; default otlp) and the
 * other OTEL_* variables. resource: a reference is taken. */
OTEL_API otel_err_t otel_meter_provider_create_from_env(otel_resource_t *resource,
                                                        otel_meter_provider_t **out);
/* Collects now and hands the batch to exporter's function (synchronous,
 * for tests and pull exporters). Returns what the export returned. */
OTEL_API otel_err_t otel_meter_provider_collect(otel_meter_provider_t *mp,
                                                otel_metric_exporter_t *exporter);
/* Collects and exports through the periodic reader now (within timeout). */
OTEL_API otel_err_t otel_meter_provider_force_flush(otel_meter_provider_t *mp, uint32_t timeout_ms);
/* Exports the last values, stops the reader, shuts the exporter down. Once.
 * Returns within timeout_ms: past it, the last export is cancelled and its
 * values are lost (OTEL_ETIMEDOUT). */
OTEL_API otel_err_t otel_meter_provider_shutdown(otel_meter_provider_t *mp, uint32_t timeout_ms);
/* Shuts down (if not yet) and frees; instruments become invalid. NULL: no-op. */
OTEL_API void otel_meter_provider_destroy(otel_meter_provider_t *mp);

/* The meter of a scope (same name and version: same meter), borrowed until
 * the provider is destroyed. NULL provider: NULL (instruments made from a
 * NULL meter are NULL, and recording into them does nothing). */
OTEL_API otel_meter_t *otel_meter_provider_get_meter(otel_meter_provider_t *mp, const char *name,
                                                     const char *version);

/* ---- Instruments ------------------------------------------------------------
 * Names follow the specification: an ASCII letter, then up to 254 letters,
 * digits, '_', '.', '-' or '/'; units at most 63 ASCII characters. An
 * invalid name or unit gives OTEL_EINVAL. The same name again (any case)
 * returns the existing instrument when kind and unit agree, OTEL_EINVAL
 * otherwise. Instruments are borrowed: valid until the provider is
 * destroyed. *out is NULL on error and for a NULL meter (not an error). */
OTEL_API otel_err_t otel_meter_create_counter(otel_meter_t *m, const char *name, const char *unit,
                                              const char *description, otel_instrument_t **out);
OTEL_API otel_err_t otel_meter_create_up_down_counter(otel_meter_t *m, const char *name,
                                                      const char *unit, const char *description,
                                                      otel_instrument_t **out);
/* boundaries: advisory explicit bucket boundaries (copied; increasing);
 * NULL uses the specification's default
 * [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]. */
OTEL_API otel_err_t otel_meter_create_histogram(otel_meter_t *m, const char *name, const char *unit,
                                                const char *description, const double *boundaries,
                                                size_t boundary_count, otel_instrument_t **out);
OTEL_API otel_err_t otel_meter_create_gauge(otel_meter_t *m, const char *name, const char *unit,
                                            const char *description, otel_instrument_t **out);
/* kind: one of the three OBSERVABLE kinds. callback runs at each collection. */
OTEL_API otel_err_t otel_meter_create_observable(otel_meter_t *m, otel_instrument_kind_t kind,
                                                 const char *name, const char *unit,
                                                 const char *description, otel_observable_cb callback,
                                                 void *user_data, otel_instrument_t **out);

/* Recording. attrs are copied when a new series is made. Counters ignore
 * negative values; all ignore NaN and NULL instruments. */
OTEL_API void otel_counter_add(otel_instrument_t *c, int64_t value, const otel_attr_t *attrs, size_t n);
OTEL_API void otel_counter_add_double(otel_instrument_t *c, double value, const otel_attr_t *attrs,
                                      size_t n);
OTEL_API void otel_histogram_record(otel_instrument_t *h, double value, const otel_attr_t *attrs,
                                    size_t n);
OTEL_API void otel_gauge_record(otel_instrument_t *g, double value, const otel_attr_t *attrs, size_t n);
/* Inside an observable callback: report the value of one attribute set. */
OTEL_API void otel_observer_observe(otel_observer_t *o, double value, const otel_attr_t *attrs, size_t n);

/* Validity of a name by the specification's rules (for the tests). */
OTEL_API bool otel_instrument_name_is_valid(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_METRICS_H */
