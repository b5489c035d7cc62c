/* SPDX-License-Identifier: Apache-2.0
 *
 * sdk.c: the one-call setup of sdk.h: resource, tracer provider, batch
 * processor and exporter from the standard environment, global
 * registration, and an orderly shutdown that flushes before freeing.
 */
#include "otel/sdk.h"
#include "otel/exporter_otlp.h"

#include "internal.h"
#include "logs_internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct otel_sdk {
  otel_resource_t *resource;
  otel_tracer_provider_t *tracer_provider;
  otel_logger_provider_t *logger_provider;
  otel_meter_provider_t *meter_provider;
  otel_propagator_t *propagator;
  otel_span_processor_t *span_processor; /* the batch or simple one made here; borrowed */
  pthread_mutex_t stats_lock; /* guards the two flags: readers vs shutdown */
  bool traces_live, logs_live;
  otel_sdk_stats_t last; /* the counts when a signal stopped being live */
};

static otel_exporter_choice_t exporter_from_env(const char *var) {
  switch (otel__env_exporter(var)) {
  case OTEL__EXPORTER_CONSOLE: return OTEL_EXPORTER_CONSOLE;
  case OTEL__EXPORTER_NONE: return OTEL_EXPORTER_NONE;
  default: return OTEL_EXPORTER_OTLP;
  }
}

void otel_sdk_options_init(otel_sdk_options_t *o) {
  *o = (otel_sdk_options_t){0};
  o->disabled = otel__env_bool("OTEL_SDK_DISABLED", false);
  o->traces_exporter = exporter_from_env("OTEL_TRACES_EXPORTER");
}

static otel_err_t setup_traces(otel_sdk_t *sdk, const otel_sdk_options_t *o) {
  otel_tracer_provider_options_t tpo;
  otel_tracer_provider_options_init(&tpo);
  tpo.resource = sdk->resource;
  otel_err_t err = otel_tracer_provider_create(&tpo, &sdk->tracer_provider);
  if (err || o->traces_exporter == OTEL_EXPORTER_NONE) return err;
  otel_span_exporter_t *exporter = NULL;
  otel_span_processor_t *processor = NULL;
  if (o->traces_exporter == OTEL_EXPORTER_CONSOLE) {
    exporter = otel_console_span_exporter_create(stdout);
    if (!exporter) return OTEL_ENOMEM;
    err = otel_simple_span_processor_create(exporter, &processor);
  } else {
    /* OTEL_BSP_EXPORT_TIMEOUT bounds each export, retries included */
    otel_batch_span_processor_options_t bo;
    otel_batch_span_processor_options_init(&bo);
    otel_otlp_options_t oo;
    otel_otlp_options_init(&oo, OTEL_SIGNAL_TRACES);
    if (bo.export_timeout_ms && bo.export_timeout_ms < oo.timeout_ms) oo.timeout_ms = bo.export_timeout_ms;
    err = otel_otlp_span_exporter_create(&oo, &exporter);
    /* an unusable endpoint or TLS file (diagnosed): no traces, the rest runs */
    if (err == OTEL_EINVAL) return OTEL_OK;
    if (!err) err = otel_batch_span_processor_create(exporter, &bo, &processor);
  }
  if (!err) err = otel_tracer_provider_add_processor(sdk->tracer_provider, processor);
  if (!err) sdk->span_processor = processor;
  return err;
}

/* Appends ` key="value"` for each resource attribute (arrays as [n items]). */
static size_t describe_resource(const otel_resource_t *r, char *buf, size_t cap) {
  size_t len = 0;
  for (size_t i = 0; i < otel_resource_attr_count(r) && len < cap; i++) {
    const otel_attr_t *a = otel_resource_attr_at(r, i);
    int n;
    switch (a->type) {
    case OTEL_ATTR_TYPE_STRING: n = snprintf(buf + len, cap - len, " %s=\"%s\"", a->key, a->value.s); break;
    case OTEL_ATTR_TYPE_BOOL: n = snprintf(buf + len, cap - len, " %s=%s", a->key, a->value.b ? "true" : "false"); break;
    case OTEL_ATTR_TYPE_INT: n = snprintf(buf + len, cap - len, " %s=%" PRId64, a->key, a->value.i); break;
    case OTEL_ATTR_TYPE_DOUBLE: n = snprintf(buf + len, cap - len, " %s=%g", a->key, a->value.d); break;
    default: n = snprintf(buf + len, cap - len, " %s=[array]", a->key); break;
    }
    if (n < 0) break;
    len += (size_t)n;
  }
  return len < cap ? len : cap - 1;
}

/* One line at start (OTEL_LOG_LEVEL info, the default): the resource as it
 * will be sent, and where each signal goes. The answer to "is my service
 * named right, and where does its telemetry go?" before anything exports. */
static void report_setup(const otel_sdk_t *sdk) {
  char res[400];
  res[0] = 0;
  describe_resource(sdk->resource, res, sizeof res);
  otel_otlp_options_t otlp;
  otel_otlp_options_init(&otlp, OTEL_SIGNAL_TRACES);
  const char *traces = otel__exporter_name(otel__env_exporter("OTEL_TRACES_EXPORTER"));
  const char *metrics = otel__exporter_name(otel__env_exporter("OTEL_METRICS_EXPORTER"));
  const char *logs = otel__exporter_name(otel__env_exporter("OTEL_LOGS_EXPORTER"));
  otel__diag(OTEL_DIAG_INFO, "sdk_setup", "sdk started: resource%s; traces=%s metrics=%s logs=%s; otlp %s %s",
             res, traces, metrics, logs,
             otlp.protocol == OTEL_OTLP_PROTOCOL_GRPC ? "grpc" : "http/protobuf", otlp.endpoint);
}

void otel_sdk_get_stats(otel_sdk_t *sdk, otel_sdk_stats_t *out) {
  memset(out, 0, sizeof(*out));
  if (!sdk) return;
  pthread_mutex_lock(&sdk->stats_lock);
  *out = sdk->last; /* a signal shutting down keeps its last counts */
  if (sdk->traces_live && sdk->span_processor) {
    otel_span_processor_stats_t st;
    otel_span_processor_get_stats(sdk->span_processor, &st);
    out->traces = (otel_sdk_signal_stats_t){st.exported, st.export_failed, st.dropped};
  }
  if (sdk->logs_live && sdk->logger_provider) {
    out->logs = (otel_sdk_signal_stats_t){0};
    for (size_t i = 0; i < sdk->logger_provider->n_processors; i++) {
      otel_log_processor_stats_t st;
      otel_log_processor_get_stats(sdk->logger_provider->processors[i], &st);
      out->logs.exported += st.exported;
      out->logs.export_failed += st.export_failed;
      out->logs.dropped += st.dropped;
    }
  }
  sdk->last = *out;
  pthread_mutex_unlock(&sdk->stats_lock);
}

/* ---- self-metrics: the counts above as observable counters ---------------- */

static void observe_signal(otel_observer_t *obs, const otel_sdk_signal_stats_t *s, bool processor) {
  const otel_attr_t queue_full = OTEL_ATTR_STR("error.type", "queue_full");
  const otel_attr_t failed = OTEL_ATTR_STR("error.type", "export_failed");
  if (processor) { /* processed = handed to the exporter, whatever came of it */
    otel_observer_observe(obs, (double)(s->exported + s->export_failed), NULL, 0);
    otel_observer_observe(obs, (double)s->dropped, &queue_full, 1);
  } else {
    otel_observer_observe(obs, (double)s->exported, NULL, 0);
    otel_observer_observe(obs, (double)s->export_failed, &failed, 1);
  }
}

static void observe_span_processed(otel_observer_t *obs, void *ud) {
  otel_sdk_stats_t st;
  otel_sdk_get_stats(ud, &st);
  observe_signal(obs, &st.traces, true);
}
static void observe_span_exported(otel_observer_t *obs, void *ud) {
  otel_sdk_stats_t st;
  otel_sdk_get_stats(ud, &st);
  observe_signal(obs, &st.traces, false);
}
static void observe_log_processed(otel_observer_t *obs, void *ud) {
  otel_sdk_stats_t st;
  otel_sdk_get_stats(ud, &st);
  observe_signal(obs, &st.logs, true);
}
static void observe_log_exported(otel_observer_t *obs, void *ud) {
  otel_sdk_stats_t st;
  otel_sdk_get_stats(ud, &st);
  observe_signal(obs, &st.logs, false);
}

static void register_self_metrics(otel_sdk_t *sdk) {
  otel_meter_t *m = otel_meter_provider_get_meter(sdk->meter_provider, "libotel-lite", OTEL_SDK_VERSION);
  if (!m) return;
  static const struct {
    const char *name, *unit, *description;
    otel_observable_cb cb;
  } self[] = {
      {"otel.sdk.processor.span.processed", "{span}",
       "Spans handed to the exporter, or dropped (error.type)", observe_span_processed},
      {"otel.sdk.exporter.span.exported", "{span}",
       "Spans whose export finished, successful or failed (error.type)", observe_span_exported},
      {"otel.sdk.processor.log.processed", "{log_record}",
       "Log records handed to the exporter, or dropped (error.type)", observe_log_processed},
      {"otel.sdk.exporter.log.exported", "{log_record}",
       "Log records whose export finished, successful or failed (error.type)", observe_log_exported},
  };
  for (size_t i = 0; i < sizeof(self) / sizeof(self[0]); i++) {
    otel_instrument_t *in;
    otel_meter_create_observable(m, OTEL_INSTRUMENT_OBSERVABLE_COUNTER, self[i].name, self[i].unit,
                                 self[i].description, self[i].cb, sdk, &in);
  }
}

otel_err_t otel_sdk_init(const otel_sdk_options_t *o, otel_sdk_t **out) {
  *out = NULL;
  otel_sdk_options_t defaults;
  if (!o) {
    otel_sdk_options_init(&defaults);
    o = &defaults;
  }
  otel_sdk_t *sdk = calloc(1, sizeof(*sdk));
  if (!sdk) return OTEL_ENOMEM;
  pthread_mutex_init(&sdk->stats_lock, NULL);
  sdk->propagator = otel_propagator_from_env();
  otel_propagation_set_global(sdk->propagator);
  if (o->disabled) {
    *out = sdk;
    return OTEL_OK;
  }
  otel_attr_t attrs[33];
  size_t n = 0;
  if (o->service_name) attrs[n++] = OTEL_ATTR_STR("service.name", o->service_name);
  for (size_t i = 0; i < o->resource_attr_count && n < 33; i++) attrs[n++] = o->resource_attrs[i];
  otel_err_t err = otel_resource_create(attrs, n, &sdk->resource);
  if (!err) err = setup_traces(sdk, o);
  if (!err) err = otel_logger_provider_create_from_env(sdk->resource, &sdk->logger_provider);
  if (!err) err = otel_meter_provider_create_from_env(sdk->resource, &sdk->meter_provider);
  if (err) {
    otel_sdk_shutdown(sdk, 0);
    return err;
  }
  sdk->traces_live = sdk->logs_live = true;
  register_self_metrics(sdk);
  otel_tracer_provider_set_global(sdk->tracer_provider);
  report_setup(sdk);
  *out = sdk;
  return OTEL_OK;
}

otel_tracer_t *otel_sdk_tracer(otel_sdk_t *sdk, const char *name, const char *version) {
  return sdk ? otel_tracer_provider_get_tracer(sdk->tracer_provider, name, version) : NULL;
}

otel_tracer_provider_t *otel_sdk_tracer_provider(otel_sdk_t *sdk) {
  return sdk ? sdk->tracer_provider : NULL;
}

otel_logger_t *otel_sdk_logger(otel_sdk_t *sdk, const char *name, const char *version) {
  return sdk ? otel_logger_provider_get_logger(sdk->logger_provider, name, version) : NULL;
}

otel_meter_t *otel_sdk_meter(otel_sdk_t *sdk, const char *name, const char *version) {
  return sdk ? otel_meter_provider_get_meter(sdk->meter_provider, name, version) : NULL;
}

const otel_resource_t *otel_sdk_resource(otel_sdk_t *sdk) { return sdk ? sdk->resource : NULL; }

/* One provider's shutdown, run on its own thread so that the three
 * signals share one deadline instead of taking it in turn. */
typedef struct provider_shutdown {
  otel_sdk_t *sdk;
  int which; /* 0 traces, 1 metrics, 2 logs */
  uint64_t deadline_ns;
  otel_err_t err;
  pthread_t thread;
  bool started;
} provider_shutdown_t;

static void *shutdown_one(void *arg) {
  provider_shutdown_t *job = arg;
  otel_sdk_t *sdk = job->sdk;
  uint32_t ms = otel__ms_until(job->deadline_ns);
  if (job->which != 1) { /* the self-metrics stop reading this signal's processors */
    otel_sdk_stats_t last;
    otel_sdk_get_stats(sdk, &last); /* the counts they keep showing */
    pthread_mutex_lock(&sdk->stats_lock);
    if (job->which == 0) sdk->traces_live = false;
    else sdk->logs_live = false;
    pthread_mutex_unlock(&sdk->stats_lock);
  }
  switch (job->which) {
  case 0:
    job->err = otel_tracer_provider_shutdown(sdk->tracer_provider, ms);
    break;
  case 1: /* exports the last values */
    job->err = otel_meter_provider_shutdown(sdk->meter_provider, ms);
    break;
  default:
    job->err = otel_logger_provider_shutdown(sdk->logger_provider, ms);
    break;
  }
  if (job->err == OTEL_ESHUTDOWN) job->err = OTEL_OK; /* shut down by hand before */
  return NULL;
}

otel_err_t otel_sdk_shutdown(otel_sdk_t *sdk, uint32_t timeout_ms) {
  if (!sdk) return OTEL_OK;
  uint64_t deadline = otel__deadline_after_ms(timeout_ms);
  if (sdk->tracer_provider && otel_tracer_provider_get_global() == sdk->tracer_provider)
    otel_tracer_provider_set_global(NULL);
  provider_shutdown_t jobs[3];
  bool present[3] = {sdk->tracer_provider != NULL, sdk->meter_provider != NULL,
                     sdk->logger_provider != NULL};
  for (int i = 0; i < 3; i++) {
    jobs[i] = (provider_shutdown_t){.sdk = sdk, .which = i, .deadline_ns = deadline};
    if (present[i]) jobs[i].started = pthread_create(&jobs[i].thread, NULL, shutdown_one, &jobs[i]) == 0;
  }
  otel_err_t err = OTEL_OK;
  for (int i = 0; i < 3; i++) {
    if (!present[i]) continue;
    if (jobs[i].started) pthread_join(jobs[i].thread, NULL);
    else shutdown_one(&jobs[i]); /* no thread to be had: in turn, same deadline */
    if (!err) err = jobs[i].err;
  }
  otel_tracer_provider_destroy(sdk->tracer_provider);
  otel_meter_provider_destroy(sdk->meter_provider);
  otel_logger_provider_destroy(sdk->logger_provider);
  if (otel_propagation_get_global() == sdk->propagator) otel_propagation_set_global(NULL);
  otel_propagator_destroy(sdk->propagator);
  otel_resource_release(sdk->resource);
  pthread_mutex_destroy(&sdk->stats_lock);
  free(sdk);
  return err;
}
