/* SPDX-License-Identifier: Apache-2.0
 *
 * logs.h: the logs signal: LoggerProvider -> Logger -> LogRecord, the
 * printf-style helpers (otel_log_info(logger, "from %s", ip)), processors
 * (simple, batch) and exporters (OTLP, console, in-memory).
 * Specification: "Logs Bridge API", "Logs SDK", "Logs Data Model".
 * Not for: the OTLP transport options and exporter (exporter_otlp.h), resources
 * (resource.h).
 *
 * Environment (explicit options beat env, env beats defaults):
 *   OTEL_LOGS_EXPORTER        otlp | console | none  (create_from_env; default otlp)
 *   OTEL_LOGS_MIN_SEVERITY    trace|debug|info|warn|error|fatal or 1..24;
 *                             default info: records below are discarded at
 *                             the call, before any formatting
 *   OTEL_LOGS_MIRROR_STDERR   true: every emitted record is also written (on the
 *                             emitting thread, one fwrite per record) to
 *                             stderr as one readable line; default false
 *   OTEL_LOGS_MAX_BODY_BYTES  bodies longer than this are truncated (on a
 *                             UTF-8 boundary); default 8192 (OTEL_LOG_BODY_MAX_DEFAULT)
 *   OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT  default 128; extra attributes are
 *                             dropped and counted (dropped_attributes_count)
 *   OTEL_BLRP_SCHEDULE_DELAY 1000, OTEL_BLRP_MAX_QUEUE_SIZE 2048,
 *   OTEL_BLRP_MAX_EXPORT_BATCH_SIZE 512, OTEL_BLRP_EXPORT_TIMEOUT 30000
 */
#ifndef OTEL_LOGS_H
#define OTEL_LOGS_H

#include <stdarg.h>
#include <stdio.h>

#include "otel/common.h"
#include "otel/resource.h"
#include "otel/span_context.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Severity: the 24 levels of the Logs Data Model -------------------- */
typedef enum otel_severity {
  OTEL_SEVERITY_UNSPECIFIED = 0,
  OTEL_SEVERITY_TRACE = 1, OTEL_SEVERITY_TRACE2, OTEL_SEVERITY_TRACE3, OTEL_SEVERITY_TRACE4,
  OTEL_SEVERITY_DEBUG = 5, OTEL_SEVERITY_DEBUG2, OTEL_SEVERITY_DEBUG3, OTEL_SEVERITY_DEBUG4,
  OTEL_SEVERITY_INFO = 9, OTEL_SEVERITY_INFO2, OTEL_SEVERITY_INFO3, OTEL_SEVERITY_INFO4,
  OTEL_SEVERITY_WARN = 13, OTEL_SEVERITY_WARN2, OTEL_SEVERITY_WARN3, OTEL_SEVERITY_WARN4,
  OTEL_SEVERITY_ERROR = 17, OTEL_SEVERITY_ERROR2, OTEL_SEVERITY_ERROR3, OTEL_SEVERITY_ERROR4,
  OTEL_SEVERITY_FATAL = 21, OTEL_SEVERITY_FATAL2, OTEL_SEVERITY_FATAL3, OTEL_SEVERITY_FATAL4
} otel_severity_t;

/* Returns the spec's short name ("INFO", "WARN3", ...), "UNSPECIFIED" for 0,
 * "" for values out of range. Static; never NULL. */
OTEL_API const char *otel_severity_name(otel_severity_t sev);
/* Parses "info", "INFO2", "warning", "err", or a number 1..24.
 * Returns OTEL_OK and sets *out, or OTEL_EPARSE (then *out is unchanged). */
OTEL_API otel_err_t otel_severity_parse(const char *text, otel_severity_t *out);

/* Body limit applied when neither option nor OTEL_LOGS_MAX_BODY_BYTES says
 * otherwise: a longer body (formatted or given) is cut at a UTF-8 character
 * boundary to at most this many bytes. */
#define OTEL_LOG_BODY_MAX_DEFAULT 8192
#define OTEL_LOG_ATTR_COUNT_MAX_DEFAULT 128

typedef struct otel_logger_provider otel_logger_provider_t; /* opaque */
typedef struct otel_logger otel_logger_t;                   /* opaque */

/* ---- A finished log record, as processors and exporters see it ----------
 * Immutable once emitted. Every pointer is owned by the record (the
 * attributes are deep copies), except `logger` and `resource`, which are
 * borrowed from the provider and valid until otel_logger_provider_destroy. */
typedef struct otel_log_record {
  uint64_t timestamp_ns;          /* event time; 0 = unknown (spec: optional) */
  uint64_t observed_timestamp_ns; /* when the SDK saw it; never 0 */
  otel_severity_t severity;
  const char *severity_text;      /* never NULL ("" if none) */
  const char *body;               /* NULL when the record has no body */
  size_t body_len;                /* strlen(body), after truncation */
  bool body_truncated;            /* the body was cut to the limit */
  const char *event_name;         /* NULL if none */
  const otel_attr_t *attrs;
  size_t attr_count;
  uint32_t dropped_attributes_count;
  uint8_t trace_id[16];           /* all zero when there was no span */
  uint8_t span_id[8];
  uint8_t trace_flags;
  const otel_logger_t *logger;    /* instrumentation scope */
  const otel_resource_t *resource; /* NULL when the provider has none */
} otel_log_record_t;

/* Scope of a logger: borrowed strings, valid while the provider lives.
 * Version may be NULL. */
OTEL_API const char *otel_logger_scope_name(const otel_logger_t *logger);
OTEL_API const char *otel_logger_scope_version(const otel_logger_t *logger);

/* ---- Exporters ------------------------------------------------------------
 * An exporter is a const type (its function table) plus a context. The
 * processor that owns it calls the slots from its own thread, one call at a
 * time. NULL optional slots are no-ops. */
struct otel_log_exporter_type {
  const char *name; /* "otlp", "console", "memory" */
  /* Exports n records (borrowed, valid during the call; to keep one beyond
   * it, call otel_log_record_retain). Serial: never called concurrently with
   * itself or the other slots. May block (network); should respect its own
   * timeout. Returns OTEL_OK or the reason of the failure (counted). */
  otel_err_t (*export_records)(void *ctx, const otel_log_record_t *const *recs, size_t n);
  /* Optional. Pushes out anything the exporter buffered. */
  otel_err_t (*force_flush)(void *ctx, uint32_t timeout_ms);
  /* Called exactly once, last; frees ctx. */
  void (*shutdown)(void *ctx);
  /* Optional, from another thread when a shutdown's deadline passes: the
   * export in progress and every later one must return at once (an
   * error). Without it, a shutdown that times out leaves the processor's
   * thread to finish on its own (its data is then never freed). */
  void (*cancel)(void *ctx);
};

/* An exporter handle (opaque, as otel_span_exporter_t): made by the
 * create functions below, owned by whoever holds it until it is given to a
 * processor, which then owns it. */
typedef struct otel_log_exporter otel_log_exporter_t;

/* Wraps a custom exporter. Returns owned (give it to a processor), NULL on
 * OOM or when type has no export_records. */
OTEL_API otel_log_exporter_t *otel_log_exporter_create(const struct otel_log_exporter_type *type,
                                                       void *ctx);
/* Shuts down and frees an exporter that was never given to a processor.
 * NULL is a no-op. */
OTEL_API void otel_log_exporter_destroy(otel_log_exporter_t *e);

/* Keep a record beyond an export call: _retain takes one more reference
 * and returns rec; _release drops one (frees at zero). Thread-safe. NULL is
 * a no-op. (The same verbs as otel_span_data_* and otel_resource_*.) */
OTEL_API const otel_log_record_t *otel_log_record_retain(const otel_log_record_t *rec);
OTEL_API void otel_log_record_release(const otel_log_record_t *rec);

/* The OTLP exporter: otel_otlp_log_exporter_create (exporter_otlp.h). */

/* Console exporter: one line per record on stream (borrowed, must outlive
 * the exporter; NULL means stdout), in the format of the stderr mirror
 * followed by the attributes as key=value. Returns owned, NULL on OOM. */
OTEL_API otel_log_exporter_t *otel_console_log_exporter_create(FILE *stream);

/* In-memory exporter for tests and the workshop: keeps every exported
 * record. The store is reference-counted: create returns the caller's
 * reference (free with otel_memory_log_exporter_destroy); the exporter
 * made by _exporter() holds another, dropped at its shutdown, so the store
 * can be read after the provider is shut down. Thread-safe. */
typedef struct otel_memory_log_exporter otel_memory_log_exporter_t;
OTEL_API otel_err_t otel_memory_log_exporter_create(otel_memory_log_exporter_t **out);
/* Returns an exporter view of m (owned; it takes a reference on m), NULL
 * for a NULL m or on OOM. */
OTEL_API otel_log_exporter_t *otel_memory_log_exporter_exporter(otel_memory_log_exporter_t *m);
OTEL_API size_t otel_memory_log_exporter_count(otel_memory_log_exporter_t *m);
/* Returns the i-th record, borrowed: valid until _reset or _destroy of m
 * (and its logger/resource until the provider is destroyed); NULL past the end. */
OTEL_API const otel_log_record_t *otel_memory_log_exporter_get(otel_memory_log_exporter_t *m,
                                                               size_t i);
/* Forgets every stored record. */
OTEL_API void otel_memory_log_exporter_reset(otel_memory_log_exporter_t *m);
/* Drops the caller's reference. NULL is a no-op. */
OTEL_API void otel_memory_log_exporter_destroy(otel_memory_log_exporter_t *m);

/* ---- Processors -------------------------------------------------------------
 * Both processors put records in a bounded queue and export from a
 * background thread: emitting never waits for an exporter. When the queue
 * is full, the record is dropped and counted. Shutdown exports what is
 * queued (within its timeout), then shuts the exporter down. */
typedef struct otel_log_processor_stats {
  uint64_t queued;          /* accepted into the queue */
  uint64_t dropped;         /* queue full or after shutdown */
  uint64_t exported;        /* handed to an export that succeeded */
  uint64_t export_failed;   /* handed to an export that failed */
} otel_log_processor_stats_t;

struct otel_log_processor_type {
  const char *name;
  /* Called on the emitting thread for every record. Must not block. rec is
   * borrowed: a processor keeping it takes a reference. */
  void (*on_emit)(void *ctx, const otel_log_record_t *rec);
  /* Optional. Exports everything queued before the call, waiting at most
   * timeout_ms. OTEL_ETIMEDOUT when the time ran out. */
  otel_err_t (*force_flush)(void *ctx, uint32_t timeout_ms);
  /* Called once: flushes (bounded by timeout_ms), stops, frees ctx. */
  otel_err_t (*shutdown)(void *ctx, uint32_t timeout_ms);
  /* Optional. Counters since creation. */
  void (*get_stats)(void *ctx, otel_log_processor_stats_t *out);
};

/* A processor handle (opaque, as otel_span_processor_t), owned by the
 * caller until given to otel_logger_provider_add_processor. */
typedef struct otel_log_processor otel_log_processor_t;

/* Wraps a custom processor (on_emit and shutdown required). Returns owned,
 * NULL on OOM or an incomplete type. */
OTEL_API otel_log_processor_t *otel_log_processor_create(const struct otel_log_processor_type *type,
                                                         void *ctx);

/* Batch processor options. otel_batch_log_processor_options_init fills the
 * spec defaults, then the OTEL_BLRP_* environment. */
typedef struct otel_batch_log_processor_options {
  uint32_t schedule_delay_ms;     /* 1000, OTEL_BLRP_SCHEDULE_DELAY */
  size_t max_queue_size;          /* 2048, OTEL_BLRP_MAX_QUEUE_SIZE */
  size_t max_export_batch_size;   /* 512, OTEL_BLRP_MAX_EXPORT_BATCH_SIZE (<= queue) */
  /* 30000, OTEL_BLRP_EXPORT_TIMEOUT. The bound the processor waits for one
   * export at flush/shutdown; the exporter enforces its own send timeout. */
  uint32_t export_timeout_ms;
} otel_batch_log_processor_options_t;

OTEL_API void otel_batch_log_processor_options_init(otel_batch_log_processor_options_t *o);

/* Creates a batch processor exporting through exporter. Takes ownership of
 * exporter, even on error (it is then shut down). opts NULL = defaults+env.
 * Sets *out (owned) on success. Errors: OTEL_EINVAL (NULL exporter),
 * OTEL_ENOMEM. */
OTEL_API otel_err_t otel_batch_log_processor_create(otel_log_exporter_t *exporter,
                                                    const otel_batch_log_processor_options_t *opts,
                                                    otel_log_processor_t **out);

/* Creates a simple processor: each record is exported on its own, as soon
 * as possible, from a background thread (queue of 2048; never blocks the
 * emitting thread). Takes ownership of exporter, even on error. */
OTEL_API otel_err_t otel_simple_log_processor_create(otel_log_exporter_t *exporter,
                                                     otel_log_processor_t **out);

/* Counters of a processor (zeroes when it has no stats slot). The processor
 * must be alive (i.e. its provider not destroyed). */
OTEL_API void otel_log_processor_get_stats(otel_log_processor_t *p,
                                           otel_log_processor_stats_t *out);

/* ---- LoggerProvider ----------------------------------------------------- */
typedef struct otel_logger_provider_options {
  /* Borrowed; the provider takes a reference. NULL = no resource. */
  otel_resource_t *resource;
  /* Minimum severity of new loggers. INFO; OTEL_LOGS_MIN_SEVERITY. */
  otel_severity_t min_severity;
  /* Mirror every record to mirror_stream as one line. false;
   * OTEL_LOGS_MIRROR_STDERR. */
  bool mirror_stderr;
  FILE *mirror_stream;   /* borrowed; NULL = stderr */
  size_t max_body_bytes; /* OTEL_LOG_BODY_MAX_DEFAULT; OTEL_LOGS_MAX_BODY_BYTES */
  size_t max_attributes; /* 128; OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT */
} otel_logger_provider_options_t;

/* Fills o with the defaults, then the environment. */
OTEL_API void otel_logger_provider_options_init(otel_logger_provider_options_t *o);

/* Creates a provider with no processor (add them with _add_processor).
 * opts NULL = defaults+env. Returns owned via *out (NULL on error); free
 * with otel_logger_provider_destroy. Errors: OTEL_ENOMEM. */
OTEL_API otel_err_t otel_logger_provider_create(const otel_logger_provider_options_t *opts,
                                                otel_logger_provider_t **out);

/* The one-call setup: resource (borrowed, referenced; may be NULL),
 * options from the environment, and the exporter OTEL_LOGS_EXPORTER names:
 * otlp (default; batch processor, OTEL_EXPORTER_OTLP_* options), console
 * (simple processor, stdout) or none (no processor: records still reach the
 * stderr mirror when enabled). OTEL_SDK_DISABLED=true behaves as none.
 * Returns owned via *out. Errors: OTEL_ECONFIG (unknown exporter name),
 * OTEL_EINVAL, OTEL_ENOMEM. */
OTEL_API otel_err_t otel_logger_provider_create_from_env(otel_resource_t *resource,
                                                         otel_logger_provider_t **out);

/* Adds a processor; records go to processors in the order added. Takes
 * ownership of p, even on error. Setup only: not thread-safe with emits.
 * Errors: OTEL_EFULL (more than 8), OTEL_ESHUTDOWN, OTEL_EINVAL. */
OTEL_API otel_err_t otel_logger_provider_add_processor(otel_logger_provider_t *lp,
                                                       otel_log_processor_t *p);

/* Returns the logger of this scope (name copied, a NULL name becomes "";
 * version copied, may be NULL), the same one for the same name and
 * version, like otel_tracer_provider_get_tracer and
 * otel_meter_provider_get_meter. Borrowed: valid until
 * otel_logger_provider_destroy. Thread-safe. NULL for a NULL provider or
 * when out of memory: the logs API accepts a NULL logger (records are
 * dropped). */
OTEL_API otel_logger_t *otel_logger_provider_get_logger(otel_logger_provider_t *lp,
                                                        const char *name, const char *version);

/* Flushes every processor, waiting at most timeout_ms in total. */
OTEL_API otel_err_t otel_logger_provider_force_flush(otel_logger_provider_t *lp,
                                                     uint32_t timeout_ms);
/* Shuts every processor down (flushing first), once; later emits are
 * dropped. Second call: OTEL_ESHUTDOWN. */
OTEL_API otel_err_t otel_logger_provider_shutdown(otel_logger_provider_t *lp,
                                                  uint32_t timeout_ms);
/* Shuts down if needed (5 s timeout), frees the provider and its loggers.
 * NULL is a no-op. */
OTEL_API void otel_logger_provider_destroy(otel_logger_provider_t *lp);

/* ---- Logger: emitting records ------------------------------------------- */

/* Full control over one record. Zero-initialise, then set what you need. */
typedef struct otel_log_record_options {
  uint64_t timestamp_ns;          /* event time; 0 = not known */
  uint64_t observed_timestamp_ns; /* 0 = now */
  otel_severity_t severity;
  const char *severity_text;      /* copied; NULL = otel_severity_name(severity) */
  const char *body;               /* copied (truncated to the limit); NULL = none */
  const otel_attr_t *attrs;       /* copied (deep) */
  size_t attr_count;
  const char *event_name;         /* copied; NULL = none */
  /* Trace correlation: NULL = the current span of this thread (none: empty
   * ids); otherwise copied from here. */
  const otel_span_context_t *span_context;
} otel_log_record_options_t;

/* Emits one record built from opts (borrowed, everything copied). Records
 * below the logger's minimum severity are ignored, except severity 0
 * (unspecified), which always passes. Never blocks, never fails the caller:
 * NULL logger/opts are no-ops. Thread-safe. */
OTEL_API void otel_logger_emit(otel_logger_t *logger, const otel_log_record_options_t *opts);

/* True when a record of this severity would be emitted. */
OTEL_API bool otel_logger_is_enabled(const otel_logger_t *logger, otel_severity_t sev);
/* Changes the logger's minimum severity. Thread-safe (atomic). */
OTEL_API void otel_logger_set_min_severity(otel_logger_t *logger, otel_severity_t sev);

/* printf-style: body = the formatted message (truncated to the body limit),
 * severity text = "DEBUG"/"INFO"/..., timestamp = observed = now, span
 * context from the current span. Nothing is formatted when the severity is
 * below the logger's minimum. Thread-safe; NULL logger is a no-op. */
#define OTEL__PRINTF(f, a) __attribute__((format(printf, f, a)))
OTEL_API void otel_log(otel_logger_t *logger, otel_severity_t sev, const char *fmt, ...)
    OTEL__PRINTF(3, 4);
OTEL_API void otel_logv(otel_logger_t *logger, otel_severity_t sev, const char *fmt,
                        va_list ap) OTEL__PRINTF(3, 0);
OTEL_API void otel_log_trace(otel_logger_t *logger, const char *fmt, ...) OTEL__PRINTF(2, 3);
OTEL_API void otel_log_debug(otel_logger_t *logger, const char *fmt, ...) OTEL__PRINTF(2, 3);
OTEL_API void otel_log_info(otel_logger_t *logger, const char *fmt, ...) OTEL__PRINTF(2, 3);
OTEL_API void otel_log_warn(otel_logger_t *logger, const char *fmt, ...) OTEL__PRINTF(2, 3);
OTEL_API void otel_log_error(otel_logger_t *logger, const char *fmt, ...) OTEL__PRINTF(2, 3);
OTEL_API void otel_log_fatal(otel_logger_t *logger, const char *fmt, ...) OTEL__PRINTF(2, 3);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_LOGS_H */
