/* SPDX-License-Identifier: Apache-2.0
 *
 * sdk.c: the one-call setup of sdk.h: resource, tracer provider, batch
 * processor and exporter from the standard environment, global
 * registration, and an orderly shutdown that flushes before freeing.
 */
#include "otel/sdk.h"
#include "otel/exporter_otlp.h"

#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

struct otel_sdk {
  otel_resource_t *resource;
  otel_tracer_provider_t *tracer_provider;
  otel_logger_provider_t *logger_provider;
  otel_meter_provider_t *meter_provider;
  otel_propagator_t *propagator;
};

static otel_exporter_choice_t exporter_from_env(const char *var) {
  const char *v = otel__env_str(var);
  if (!v || !strcasecmp(v, "otlp")) return OTEL_EXPORTER_OTLP;
  if (!strcasecmp(v, "console")) return OTEL_EXPORTER_CONSOLE;
  if (!strcasecmp(v, "none")) return OTEL_EXPORTER_NONE;
  otel__diag(OTEL_DIAG_WARN, "sdk_env", "%s=\"%s\" is not otlp, console or none; using otlp", var, v);
  return OTEL_EXPORTER_OTLP;
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
    err = otel_otlp_span_exporter_create(NULL, &exporter);
    if (!err) err = otel_batch_span_processor_create(exporter, NULL, &processor);
  }
  if (!err) err = otel_tracer_provider_add_processor(sdk->tracer_provider, processor);
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
  const char *traces = otel__env_str("OTEL_TRACES_EXPORTER");
  const char *metrics = otel__env_str("OTEL_METRICS_EXPORTER");
  const char *logs = otel__env_str("OTEL_LOGS_EXPORTER");
  otel__diag(OTEL_DIAG_INFO, "sdk_setup", "sdk started: resource%s; traces=%s metrics=%s logs=%s; otlp %s %s",
             res, traces ? traces : "otlp", metrics ? metrics : "otlp", logs ? logs : "otlp",
             otlp.protocol == OTEL_OTLP_PROTOCOL_GRPC ? "grpc" : "http/protobuf", otlp.endpoint);
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
  otel_logger_t *logger = NULL;
  if (sdk && sdk->logger_provider)
    otel_logger_provider_get_logger(sdk->logger_provider, name, version, &logger);
  return logger;
}

otel_meter_t *otel_sdk_meter(otel_sdk_t *sdk, const char *name, const char *version) {
  return sdk ? otel_meter_provider_get_meter(sdk->meter_provider, name, version) : NULL;
}

const otel_resource_t *otel_sdk_resource(otel_sdk_t *sdk) { return sdk ? sdk->resource : NULL; }

otel_err_t otel_sdk_shutdown(otel_sdk_t *sdk, uint32_t timeout_ms) {
  if (!sdk) return OTEL_OK;
  otel_err_t err = OTEL_OK;
  if (sdk->tracer_provider) {
    if (otel_tracer_provider_get_global() == sdk->tracer_provider) otel_tracer_provider_set_global(NULL);
    err = otel_tracer_provider_shutdown(sdk->tracer_provider, timeout_ms);
    otel_tracer_provider_destroy(sdk->tracer_provider);
  }
  if (sdk->meter_provider) { /* exports the last values */
    otel_err_t merr = otel_meter_provider_shutdown(sdk->meter_provider, timeout_ms);
    if (!err && merr != OTEL_ESHUTDOWN) err = merr;
    otel_meter_provider_destroy(sdk->meter_provider);
  }
  if (sdk->logger_provider) {
    otel_err_t lerr = otel_logger_provider_shutdown(sdk->logger_provider, timeout_ms);
    if (!err && lerr != OTEL_ESHUTDOWN) err = lerr;
    otel_logger_provider_destroy(sdk->logger_provider);
  }
  if (otel_propagation_get_global() == sdk->propagator) otel_propagation_set_global(NULL);
  otel_propagator_destroy(sdk->propagator);
  otel_resource_release(sdk->resource);
  free(sdk);
  return err;
}
