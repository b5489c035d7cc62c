/* SPDX-License-Identifier: Apache-2.0
 *
 * trace.h: the tracing API and SDK (specification: "Tracing API" and
 * "Tracing SDK"): TracerProvider, Tracer, Span, samplers, span processors
 * and span exporters.
 *
 *   otel_tracer_t *tracer = otel_tracer_provider_get_tracer(tp, "my.lib", "1.0");
 *   OTEL_SCOPED_SPAN(span, tracer, "calculating-iss-distance");  // ends at '}'
 *   otel_span_set_attribute_str(span, "iss.position", "51.5,-0.1");
 *
 * Context: the current span is thread-local. Starting a span makes it the
 * current span of the calling thread until it ends (unless the options say
 * otherwise); a span started with no explicit parent is a child of the
 * current span. Calls on NULL or non-recording spans do nothing.
 *
 * Span handles: otel_span_end() releases the caller's handle; using the
 * handle after that is like using freed memory. Never end an
 * OTEL_SCOPED_SPAN by hand: the end of its block ends it.
 */
#ifndef OTEL_TRACE_H
#define OTEL_TRACE_H

#include "otel/common.h"
#include "otel/resource.h"
#include "otel/span_context.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum otel_span_kind {
  OTEL_SPAN_KIND_INTERNAL = 1, /* values are the OTLP ones */
  OTEL_SPAN_KIND_SERVER = 2,
  OTEL_SPAN_KIND_CLIENT = 3,
  OTEL_SPAN_KIND_PRODUCER = 4,
  OTEL_SPAN_KIND_CONSUMER = 5
} otel_span_kind_t;

typedef enum otel_span_status {
  OTEL_SPAN_STATUS_UNSET = 0,
  OTEL_SPAN_STATUS_OK = 1,
  OTEL_SPAN_STATUS_ERROR = 2
} otel_span_status_t;

typedef struct otel_tracer_provider otel_tracer_provider_t;
typedef struct otel_tracer otel_tracer_t;
typedef struct otel_span otel_span_t;
typedef struct otel_sampler otel_sampler_t;
typedef struct otel_span_processor otel_span_processor_t;
typedef struct otel_span_exporter otel_span_exporter_t;

/* ---- Finished span data (what processors and exporters read) ------------ */

typedef struct otel_span_event {
  const char *name;
  uint64_t time_ns;
  const otel_attr_t *attrs;
  size_t attr_count;
  uint32_t dropped_attrs;
} otel_span_event_t;

typedef struct otel_span_link_data {
  otel_span_context_t context;
  const char *trace_state; /* NULL if none */
  const otel_attr_t *attrs;
  size_t attr_count;
  uint32_t dropped_attrs;
} otel_span_link_data_t;

/* A span's recorded data. Every pointer is owned by the span and valid
 * while a reference to it is held (otel_span_data_retain/_release). Its
 * strings (name, attribute keys and values, event names, trace states,
 * status description) are valid UTF-8: the span replaced each byte of the
 * caller's text that was not with U+FFFD when it copied it. */
typedef struct otel_span_data {
  otel_span_context_t context;
  uint8_t parent_span_id[8];  /* all zero for a root span */
  bool parent_is_remote;
  const char *name;
  otel_span_kind_t kind;
  uint64_t start_time_ns;
  uint64_t end_time_ns;       /* 0 while the span runs */
  const otel_attr_t *attrs;
  size_t attr_count;
  uint32_t dropped_attrs;
  const otel_span_event_t *events;
  size_t event_count;
  uint32_t dropped_events;
  const otel_span_link_data_t *links;
  size_t link_count;
  uint32_t dropped_links;
  otel_span_status_t status;
  const char *status_description; /* NULL unless status is ERROR */
  const char *trace_state;        /* NULL if none */
  const otel_resource_t *resource;
  const char *scope_name;
  const char *scope_version;
} otel_span_data_t;

/* Takes one more reference on finished span data (thread-safe). */
OTEL_API const otel_span_data_t *otel_span_data_retain(const otel_span_data_t *d);
/* Drops one reference; the span is freed with the last. NULL is a no-op. */
OTEL_API void otel_span_data_release(const otel_span_data_t *d);

/* ---- Span limits ---------------------------------------------------------*/
typedef struct otel_span_limits {
  uint32_t attribute_count;        /* 128; OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT */
  uint32_t attribute_value_length; /* 0 = unlimited; OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT */
  uint32_t event_count;            /* 128; OTEL_SPAN_EVENT_COUNT_LIMIT */
  uint32_t link_count;             /* 128; OTEL_SPAN_LINK_COUNT_LIMIT */
  uint32_t event_attribute_count;  /* 128; OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT */
  uint32_t link_attribute_count;   /* 128; OTEL_LINK_ATTRIBUTE_COUNT_LIMIT */
} otel_span_limits_t;

/* Fills the specification defaults, then the environment. */
OTEL_API void otel_span_limits_init(otel_span_limits_t *limits);

/* ---- Samplers ------------------------------------------------------------*/
typedef enum otel_sampling_decision {
  OTEL_SAMPLING_DROP = 0,
  OTEL_SAMPLING_RECORD_ONLY,
  OTEL_SAMPLING_RECORD_AND_SAMPLE
} otel_sampling_decision_t;

/* A custom sampling function. parent is NULL for a root span. */
typedef otel_sampling_decision_t (*otel_sampler_cb)(
    void *user_data, const otel_span_context_t *parent, const uint8_t trace_id[16],
    const char *name, otel_span_kind_t kind, const otel_attr_t *attrs, size_t n);

/* Each returns an owned sampler (free with otel_sampler_destroy, or give it
 * to a provider, which then owns it), or NULL when out of memory. */
OTEL_API otel_sampler_t *otel_sampler_always_on(void);
OTEL_API otel_sampler_t *otel_sampler_always_off(void);
/* ratio outside [0, 1] is clamped. */
OTEL_API otel_sampler_t *otel_sampler_traceidratio(double ratio);
/* Takes ownership of root (even on error). The four parent cases use the
 * specification defaults (remote/local sampled: always_on; not sampled:
 * always_off). */
OTEL_API otel_sampler_t *otel_sampler_parentbased(otel_sampler_t *root);
OTEL_API otel_sampler_t *otel_sampler_custom(otel_sampler_cb cb, void *user_data,
                                             const char *description);
/* From OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG; default
 * parentbased_always_on; an invalid value is reported and the default used. */
OTEL_API otel_sampler_t *otel_sampler_from_env(void);
OTEL_API otel_sampling_decision_t otel_sampler_should_sample(
    const otel_sampler_t *s, const otel_span_context_t *parent, const uint8_t trace_id[16],
    const char *name, otel_span_kind_t kind, const otel_attr_t *attrs, size_t n);
/* Returns the static/owned description, e.g. "TraceIdRatioBased{0.500000}". */
OTEL_API const char *otel_sampler_description(const otel_sampler_t *s);
OTEL_API void otel_sampler_destroy(otel_sampler_t *s);

/* ---- Exporters -----------------------------------------------------------
 * An exporter is a const type (the functions) plus a context. export() is
 * called serially (never concurrently) from the processor's thread; the
 * spans are borrowed for the call (retain those you keep). */
struct otel_span_exporter_type {
  const char *name;
  otel_err_t (*export_spans)(void *ctx, const otel_span_data_t *const *spans, size_t n);
  otel_err_t (*force_flush)(void *ctx, uint32_t timeout_ms); /* NULL: no-op */
  void (*shutdown)(void *ctx); /* called once; frees ctx. NULL: nothing */
  /* Optional, from another thread when a shutdown's deadline passes: the
   * export in progress and every later one must return at once (an
   * error). Without it, a shutdown that times out leaves the processor's
   * thread to finish on its own (its data is then never freed). */
  void (*cancel)(void *ctx);
};

/* Wraps a custom exporter. Returns owned (give it to a processor), NULL on OOM. */
OTEL_API otel_span_exporter_t *otel_span_exporter_create(
    const struct otel_span_exporter_type *type, void *ctx);
/* Shuts down and frees an exporter that was never given to a processor. */
OTEL_API void otel_span_exporter_destroy(otel_span_exporter_t *e);

/* In-memory exporter for tests and the workshop: keeps every exported span. */
OTEL_API otel_span_exporter_t *otel_memory_span_exporter_create(void);
/* Number of spans kept so far (thread-safe). */
OTEL_API size_t otel_memory_span_exporter_count(otel_span_exporter_t *e);
/* The i-th span kept (borrowed, valid until _reset or destroy), or NULL. */
OTEL_API const otel_span_data_t *otel_memory_span_exporter_get(otel_span_exporter_t *e, size_t i);
/* Finds the first kept span with this name (borrowed), or NULL. */
OTEL_API const otel_span_data_t *otel_memory_span_exporter_find(otel_span_exporter_t *e,
                                                                const char *name);
/* Forgets every kept span. */
OTEL_API void otel_memory_span_exporter_reset(otel_span_exporter_t *e);

/* Console exporter: one readable block per span on out (borrowed; stdout if
 * NULL), like the Python SDK's ConsoleSpanExporter. */
OTEL_API otel_span_exporter_t *otel_console_span_exporter_create(FILE *out);

/* The OTLP exporter: otel_otlp_span_exporter_create (exporter_otlp.h). */

/* ---- Processors ----------------------------------------------------------*/
typedef struct otel_batch_span_processor_options {
  uint32_t max_queue_size;        /* 2048; OTEL_BSP_MAX_QUEUE_SIZE */
  uint32_t schedule_delay_ms;     /* 5000; OTEL_BSP_SCHEDULE_DELAY */
  uint32_t max_export_batch_size; /* 512; OTEL_BSP_MAX_EXPORT_BATCH_SIZE (<= queue) */
  uint32_t export_timeout_ms;     /* 30000; OTEL_BSP_EXPORT_TIMEOUT */
} otel_batch_span_processor_options_t;

/* Fills the specification defaults, then the OTEL_BSP_* environment. */
OTEL_API void otel_batch_span_processor_options_init(otel_batch_span_processor_options_t *o);

/* Batch processor: ended spans go into a bounded queue (a full queue drops
 * and counts, never blocks) exported by a background thread. Takes
 * ownership of exporter (even on error). opts NULL: defaults + env. */
OTEL_API otel_err_t otel_batch_span_processor_create(
    otel_span_exporter_t *exporter, const otel_batch_span_processor_options_t *opts,
    otel_span_processor_t **out);

/* Simple processor: exports each sampled span when it ends, on the thread
 * that ends it (serialised). For tests, debugging and the console. Takes
 * ownership of exporter (even on error). */
OTEL_API otel_err_t otel_simple_span_processor_create(otel_span_exporter_t *exporter,
                                                      otel_span_processor_t **out);

/* Counters of a processor (thread-safe reads); the same names as
 * otel_log_processor_stats_t. */
typedef struct otel_span_processor_stats {
  uint64_t queued;        /* spans accepted */
  uint64_t dropped;       /* spans dropped because the queue was full */
  uint64_t exported;      /* spans handed to an export that succeeded */
  uint64_t export_failed; /* spans handed to an export that failed */
} otel_span_processor_stats_t;
OTEL_API void otel_span_processor_get_stats(otel_span_processor_t *p,
                                            otel_span_processor_stats_t *out);

/* A custom processor: a const type plus a context. on_start and on_end run
 * on the thread that starts/ends the span and must not block. on_end gets a
 * reference to the data that it must release (otel_span_data_release). */
struct otel_span_processor_type {
  const char *name;
  void (*on_start)(void *ctx, otel_span_t *span);                       /* NULL: nothing */
  void (*on_end)(void *ctx, const otel_span_data_t *span);              /* required */
  otel_err_t (*force_flush)(void *ctx, uint32_t timeout_ms);            /* NULL: no-op */
  otel_err_t (*shutdown)(void *ctx, uint32_t timeout_ms);               /* once; frees ctx */
  void (*get_stats)(void *ctx, otel_span_processor_stats_t *out);       /* NULL: zeros */
};
OTEL_API otel_span_processor_t *otel_span_processor_create(
    const struct otel_span_processor_type *type, void *ctx);

/* ---- TracerProvider and Tracer --------------------------------------------*/
typedef struct otel_tracer_provider_options {
  otel_resource_t *resource; /* a reference is taken; NULL: otel_resource_create(NULL, 0) */
  otel_sampler_t *sampler;   /* ownership taken; NULL: otel_sampler_from_env() */
  otel_span_limits_t limits; /* otel_span_limits_init() */
} otel_tracer_provider_options_t;

OTEL_API void otel_tracer_provider_options_init(otel_tracer_provider_options_t *o);

/* Returns owned via *out; destroy with otel_tracer_provider_destroy. On
 * error the sampler is still owned (freed). */
OTEL_API otel_err_t otel_tracer_provider_create(const otel_tracer_provider_options_t *o,
                                                otel_tracer_provider_t **out);
/* Takes ownership of p (even on error). At most 8 processors. Not
 * thread-safe with span creation: add processors before making spans. */
OTEL_API otel_err_t otel_tracer_provider_add_processor(otel_tracer_provider_t *tp,
                                                       otel_span_processor_t *p);
/* Returns the tracer for this instrumentation scope (same name and version:
 * same tracer), borrowed, valid until the provider is destroyed. Never NULL
 * for a non-NULL provider (a NULL name becomes ""). Thread-safe. */
OTEL_API otel_tracer_t *otel_tracer_provider_get_tracer(otel_tracer_provider_t *tp,
                                                        const char *name, const char *version);
OTEL_API otel_err_t otel_tracer_provider_force_flush(otel_tracer_provider_t *tp, uint32_t timeout_ms);
/* Flushes and shuts the processors down; once. Spans ended afterwards are
 * dropped. Returns the first processor error. */
OTEL_API otel_err_t otel_tracer_provider_shutdown(otel_tracer_provider_t *tp, uint32_t timeout_ms);
/* Shuts down (if not yet) and frees. All spans must have ended. NULL: no-op. */
OTEL_API void otel_tracer_provider_destroy(otel_tracer_provider_t *tp);
OTEL_API const otel_resource_t *otel_tracer_provider_resource(const otel_tracer_provider_t *tp);

/* A process-wide provider for code that has no handle (instrumentation
 * helpers). Borrowed: the caller keeps ownership and must set NULL before
 * destroying it. Default NULL (tracers from it are then no-op). */
OTEL_API void otel_tracer_provider_set_global(otel_tracer_provider_t *tp);
OTEL_API otel_tracer_provider_t *otel_tracer_provider_get_global(void);

/* ---- Spans ----------------------------------------------------------------*/
typedef struct otel_span_link {
  otel_span_context_t context;
  const char *trace_state;      /* borrowed, copied; may be NULL */
  const otel_attr_t *attrs;     /* borrowed, copied */
  size_t attr_count;
} otel_span_link_t;

typedef struct otel_span_start_options {
  otel_span_kind_t kind;                /* 0 means INTERNAL */
  otel_span_t *parent;                  /* explicit parent span (borrowed) */
  const otel_context_t *remote_parent;  /* parent in another process (borrowed) */
  bool root;                            /* ignore the current span: start a new trace */
  bool no_activate;                     /* do not make the new span current */
  uint64_t start_time_ns;               /* 0: now */
  const otel_attr_t *attrs;             /* copied; seen by the sampler */
  size_t attr_count;
  const otel_span_link_t *links;        /* copied */
  size_t link_count;
} otel_span_start_options_t;

/* Starts a span. opts may be NULL (INTERNAL, child of the current span,
 * made current). Parent precedence: parent, then a valid remote_parent,
 * then (unless root) the current span. Returns an owned handle, never NULL:
 * a non-recording span when not sampled, the tracer is NULL or the
 * provider is shut down (it still carries a valid context so it propagates).
 * End it with otel_span_end. */
OTEL_API otel_span_t *otel_tracer_start_span(otel_tracer_t *tracer, const char *name,
                                             const otel_span_start_options_t *opts);

/* Ends the span now (end_time_ns 0) or at end_time_ns, hands it to the
 * processors, restores the previous current span if this one was current,
 * and releases the handle. NULL is a no-op. */
OTEL_API void otel_span_end(otel_span_t *span);
OTEL_API void otel_span_end_at(otel_span_t *span, uint64_t end_time_ns);

OTEL_API bool otel_span_is_recording(const otel_span_t *span);
/* Returns the span's context (an invalid one for NULL). */
OTEL_API otel_span_context_t otel_span_get_context(const otel_span_t *span);
/* Returns the span's tracestate (borrowed, valid while the span lives) or NULL. */
OTEL_API const char *otel_span_get_trace_state(const otel_span_t *span);

/* Attributes: copied. A key set again replaces its value. Over the count
 * limit a new key is dropped and counted; strings are cut at the value
 * length limit (on a UTF-8 character boundary). */
OTEL_API void otel_span_set_attribute(otel_span_t *span, const otel_attr_t *attr);
OTEL_API void otel_span_set_attributes(otel_span_t *span, const otel_attr_t *attrs, size_t n);
OTEL_API void otel_span_set_attribute_str(otel_span_t *span, const char *key, const char *value);
OTEL_API void otel_span_set_attribute_int(otel_span_t *span, const char *key, int64_t value);
OTEL_API void otel_span_set_attribute_double(otel_span_t *span, const char *key, double value);
OTEL_API void otel_span_set_attribute_bool(otel_span_t *span, const char *key, bool value);

/* Events: name and attributes copied. time_ns 0: now. */
OTEL_API void otel_span_add_event(otel_span_t *span, const char *name,
                                  const otel_attr_t *attrs, size_t n);
OTEL_API void otel_span_add_event_at(otel_span_t *span, const char *name, uint64_t time_ns,
                                     const otel_attr_t *attrs, size_t n);
/* Adds an "exception" event (exception.type, exception.message) and sets
 * the status to ERROR with message as description. Strings copied. */
OTEL_API void otel_span_record_exception(otel_span_t *span, const char *type,
                                         const char *message);
/* Adds a link after start (copied). */
OTEL_API void otel_span_add_link(otel_span_t *span, const otel_span_link_t *link);

/* Status rules of the specification: OK is final; setting UNSET does
 * nothing; description is kept only with ERROR (copied). */
OTEL_API void otel_span_set_status(otel_span_t *span, otel_span_status_t status,
                                   const char *description);
OTEL_API void otel_span_update_name(otel_span_t *span, const char *name);

/* ---- Current span (thread-local context) ----------------------------------*/
/* The current span of this thread, borrowed (valid until it ends), or a
 * static non-recording span with an invalid context. Never NULL. */
OTEL_API otel_span_t *otel_span_current(void);
/* Fills *out with the current span's context; false when there is none. */
OTEL_API bool otel_current_span_context(otel_span_context_t *out);
/* The current span's tracestate (borrowed) or NULL. */
OTEL_API const char *otel_current_trace_state(void);
/* Makes span the current span of this thread until otel_span_deactivate
 * or its end. For spans started with no_activate. */
OTEL_API void otel_span_activate(otel_span_t *span);
OTEL_API void otel_span_deactivate(otel_span_t *span);
/* Forgets this thread's current span stack (servers reusing worker threads
 * call it when a request ends). */
OTEL_API void otel_context_reset_thread(void);

/* ---- Scoped spans ----------------------------------------------------------
 * OTEL_SCOPED_SPAN(var, tracer, "name") declares otel_span_t *var, started
 * as the current span and ended on every exit path of the enclosing block
 * (GCC/Clang cleanup attribute), like Python's
 * `with tracer.start_as_current_span("name") as var:`. */
static inline void otel__scoped_span_end(otel_span_t **span) { otel_span_end(*span); }

#define OTEL_SCOPED_SPAN(var, tracer, name)                                 \
  otel_span_t *var __attribute__((cleanup(otel__scoped_span_end))) =        \
      otel_tracer_start_span((tracer), (name), NULL)
#define OTEL_SCOPED_SPAN_OPTS(var, tracer, name, opts)                      \
  otel_span_t *var __attribute__((cleanup(otel__scoped_span_end))) =        \
      otel_tracer_start_span((tracer), (name), (opts))

/* ---- IDs ---------------------------------------------------------------- */
/* Random non-zero ids from a per-thread generator seeded by getrandom(),
 * reseeded after fork(). Thread-safe. */
OTEL_API void otel_generate_trace_id(uint8_t out[16]);
OTEL_API void otel_generate_span_id(uint8_t out[8]);

#ifdef __cplusplus
}
#endif
#endif /* OTEL_TRACE_H */
