/* SPDX-License-Identifier: Apache-2.0
 *
 * logger_provider_env.c: the one-call logs setup from the environment
 * (OTEL_LOGS_EXPORTER = otlp | console | none, OTEL_SDK_DISABLED), kept
 * apart from logger_provider.c so programs that wire their own exporter do
 * not link the OTLP transport.
 */
#include <string.h>

#include "internal.h"
#include "otel/exporter_otlp.h"
#include "logs_internal.h"

otel_err_t otel_logger_provider_create_from_env(otel_resource_t *resource,
                                                otel_logger_provider_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = NULL;
  const char *name = otel__env_str("OTEL_LOGS_EXPORTER");
  if (!name) name = "otlp";
  if (otel__env_bool("OTEL_SDK_DISABLED", false)) name = "none";
  bool otlp = strcmp(name, "otlp") == 0, console = strcmp(name, "console") == 0;
  if (!otlp && !console && strcmp(name, "none") != 0) {
    otel__diag(OTEL_DIAG_ERROR, "env_logs_exporter",
               "OTEL_LOGS_EXPORTER=%s: expected otlp, console or none", name);
    return OTEL_ECONFIG;
  }
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  o.resource = resource;
  otel_logger_provider_t *lp;
  otel_err_t err = otel_logger_provider_create(&o, &lp);
  if (err) return err;
  otel_log_exporter_t exp;
  otel_log_processor_t proc;
  if (otlp) {
    err = otel_otlp_log_exporter_create(NULL, &exp);
    if (!err) err = otel_batch_log_processor_create(exp, NULL, &proc);
  } else if (console) {
    err = otel_console_log_exporter_create(stdout, &exp);
    if (!err) err = otel_simple_log_processor_create(exp, &proc);
  }
  if (!err && (otlp || console)) err = otel_logger_provider_add_processor(lp, proc);
  if (err) {
    otel_logger_provider_destroy(lp);
    return err;
  }
  *out = lp;
  return OTEL_OK;
}
