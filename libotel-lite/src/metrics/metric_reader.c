/* SPDX-License-Identifier: Apache-2.0
 *
 * metric_reader.c: the Periodic Exporting MetricReader (a thread that
 * collects and exports every OTEL_METRIC_EXPORT_INTERVAL, on force_flush,
 * and a last time at shutdown), the metric exporter wrapper, the console
 * metric exporter, and the provider from the environment
 * (OTEL_METRICS_EXPORTER = otlp | prometheus | console | none). The OTLP
 * metric exporter is otlp_metric_exporter.c.
 */
#include "metrics_internal.h"
#include "otel/exporter_otlp.h"
#include "otel/exporter_prometheus.h"

#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct otel__periodic_reader {
  otel_meter_provider_t *mp;
  otel_metric_exporter_t *exporter;
  uint32_t interval_ms;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  uint64_t requested, completed;
  bool stop;
  bool exited;   /* the thread has left its loop */
  bool detached; /* stop returned without it: the thread frees r */
};

static void reader_free(otel__periodic_reader_t *r);

otel_metric_exporter_t *otel_metric_exporter_create(const struct otel_metric_exporter_type *t, void *ctx) {
  if (!t || !t->export_metrics) return NULL;
  otel_metric_exporter_t *e = calloc(1, sizeof(*e));
  if (!e) return NULL;
  e->type = t;
  e->ctx = ctx;
  return e;
}

void otel_metric_exporter_destroy(otel_metric_exporter_t *e) {
  if (!e) return;
  if (e->type->shutdown) e->type->shutdown(e->ctx);
  free(e);
}

static void deadline_after(struct timespec *ts, uint32_t ms) {
  clock_gettime(CLOCK_MONOTONIC, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) ts->tv_sec++, ts->tv_nsec -= 1000000000L;
}

static void export_once(otel__periodic_reader_t *r) {
  otel_err_t err = otel__meter_provider_collect_export(r->mp, r->exporter);
  if (err)
    otel__diag(OTEL_DIAG_WARN, "metrics_export", "periodic metric reader: export failed: %s",
               otel_strerror(err));
}

static void *reader_thread(void *arg) {
  otel__periodic_reader_t *r = arg;
  pthread_mutex_lock(&r->lock);
  for (;;) {
    struct timespec deadline;
    deadline_after(&deadline, r->interval_ms);
    while (!r->stop && r->requested == r->completed)
      if (pthread_cond_timedwait(&r->wake, &r->lock, &deadline) == ETIMEDOUT) break;
    uint64_t target = r->requested;
    bool stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    export_once(r); /* timer, flush, or the last values at shutdown */
    pthread_mutex_lock(&r->lock);
    r->completed = target;
    pthread_cond_broadcast(&r->done);
    if (stop) break;
  }
  r->exited = true;
  bool detached = r->detached;
  pthread_mutex_unlock(&r->lock);
  if (detached) { /* stop returned long ago: clean up after it */
    reader_free(r);
    otel__worker_finished();
  }
  return NULL;
}

otel_err_t otel__periodic_reader_start(otel_meter_provider_t *mp, otel_metric_exporter_t *e,
                                       uint32_t interval_ms, otel__periodic_reader_t **out) {
  *out = NULL;
  otel__periodic_reader_t *r = calloc(1, sizeof(*r));
  if (!r) {
    otel_metric_exporter_destroy(e);
    return OTEL_ENOMEM;
  }
  r->mp = mp;
  r->exporter = e;
  r->interval_ms = interval_ms ? interval_ms : 60000;
  pthread_mutex_init(&r->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&r->wake, &ca);
  pthread_cond_init(&r->done, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&r->thread, NULL, reader_thread, r) != 0) {
    otel_metric_exporter_destroy(e);
    free(r);
    return OTEL_ENOMEM;
  }
  *out = r;
  return OTEL_OK;
}

otel_err_t otel__periodic_reader_flush(otel__periodic_reader_t *r, uint32_t timeout_ms) {
  struct timespec deadline;
  deadline_after(&deadline, timeout_ms);
  pthread_mutex_lock(&r->lock);
  uint64_t mine = ++r->requested;
  pthread_cond_signal(&r->wake);
  int rc = 0;
  while (r->completed < mine && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&r->done, &r->lock, &deadline);
  bool ok = r->completed >= mine;
  pthread_mutex_unlock(&r->lock);
  return ok ? OTEL_OK : OTEL_ETIMEDOUT;
}

static void reader_free(otel__periodic_reader_t *r) {
  otel_metric_exporter_destroy(r->exporter);
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->wake);
  pthread_cond_destroy(&r->done);
  free(r);
}

/* The last collection and export, within timeout_ms: past it, the export
 * is cancelled (what it carried is lost, and reported) and the thread
 * joined; an exporter without a cancel hook is left to finish alone. */
otel_err_t otel__periodic_reader_stop(otel__periodic_reader_t *r, uint32_t timeout_ms) {
  struct timespec deadline;
  deadline_after(&deadline, timeout_ms);
  pthread_mutex_lock(&r->lock);
  r->stop = true;
  r->requested++;
  pthread_cond_signal(&r->wake);
  int rc = 0;
  while (!r->exited && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&r->done, &r->lock, &deadline);
  bool exited = r->exited;
  if (!exited && !r->exporter->type->cancel) {
    r->detached = true;
    otel__worker_abandoned();
    pthread_mutex_unlock(&r->lock);
    pthread_detach(r->thread);
    otel__diag(OTEL_DIAG_WARN, "metrics_shutdown_timeout",
               "periodic metric reader: shutdown deadline (%u ms) passed during the last export; "
               "the exporter cannot be cancelled: its thread finishes alone", timeout_ms);
    return OTEL_ETIMEDOUT;
  }
  pthread_mutex_unlock(&r->lock);
  if (!exited) {
    r->exporter->type->cancel(r->exporter->ctx); /* the export in flight returns now */
    otel__diag(OTEL_DIAG_WARN, "metrics_shutdown_timeout",
               "periodic metric reader: shutdown deadline (%u ms) passed: the last export was "
               "cancelled, its metrics dropped", timeout_ms);
  }
  pthread_join(r->thread, NULL);
  reader_free(r);
  return exited ? OTEL_OK : OTEL_ETIMEDOUT;
}

/* ---- console exporter ---------------------------------------------------------- */

static void print_attrs(FILE *out, const otel_metric_point_t *p) {
  fputc('{', out);
  for (size_t i = 0; i < p->attr_count; i++) {
    const otel_attr_t *a = &p->attrs[i];
    fprintf(out, "%s%s=", i ? ", " : "", a->key);
    switch (a->type) {
    case OTEL_ATTR_TYPE_STRING: fprintf(out, "\"%s\"", a->value.s); break;
    case OTEL_ATTR_TYPE_BOOL: fputs(a->value.b ? "true" : "false", out); break;
    case OTEL_ATTR_TYPE_INT: fprintf(out, "%lld", (long long)a->value.i); break;
    default: fprintf(out, "%g", a->value.d); break;
    }
  }
  fputc('}', out);
}

static otel_err_t console_export(void *ctx, const otel_metric_batch_t *b) {
  FILE *out = ctx;
  for (size_t i = 0; i < b->stream_count; i++) {
    const otel_metric_stream_t *s = &b->streams[i];
    fprintf(out, "metric %s [%s] (%s%s) scope=%s\n", s->name, s->unit,
            s->kind == OTEL_INSTRUMENT_HISTOGRAM ? "histogram"
            : s->kind == OTEL_INSTRUMENT_GAUGE || s->kind == OTEL_INSTRUMENT_OBSERVABLE_GAUGE ? "gauge"
                                                                                              : "sum",
            s->kind == OTEL_INSTRUMENT_GAUGE || s->kind == OTEL_INSTRUMENT_OBSERVABLE_GAUGE ? ""
            : s->temporality == OTEL_TEMPORALITY_DELTA ? ", delta" : ", cumulative",
            s->scope_name);
    for (size_t j = 0; j < s->point_count; j++) {
      const otel_metric_point_t *p = &s->points[j];
      fputs("  ", out);
      print_attrs(out, p);
      if (s->kind == OTEL_INSTRUMENT_HISTOGRAM)
        fprintf(out, " count=%llu sum=%g min=%g max=%g\n", (unsigned long long)p->count, p->sum,
                p->count ? p->min : 0, p->count ? p->max : 0);
      else if (p->is_double)
        fprintf(out, " %g\n", p->as_double);
      else
        fprintf(out, " %lld\n", (long long)p->as_int);
    }
  }
  fflush(out);
  return ferror(out) ? OTEL_EIO : OTEL_OK;
}

static const struct otel_metric_exporter_type console_type = {.name = "console",
                                                              .export_metrics = console_export};

otel_metric_exporter_t *otel_console_metric_exporter_create(FILE *out) {
  return otel_metric_exporter_create(&console_type, out ? out : stdout);
}

/* ---- OTLP exporter ------------------------------------------------------------------- */

otel_err_t otel_meter_provider_create_from_env(otel_resource_t *resource, otel_meter_provider_t **out) {
  otel_meter_provider_options_t o;
  otel_meter_provider_options_init(&o);
  o.resource = resource;
  otel_err_t err = otel_meter_provider_create(&o, out);
  if (err) return err;
  otel__exporter_kind_t kind = otel__env_exporter("OTEL_METRICS_EXPORTER");
  if (kind == OTEL__EXPORTER_NONE) return OTEL_OK;
  otel_metric_exporter_t *e = NULL;
  if (kind == OTEL__EXPORTER_PROMETHEUS) { /* pull: a /metrics server, no reader */
    otel_prometheus_server_t *srv;
    err = otel_prometheus_server_start(*out, NULL, 0, &srv);
    if (!err) otel__meter_provider_on_shutdown(*out, (void (*)(void *))otel_prometheus_server_stop, srv);
    if (err) {
      otel_meter_provider_destroy(*out);
      *out = NULL;
    }
    return err;
  }
  if (kind == OTEL__EXPORTER_CONSOLE) {
    e = otel_console_metric_exporter_create(stdout);
    if (!e) err = OTEL_ENOMEM;
  } else { /* OTEL_METRIC_EXPORT_TIMEOUT bounds each export, retries included */
    otel_otlp_options_t oo;
    otel_otlp_options_init(&oo, OTEL_SIGNAL_METRICS);
    if (o.export_timeout_ms && o.export_timeout_ms < oo.timeout_ms) oo.timeout_ms = o.export_timeout_ms;
    err = otel_otlp_metric_exporter_create(&oo, &e);
    /* an unusable endpoint or TLS file (diagnosed): no metrics, the rest runs */
    if (err == OTEL_EINVAL) return OTEL_OK;
  }
  if (!err) err = otel_meter_provider_add_periodic_reader(*out, e);
  if (err) {
    otel_meter_provider_destroy(*out);
    *out = NULL;
  }
  return err;
}
