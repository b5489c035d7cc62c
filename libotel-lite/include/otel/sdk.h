/* SPDX-License-Identifier: Apache-2.0
 *
 * sdk.h: one-call setup of libotel-lite for a program, the C counterpart
 * of the Python workshop's setup functions:
 *
 *   otel_sdk_options_t o;
 *   otel_sdk_options_init(&o);                    // defaults, then OTEL_* env
 *   o.service_name = "iss-distance-service";      // explicit beats default
 *   otel_sdk_t *sdk;
 *   if (otel_sdk_init(&o, &sdk) != OTEL_OK) ...   // a message says why
 *   otel_tracer_t *tracer = otel_sdk_tracer(sdk, "iss-distance-service", "1.0");
 *   ...
 *   otel_sdk_shutdown(sdk, 5000);                 // flushes, then frees
 *
 * It builds the resource, the tracer provider with the sampler, a batch
 * processor and the exporter chosen by OTEL_TRACES_EXPORTER (otlp | console
 * | none), the logger provider (OTEL_LOGS_EXPORTER, see logs.h), the
 * meter provider (OTEL_METRICS_EXPORTER, OTEL_METRIC_EXPORT_INTERVAL), registers the provider and the propagators (OTEL_PROPAGATORS) as
 * the process-wide ones, and honours OTEL_SDK_DISABLED=true (everything
 * becomes a no-op; context still propagates).
 */
#ifndef OTEL_SDK_H
#define OTEL_SDK_H

#include "otel/logs.h"
#include "otel/metrics.h"
#include "otel/propagation.h"
#include "otel/resource.h"
#include "otel/trace.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum otel_exporter_choice {
  OTEL_EXPORTER_OTLP = 0,
  OTEL_EXPORTER_CONSOLE,
  OTEL_EXPORTER_NONE
} otel_exporter_choice_t;

typedef struct otel_sdk_options {
  const char *service_name;        /* service.name; OTEL_SERVICE_NAME wins. Borrowed. */
  const otel_attr_t *resource_attrs; /* more resource attributes (copied); env wins */
  size_t resource_attr_count;
  bool disabled;                   /* false; OTEL_SDK_DISABLED */
  otel_exporter_choice_t traces_exporter; /* otlp; OTEL_TRACES_EXPORTER */
} otel_sdk_options_t;

typedef struct otel_sdk otel_sdk_t;

/* Fills defaults, then the environment. */
OTEL_API void otel_sdk_options_init(otel_sdk_options_t *o);
/* Sets the SDK up. Returns owned via *out (shut it down with
 * otel_sdk_shutdown). Errors: OTEL_ENOMEM, OTEL_EINVAL (bad endpoint). */
OTEL_API otel_err_t otel_sdk_init(const otel_sdk_options_t *o, otel_sdk_t **out);
/* The tracer for a scope (borrowed, valid until shutdown); NULL when
 * disabled, which the tracing API accepts (non-recording spans). */
OTEL_API otel_tracer_t *otel_sdk_tracer(otel_sdk_t *sdk, const char *name, const char *version);
OTEL_API otel_tracer_provider_t *otel_sdk_tracer_provider(otel_sdk_t *sdk);
/* The logger for a scope (borrowed, valid until shutdown); NULL when
 * disabled, which the logs API accepts (records are dropped). */
OTEL_API otel_logger_t *otel_sdk_logger(otel_sdk_t *sdk, const char *name, const char *version);
/* The meter for a scope (borrowed, valid until shutdown); NULL when
 * disabled, which the metrics API accepts (instruments are NULL no-ops). */
OTEL_API otel_meter_t *otel_sdk_meter(otel_sdk_t *sdk, const char *name, const char *version);
OTEL_API const otel_resource_t *otel_sdk_resource(otel_sdk_t *sdk);
/* What happened to the telemetry of one signal so far. */
typedef struct otel_sdk_signal_stats {
  uint64_t exported; /* handed to the exporter, accepted */
  uint64_t export_failed; /* handed to the exporter, export failed (after retries) */
  uint64_t dropped;  /* never handed to the exporter: queue full, or past the
                        shutdown deadline */
} otel_sdk_signal_stats_t;

typedef struct otel_sdk_stats {
  otel_sdk_signal_stats_t traces; /* sampled spans */
  otel_sdk_signal_stats_t logs;   /* log records */
} otel_sdk_stats_t;

/* Fills *out (zeros when disabled or NULL). Thread-safe; valid until
 * shutdown. The same counts are exported as the SDK's own metrics, named
 * as the OpenTelemetry SDK self-observability conventions name them:
 * otel.sdk.processor.span.processed and otel.sdk.processor.log.processed
 * (error.type=queue_full for drops), otel.sdk.exporter.span.exported and
 * otel.sdk.exporter.log.exported (error.type=export_failed for failures),
 * on the meter "libotel-lite". Drops are also reported on stderr (at most
 * one line a second per signal, OTEL_LOG_LEVEL warn). */
OTEL_API void otel_sdk_get_stats(otel_sdk_t *sdk, otel_sdk_stats_t *out);

/* Exports what is pending (within timeout_ms, one deadline shared by the
 * three signals; past it, what is left is dropped and counted, and the
 * exports in flight are cancelled), unregisters the globals and frees
 * everything. Returns within timeout_ms plus a few ms whatever the
 * collector does. NULL is a no-op. */
OTEL_API otel_err_t otel_sdk_shutdown(otel_sdk_t *sdk, uint32_t timeout_ms);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_SDK_H */
