/* SPDX-License-Identifier: Apache-2.0
 *
 * common.h: what every part of libotel-lite shares: the one error enum
 * (otel_err_t), attribute values as passed into the API (otel_attr_t), the
 * clock, and the handler that receives background errors.
 * Not for: signal-specific API (trace.h, metrics.h, logs.h).
 */
#ifndef OTEL_COMMON_H
#define OTEL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OTEL_API __attribute__((visibility("default")))

/* One table yields the enum, otel_strerror() and otel_err_name().
 * Values are appended, never renumbered. */
#define OTEL_ERR_MAP(X)                                                    \
  X(EINVAL, "invalid argument")                                            \
  X(ENOMEM, "out of memory")                                               \
  X(EFULL, "queue full, item dropped")                                     \
  X(ESHUTDOWN, "already shut down")                                        \
  X(ETIMEDOUT, "timed out")                                                \
  X(ECONNECT, "could not connect to the endpoint")                         \
  X(EEXPORT, "export rejected by the receiver (not retryable)")            \
  X(ERETRY, "export failed with a retryable error, retries exhausted")     \
  X(EPARSE, "malformed input")                                             \
  X(ENOTFOUND, "not found")                                                \
  X(EDISABLED, "telemetry disabled (OTEL_SDK_DISABLED or exporter none)")  \
  X(EIO, "input/output error")                                             \
  X(ECONFIG, "invalid configuration")                                      \
  X(ECANCELED, "cancelled: the shutdown deadline passed")

typedef enum otel_err {
  OTEL_OK = 0,
#define OTEL__ERR_ENUM(name, msg) OTEL_##name,
  OTEL_ERR_MAP(OTEL__ERR_ENUM)
#undef OTEL__ERR_ENUM
  OTEL_ERR_MAX_
} otel_err_t;

/* Returns a static English message; never NULL (unknown codes included). */
OTEL_API const char *otel_strerror(otel_err_t err);
/* Returns the static name of the code ("OTEL_EINVAL"); never NULL. */
OTEL_API const char *otel_err_name(otel_err_t err);

/* ---- Attributes ---------------------------------------------------------
 * otel_attr_t is how attributes are passed *into* the API. It borrows its
 * key and values: every function taking attributes copies what it keeps, so
 * the caller may pass stack memory (use the OTEL_ATTR_* macros). */
typedef enum otel_attr_type {
  OTEL_ATTR_TYPE_STRING = 0,
  OTEL_ATTR_TYPE_BOOL,
  OTEL_ATTR_TYPE_INT,    /* int64_t */
  OTEL_ATTR_TYPE_DOUBLE,
  OTEL_ATTR_TYPE_STRING_ARRAY,
  OTEL_ATTR_TYPE_BOOL_ARRAY,
  OTEL_ATTR_TYPE_INT_ARRAY,
  OTEL_ATTR_TYPE_DOUBLE_ARRAY
} otel_attr_type_t;

typedef struct otel_attr {
  const char *key;          /* borrowed; NULL or "" makes the attribute ignored */
  otel_attr_type_t type;
  union {
    const char *s;          /* STRING: borrowed, NUL-terminated (NULL reads as "") */
    bool b;
    int64_t i;
    double d;
    struct {
      const void *items;    /* borrowed array of const char *, bool, int64_t or double */
      size_t len;
    } array;
  } value;
} otel_attr_t;

#define OTEL_ATTR_STR(k, v) \
  ((otel_attr_t){.key = (k), .type = OTEL_ATTR_TYPE_STRING, .value.s = (v)})
#define OTEL_ATTR_BOOL(k, v) \
  ((otel_attr_t){.key = (k), .type = OTEL_ATTR_TYPE_BOOL, .value.b = (v)})
#define OTEL_ATTR_INT(k, v) \
  ((otel_attr_t){.key = (k), .type = OTEL_ATTR_TYPE_INT, .value.i = (int64_t)(v)})
#define OTEL_ATTR_DOUBLE(k, v) \
  ((otel_attr_t){.key = (k), .type = OTEL_ATTR_TYPE_DOUBLE, .value.d = (double)(v)})
#define OTEL_ATTR_ARRAY(k, t, ptr, n) \
  ((otel_attr_t){.key = (k), .type = (t), .value.array = {(ptr), (n)}})

/* ---- Time ----------------------------------------------------------------*/
/* Wall clock, ns since the Unix epoch (CLOCK_REALTIME). Thread-safe. */
OTEL_API uint64_t otel_time_now_ns(void);

/* ---- Background errors (self-diagnostics) --------------------------------
 * Export failures and dropped data are reported here, never to the caller of
 * the hot path. The default handler prints one line on stderr, rate-limited
 * to one line per second per message kind, filtered by OTEL_LOG_LEVEL
 * (debug | info | warn | error | none; default info). */
typedef enum otel_diag_level {
  OTEL_DIAG_DEBUG = 0,
  OTEL_DIAG_INFO,
  OTEL_DIAG_WARN,
  OTEL_DIAG_ERROR,
  OTEL_DIAG_NONE
} otel_diag_level_t;

/* message is borrowed for the duration of the call. May be called from any
 * thread, including exporter threads; must not block. */
typedef void (*otel_error_handler_cb)(otel_diag_level_t level,
                                      const char *message, void *user_data);

/* Installs handler (NULL restores the default). Thread-safe. */
OTEL_API void otel_set_error_handler(otel_error_handler_cb handler,
                                     void *user_data);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_COMMON_H */
