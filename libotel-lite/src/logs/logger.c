/* SPDX-License-Identifier: Apache-2.0
 *
 * logger.c: the emit path of the Logs API: otel_logger_emit and the
 * printf-style helpers (otel_log_info ...). It checks the severity first
 * (nothing is formatted below the minimum), formats into a stack buffer,
 * stamps the time and the current span's ids, allocates the record once
 * and hands it to every processor of the provider. Not for: queueing or
 * exporting (log_*_processor.c). Spec: "Logs Bridge API" (Emit a LogRecord)
 * and "Logs SDK" (ReadableLogRecord, trace context fields).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "logs_internal.h"
#include "otel/trace.h"

/* ---- Trace context ---------------------------------------------------------- */
/* The current span of this thread (trace.h), if any. */
bool otel__logs_current_context(otel_span_context_t *out) {
  return otel_current_span_context(out);
}

/* ---- Scope accessors -------------------------------------------------------- */
const char *otel_logger_scope_name(const otel_logger_t *logger) {
  return logger ? logger->name : NULL;
}

const char *otel_logger_scope_version(const otel_logger_t *logger) {
  return logger ? logger->version : NULL;
}

bool otel_logger_is_enabled(const otel_logger_t *logger, otel_severity_t sev) {
  if (!logger) return false;
  return (int)sev >= atomic_load_explicit(&((otel_logger_t *)logger)->min_severity,
                                          memory_order_relaxed) ||
         sev == OTEL_SEVERITY_UNSPECIFIED;
}

void otel_logger_set_min_severity(otel_logger_t *logger, otel_severity_t sev) {
  if (logger) atomic_store(&logger->min_severity, (int)sev);
}

/* ---- Emit ------------------------------------------------------------------- */
static void dispatch(otel_logger_t *logger, otel__log_record_src_t *src) {
  otel_logger_provider_t *lp = logger->provider;
  /* Announce the emit before checking shut_down (both seq_cst): shutdown
   * sets the flag, then waits for in-flight emits to leave, so no emit
   * touches a processor that shutdown is freeing. */
  atomic_fetch_add(&lp->emits_in_flight, 1);
  if (atomic_load(&lp->shut_down) || lp->n_processors == 0) {
    atomic_fetch_sub(&lp->emits_in_flight, 1);
    return;
  }
  otel_span_context_t sc;
  if (!src->sc && otel__logs_current_context(&sc)) src->sc = &sc;
  otel_log_record_t *rec = otel__log_record_create(src, logger, lp->resource,
                                                   lp->max_body_bytes, lp->max_attributes);
  if (!rec) {
    atomic_fetch_sub(&lp->emits_in_flight, 1);
    otel__diag(OTEL_DIAG_WARN, "log_record_alloc", "log record dropped: out of memory");
    return;
  }
  for (size_t i = 0; i < lp->n_processors; i++) {
    const otel_log_processor_t *p = lp->processors[i];
    p->type->on_emit(p->ctx, rec);
  }
  atomic_fetch_sub(&lp->emits_in_flight, 1);
  otel_log_record_release(rec);
}

void otel_logger_emit(otel_logger_t *logger, const otel_log_record_options_t *o) {
  if (!logger || !o || !otel_logger_is_enabled(logger, o->severity)) return;
  otel__log_record_src_t src = {
      .timestamp_ns = o->timestamp_ns,
      .observed_timestamp_ns = o->observed_timestamp_ns ? o->observed_timestamp_ns
                                                        : otel_time_now_ns(),
      .severity = o->severity,
      .severity_text = o->severity_text ? o->severity_text
                                        : (o->severity ? otel_severity_name(o->severity) : ""),
      .body = o->body,
      .body_len = o->body ? strlen(o->body) : 0,
      .event_name = o->event_name,
      .attrs = o->attrs,
      .attr_count = o->attrs ? o->attr_count : 0,
      .sc = o->span_context,
  };
  dispatch(logger, &src);
}

/* Short messages are formatted on the stack; longer ones into a heap buffer
 * of at most the body limit (+1 byte so truncation is detected). */
#define STACK_FORMAT_BYTES 512

void otel_logv(otel_logger_t *logger, otel_severity_t sev, const char *fmt, va_list ap) {
  if (!logger || !fmt || !otel_logger_is_enabled(logger, sev)) return;
  if (logger->provider->n_processors == 0) return; /* nobody would see it */
  char stack[STACK_FORMAT_BYTES];
  char *buf = stack;
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(stack, sizeof(stack), fmt, ap);
  if (n < 0) {
    va_end(ap2);
    return;
  }
  size_t len = (size_t)n;
  if (len >= sizeof(stack)) {
    size_t limit = logger->provider->max_body_bytes;
    size_t cap = (len < limit ? len : limit + 1) + 1;
    if (cap > sizeof(stack)) {
      buf = malloc(cap);
      if (buf) {
        vsnprintf(buf, cap, fmt, ap2);
      } else {
        buf = stack; /* keep what fits in the stack buffer */
        cap = sizeof(stack);
      }
    }
    len = len < cap - 1 ? len : cap - 1;
  }
  va_end(ap2);
  uint64_t now = otel_time_now_ns();
  otel__log_record_src_t src = {
      .timestamp_ns = now,
      .observed_timestamp_ns = now,
      .severity = sev,
      .severity_text = otel_severity_name(sev),
      .body = buf,
      .body_len = len,
  };
  /* A message over the limit was formatted to limit + 1 bytes: the record
   * cuts it to the limit and marks it truncated. */
  dispatch(logger, &src);
  if (buf != stack) free(buf);
}

void otel_log(otel_logger_t *logger, otel_severity_t sev, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  otel_logv(logger, sev, fmt, ap);
  va_end(ap);
}

#define OTEL__LOG_HELPER(fn, sev)                                \
  void fn(otel_logger_t *logger, const char *fmt, ...) {         \
    if (!otel_logger_is_enabled(logger, sev)) return;            \
    va_list ap;                                                  \
    va_start(ap, fmt);                                           \
    otel_logv(logger, sev, fmt, ap);                             \
    va_end(ap);                                                  \
  }

OTEL__LOG_HELPER(otel_log_trace, OTEL_SEVERITY_TRACE)
OTEL__LOG_HELPER(otel_log_debug, OTEL_SEVERITY_DEBUG)
OTEL__LOG_HELPER(otel_log_info, OTEL_SEVERITY_INFO)
OTEL__LOG_HELPER(otel_log_warn, OTEL_SEVERITY_WARN)
OTEL__LOG_HELPER(otel_log_error, OTEL_SEVERITY_ERROR)
OTEL__LOG_HELPER(otel_log_fatal, OTEL_SEVERITY_FATAL)
