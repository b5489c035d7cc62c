/* SPDX-License-Identifier: Apache-2.0
 *
 * internal.h: helpers shared between libotel-lite source files and never
 * exported: self-diagnostics, environment parsing, monotonic time, the
 * item size of array attributes.
 * Cross-file internals are named otel__*; anything used by one file only is
 * static in that file.
 */
#ifndef OTEL_INTERNAL_H
#define OTEL_INTERNAL_H

#include "otel/common.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reports a background problem through the installed error handler.
 * `kind` is a static string naming the message kind ("otlp_http_export");
 * the default handler prints at most one line per kind per second and says
 * how many were suppressed. printf-style; never blocks for long. */
void otel__diag(otel_diag_level_t level, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Monotonic clock in ns (CLOCK_MONOTONIC), for timeouts and durations. */
uint64_t otel__monotonic_ns(void);

/* Bounded shutdown (shutdown.c). A deadline is a CLOCK_MONOTONIC time in
 * ns; condition variables waiting for one use CLOCK_MONOTONIC too. */
struct timespec;
uint64_t otel__deadline_after_ms(uint32_t timeout_ms);
uint32_t otel__ms_until(uint64_t deadline_ns); /* rounded up; 0 once passed */
void otel__deadline_timespec(uint64_t deadline_ns, struct timespec *ts);
/* A worker left running past its shutdown (its exporter has no cancel):
 * counted while it lives. Providers free through otel__free_after_workers:
 * fn(arg) runs now when no such worker lives, else when the last one is
 * done (what its data points to stays valid until then). */
void otel__worker_abandoned(void);
void otel__worker_finished(void);
void otel__free_after_workers(void (*fn)(void *), void *arg);

/* Environment (OTEL_* variables). Each returns the default when the variable
 * is unset or empty, and reports an invalid value once through otel__diag
 * (then uses the default), as the specification asks. */
/* Returns borrowed getenv() memory, or NULL when unset or empty. */
const char *otel__env_str(const char *name);
bool otel__env_bool(const char *name, bool def);      /* "true"/"false", any case */
int64_t otel__env_int(const char *name, int64_t def); /* decimal, >= 0 */
double otel__env_double(const char *name, double def);
/* An enumeration: the value of the choice whose name matches (any case),
 * or def, with one warning per variable and value for an unknown one.
 * choices ends with {NULL, 0}. */
typedef struct otel__env_choice {
  const char *name;
  int value;
} otel__env_choice_t;
int otel__env_enum(const char *name, const otel__env_choice_t *choices, int def);
/* OTEL_{TRACES,METRICS,LOGS}_EXPORTER (var): otlp by default and on an
 * unknown value; none with OTEL_SDK_DISABLED=true; prometheus for metrics. */
typedef enum otel__exporter_kind {
  OTEL__EXPORTER_OTLP = 0,
  OTEL__EXPORTER_CONSOLE,
  OTEL__EXPORTER_NONE,
  OTEL__EXPORTER_PROMETHEUS
} otel__exporter_kind_t;
otel__exporter_kind_t otel__env_exporter(const char *var);
const char *otel__exporter_name(otel__exporter_kind_t k);

/* Percent-decodes [b, e) into out (cap bytes, NUL-terminated; e - b + 1
 * is always enough). Returns the decoded length, or -1 when a '%' is not
 * followed by two hex digits or out is too small (percent.c). */
ptrdiff_t otel__percent_decode(const char *b, const char *e, char *out, size_t cap);

/* Bytes per item of an array attribute's items (const char *, bool,
 * int64_t or double); 0 for a scalar type. */
static inline size_t otel__attr_item_size(otel_attr_type_t type) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING_ARRAY: return sizeof(const char *);
  case OTEL_ATTR_TYPE_BOOL_ARRAY: return sizeof(bool);
  case OTEL_ATTR_TYPE_INT_ARRAY: return sizeof(int64_t);
  case OTEL_ATTR_TYPE_DOUBLE_ARRAY: return sizeof(double);
  default: return 0;
  }
}

#endif /* OTEL_INTERNAL_H */
