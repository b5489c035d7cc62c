/* SPDX-License-Identifier: Apache-2.0
 *
 * logger_provider.c: the LoggerProvider: options (defaults, then env),
 * the resource, the processor list, one Logger per scope, flush and
 * shutdown. Not for: building records (logger.c, log_record.c) or choosing
 * an exporter from the environment (logger_provider_env.c).
 * Spec: "Logs SDK", LoggerProvider.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "logs_internal.h"

void otel_logger_provider_options_init(otel_logger_provider_options_t *o) {
  memset(o, 0, sizeof(*o));
  o->min_severity = OTEL_SEVERITY_INFO;
  const char *sev = otel__env_str("OTEL_LOGS_MIN_SEVERITY");
  if (sev && otel_severity_parse(sev, &o->min_severity) != OTEL_OK) {
    otel__diag(OTEL_DIAG_WARN, "env_logs_min_severity",
               "OTEL_LOGS_MIN_SEVERITY=%s is not a severity; using info", sev);
  }
  o->mirror_stderr = otel__env_bool("OTEL_LOGS_MIRROR_STDERR", false);
  o->max_body_bytes = (size_t)otel__env_int("OTEL_LOGS_MAX_BODY_BYTES",
                                            OTEL_LOG_BODY_MAX_DEFAULT);
  o->max_attributes = (size_t)otel__env_int("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT",
                                            OTEL_LOG_ATTR_COUNT_MAX_DEFAULT);
}

otel_err_t otel_logger_provider_create(const otel_logger_provider_options_t *opts,
                                       otel_logger_provider_t **out) {
  if (!out) return OTEL_EINVAL;
  *out = NULL;
  otel_logger_provider_options_t defaults;
  if (!opts) {
    otel_logger_provider_options_init(&defaults);
    opts = &defaults;
  }
  otel_logger_provider_t *lp = calloc(1, sizeof(*lp));
  if (!lp) return OTEL_ENOMEM;
  pthread_mutex_init(&lp->lock, NULL);
  atomic_init(&lp->shut_down, false);
  atomic_init(&lp->emits_in_flight, 0);
  lp->max_body_bytes = opts->max_body_bytes;
  lp->max_attributes = opts->max_attributes;
  lp->min_severity = opts->min_severity;
  if (opts->resource) {
    lp->resource = otel_resource_retain(opts->resource);
    const otel_attr_t *sn = otel_resource_get(lp->resource, "service.name");
    if (sn && sn->type == OTEL_ATTR_TYPE_STRING) lp->service_name = sn->value.s;
  }
  if (opts->mirror_stderr) {
    otel_log_processor_t *mirror;
    otel_err_t err = otel__log_mirror_processor_create(
        opts->mirror_stream ? opts->mirror_stream : stderr, lp->service_name, &mirror);
    if (err) {
      otel_logger_provider_destroy(lp);
      return err;
    }
    lp->processors[lp->n_processors++] = mirror;
  }
  *out = lp;
  return OTEL_OK;
}

otel_err_t otel_logger_provider_add_processor(otel_logger_provider_t *lp,
                                              otel_log_processor_t *p) {
  otel_err_t err = OTEL_OK;
  if (!p) return OTEL_EINVAL;
  if (!lp) err = OTEL_EINVAL;
  else if (atomic_load(&lp->shut_down)) err = OTEL_ESHUTDOWN;
  else if (lp->n_processors == OTEL__LOGS_MAX_PROCESSORS) err = OTEL_EFULL;
  if (err) {
    p->type->shutdown(p->ctx, 5000); /* nothing queued: returns at once */
    free(p);
    return err;
  }
  lp->processors[lp->n_processors++] = p;
  return OTEL_OK;
}

static bool same_str(const char *a, const char *b) {
  return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

otel_logger_t *otel_logger_provider_get_logger(otel_logger_provider_t *lp, const char *name,
                                               const char *version) {
  if (!lp) return NULL;
  if (!name) name = "";
  pthread_mutex_lock(&lp->lock);
  otel_logger_t *l;
  for (l = lp->loggers; l; l = l->next) {
    if (strcmp(l->name, name) == 0 && same_str(l->version, version)) break;
  }
  if (!l) {
    l = calloc(1, sizeof(*l));
    if (l) {
      l->name = strdup(name);
      l->version = version ? strdup(version) : NULL;
    }
    if (!l || !l->name || (version && !l->version)) {
      if (l) {
        free(l->name);
        free(l->version);
        free(l);
      }
      l = NULL;
    } else {
      l->provider = lp;
      atomic_init(&l->min_severity, (int)lp->min_severity);
      l->next = lp->loggers;
      lp->loggers = l;
    }
  }
  pthread_mutex_unlock(&lp->lock);
  return l;
}

/* Remaining part of a timeout that started at start_ns. */
static uint32_t remaining_ms(uint64_t start_ns, uint32_t timeout_ms) {
  uint64_t spent = (otel__monotonic_ns() - start_ns) / 1000000u;
  return spent >= timeout_ms ? 0 : (uint32_t)(timeout_ms - spent);
}

otel_err_t otel_logger_provider_force_flush(otel_logger_provider_t *lp,
                                            uint32_t timeout_ms) {
  if (!lp) return OTEL_EINVAL;
  if (atomic_load(&lp->shut_down)) return OTEL_ESHUTDOWN;
  uint64_t start = otel__monotonic_ns();
  otel_err_t first = OTEL_OK;
  for (size_t i = 0; i < lp->n_processors; i++) {
    const otel_log_processor_t *p = lp->processors[i];
    if (!p->type->force_flush) continue;
    otel_err_t err = p->type->force_flush(p->ctx, remaining_ms(start, timeout_ms));
    if (err && !first) first = err;
  }
  return first;
}

otel_err_t otel_logger_provider_shutdown(otel_logger_provider_t *lp, uint32_t timeout_ms) {
  if (!lp) return OTEL_EINVAL;
  if (atomic_exchange(&lp->shut_down, true)) return OTEL_ESHUTDOWN;
  while (atomic_load(&lp->emits_in_flight) > 0) sched_yield();
  uint64_t start = otel__monotonic_ns();
  otel_err_t first = OTEL_OK;
  for (size_t i = 0; i < lp->n_processors; i++) {
    const otel_log_processor_t *p = lp->processors[i];
    otel_err_t err = p->type->shutdown(p->ctx, remaining_ms(start, timeout_ms));
    if (err && !first) first = err;
  }
  return first;
}

/* The freeing part of destroy; deferred while a processor's thread that
 * outlived its shutdown may still read the loggers and the resource of the
 * records it exports (shutdown.c). */
static void logger_provider_free(void *arg) {
  otel_logger_provider_t *lp = arg;
  otel_logger_t *l = lp->loggers;
  while (l) {
    otel_logger_t *next = l->next;
    free(l->name);
    free(l->version);
    free(l);
    l = next;
  }
  for (size_t i = 0; i < lp->n_processors; i++) free(lp->processors[i]);
  otel_resource_release(lp->resource);
  pthread_mutex_destroy(&lp->lock);
  free(lp);
}

void otel_logger_provider_destroy(otel_logger_provider_t *lp) {
  if (!lp) return;
  if (!atomic_load(&lp->shut_down)) otel_logger_provider_shutdown(lp, 5000);
  otel__free_after_workers(logger_provider_free, lp);
}

void otel_log_processor_get_stats(otel_log_processor_t *p, otel_log_processor_stats_t *out) {
  if (!out) return;
  memset(out, 0, sizeof(*out));
  if (p && p->type->get_stats) p->type->get_stats(p->ctx, out);
}

/* ---- the exporter and processor handles (as tracer_provider.c's) -------- */

otel_log_exporter_t *otel_log_exporter_create(const struct otel_log_exporter_type *type, void *ctx) {
  if (!type || !type->export_records) return NULL;
  otel_log_exporter_t *e = calloc(1, sizeof(*e));
  if (!e) return NULL;
  e->type = type;
  e->ctx = ctx;
  return e;
}

void otel_log_exporter_destroy(otel_log_exporter_t *e) {
  if (!e) return;
  if (e->type->shutdown) e->type->shutdown(e->ctx);
  free(e);
}

otel_log_processor_t *otel_log_processor_create(const struct otel_log_processor_type *type,
                                                void *ctx) {
  if (!type || !type->on_emit || !type->shutdown) return NULL;
  otel_log_processor_t *p = calloc(1, sizeof(*p));
  if (!p) return NULL;
  p->type = type;
  p->ctx = ctx;
  return p;
}
