/* SPDX-License-Identifier: Apache-2.0
 *
 * logger_provider_env.c: the one-call logs setup from the environment
 * (OTEL_LOGS_EXPORTER = otlp | console | none, any case, OTEL_SDK_DISABLED), kept
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
  /* any case; an unknown value warns and gives otlp (env.c), never an error */
  otel__exporter_kind_t kind = otel__env_exporter("OTEL_LOGS_EXPORTER");
  bool otlp = kind == OTEL__EXPORTER_OTLP, console = kind == OTEL__EXPORTER_CONSOLE;
  otel_logger_provider_options_t o;
  otel_logger_provider_options_init(&o);
  o.resource = resource;
  otel_logger_provider_t *lp;
  otel_err_t err = otel_logger_provider_create(&o, &lp);
  if (err) return err;
  otel_log_exporter_t *exp;
  otel_log_processor_t *proc;
  if (otlp) {
    /* OTEL_BLRP_EXPORT_TIMEOUT bounds each export, retries included */
    otel_batch_log_processor_options_t bo;
    otel_batch_log_processor_options_init(&bo);
    otel_otlp_options_t oo;
    otel_otlp_options_init(&oo, OTEL_SIGNAL_LOGS);
    if (bo.export_timeout_ms && bo.export_timeout_ms < oo.timeout_ms) oo.timeout_ms = bo.export_timeout_ms;
    err = otel_otlp_log_exporter_create(&oo, &exp);
    if (err == OTEL_EINVAL) { /* an unusable endpoint or TLS file (diagnosed): no logs, the rest runs */
      *out = lp;
      return OTEL_OK;
    }
    if (!err) err = otel_batch_log_processor_create(exp, &bo, &proc);
  } else if (console) {
    exp = otel_console_log_exporter_create(stdout);
    err = exp ? otel_simple_log_processor_create(exp, &proc) : OTEL_ENOMEM;
  }
  if (!err && (otlp || console)) err = otel_logger_provider_add_processor(lp, proc);
  if (err) {
    otel_logger_provider_destroy(lp);
    return err;
  }
  *out = lp;
  return OTEL_OK;
}
