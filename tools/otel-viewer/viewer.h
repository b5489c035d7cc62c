/* SPDX-License-Identifier: Apache-2.0
 *
 * viewer.h: what the files of otel-viewer (the local OTLP receiver and
 * terminal viewer) share. The data flows in one direction:
 *
 *   http_server.c / grpc_server.c   receive OTLP, decode to protobuf-c
 *        -> ingest.c                 turn requests into store records,
 *                                     append the JSON line, count rejects
 *        -> store.c                  bounded rings (traces, logs, metrics)
 *        -> render_*.c, query_api.c  read the store, make text or JSON
 *
 * Names are vw_* (one program, no library); everything else is static.
 * Strings in records are owned by the record (freed by the store).
 */
#ifndef OTEL_VIEWER_H
#define OTEL_VIEWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <protobuf-c/protobuf-c.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb-c.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

/* ---- records ------------------------------------------------------------ */

/* A protobuf message kept packed: a few hundred bytes in one allocation,
 * turned into OTLP JSON only when /api asks for it. (Building a cJSON tree
 * per span on arrival cost most of the viewer's time under load.) */
typedef struct vw_packed {
  uint8_t *data; /* malloc'd; NULL when packing ran out of memory */
  size_t len;
} vw_packed_t;

/* Where a record came from: its packed Resource and InstrumentationScope
 * (empty when the request had none). */
typedef struct vw_origin {
  vw_packed_t resource, scope;
} vw_origin_t;

/* One span as the viewer keeps it. */
typedef struct vw_span {
  uint8_t trace_id[16];
  uint8_t span_id[8];
  uint8_t parent_id[8];
  bool has_parent;        /* parent_id is not all zero */
  char *service;          /* resource service.name, "unknown_service" if none */
  char *name;
  int kind;               /* SpanKind number, 0..5 */
  uint64_t start_ns, end_ns;
  int status_code;        /* 0 unset, 1 ok, 2 error */
  char *status_message;   /* "" if none */
  char *attrs;            /* key attributes as "k=v k=v", "" if none */
  vw_packed_t pb;         /* the Span message, packed */
  vw_origin_t origin;     /* its resource and scope, packed */
  void *mem;              /* the block the strings and pb.data live in */
} vw_span_t;

/* One trace: its spans in arrival order. */
typedef struct vw_trace {
  uint8_t trace_id[16];
  vw_span_t *spans;
  size_t n_spans, cap_spans;
  bool root_seen;         /* a span without parent has arrived */
  uint64_t last_update_ns;/* monotonic time of the last span that arrived */
  uint64_t seq;           /* arrival order of the trace (for eviction) */
  uint64_t shown_spans;   /* how many spans the live view last printed */
} vw_trace_t;

typedef struct vw_log {
  uint64_t time_ns;       /* time_unix_nano, else observed_time_unix_nano */
  int severity_number;
  char *severity_text;
  char *service;
  char *body;             /* body as text (strings as is, others as JSON) */
  uint8_t trace_id[16];
  bool has_trace;
  uint8_t span_id[8];
  vw_packed_t pb;         /* the LogRecord message, packed */
  vw_origin_t origin;     /* its resource and scope, packed */
  void *mem;              /* the block the strings and pb.data live in */
  uint64_t seq;
} vw_log_t;

/* record_block.c: sets a record's strings (NULL taken as "") and packed
 * bytes, and the resource and scope bytes of origin (borrowed; NULL for
 * none), as copies in one new block, v->mem, which the store frees with
 * the record. Returns false when out of memory (nothing to free then). */
bool vw_span_fill(vw_span_t *v, const char *service, const char *name,
                  const char *status_message, const char *attrs, const uint8_t *pb,
                  size_t pb_len, const vw_origin_t *origin);
bool vw_log_fill(vw_log_t *l, const char *severity_text, const char *service, const char *body,
                 const uint8_t *pb, size_t pb_len, const vw_origin_t *origin);

typedef enum vw_metric_type {
  VW_METRIC_GAUGE = 0,
  VW_METRIC_SUM,
  VW_METRIC_HISTOGRAM,
  VW_METRIC_EXP_HISTOGRAM,
  VW_METRIC_SUMMARY
} vw_metric_type_t;

/* An exemplar of a data point: a sampled measurement and its span. */
typedef struct vw_exemplar {
  double value;
  uint64_t time_ns;
  uint8_t trace_id[16], span_id[8];
  bool has_trace;
} vw_exemplar_t;

#define VW_RING 120        /* points of history kept per stream */
#define VW_MAX_EXEMPLARS 4 /* exemplars kept per point */

/* One point of a stream's history. */
typedef struct vw_point {
  uint64_t start_ns, time_ns;
  double value;           /* gauge/sum */
  uint64_t count;         /* histogram */
  double sum;
  uint64_t *buckets;      /* histogram: n_buckets counts (malloc'd, owned), else NULL */
  size_t n_buckets;
  vw_exemplar_t exemplars[VW_MAX_EXEMPLARS];
  size_t n_exemplars;
} vw_point_t;

/* Latest point of one metric stream (service, name, attribute set), and
 * its history: a ring of at most VW_RING points. */
typedef struct vw_metric {
  char *service;
  char *name;
  char *unit;
  char *attrs;            /* attribute set as "k=v k=v" (the stream key) */
  vw_metric_type_t type;
  bool is_int;            /* gauge/sum: the value was as_int */
  int64_t int_value;
  double value;           /* gauge/sum value (as double too when is_int) */
  uint64_t count;         /* histogram/summary */
  double sum;
  double p50, p99;        /* histogram: estimated from buckets; NAN if none */
  uint64_t time_ns;
  cJSON *json;            /* OTLP JSON of the data point plus metric fields */
  uint64_t seq;           /* last update order (for eviction) */
  bool monotonic;         /* sum: is_monotonic (a counter) */
  int temporality;        /* sum/histogram: 1 delta, 2 cumulative, 0 unset */
  double *bounds;         /* histogram: explicit bounds (malloc'd, owned) */
  size_t n_bounds;
  char *resource_attrs;   /* resource attributes as "k=v k=v" (owned; for /metrics) */
  vw_point_t point;       /* ingest: the new point; put_metric moves it into ring */
  vw_point_t *ring;       /* history (owned), oldest at ring_head; index it
                             (ring_head + i) % VW_RING */
  size_t ring_len, ring_head, ring_cap;
} vw_metric_t;

/* ---- store.c: bounded stores with one mutex ----------------------------- */

typedef struct vw_store vw_store_t;

/* Limits: at most max_traces traces (oldest evicted; at most
 * VW_MAX_SPANS_PER_TRACE spans each), max_logs log records, max_metrics
 * metric streams. Returns NULL when out of memory. */
#define VW_MAX_SPANS_PER_TRACE 1000
vw_store_t *vw_store_create(size_t max_traces, size_t max_logs,
                            size_t max_metrics);
void vw_store_destroy(vw_store_t *s);

/* Each add takes ownership of the record (a span's or log's mem block, a
 * metric's strings and json): the caller's struct is copied; do not free
 * its members afterwards. */
void vw_store_add_span(vw_store_t *s, vw_span_t *span);
/* The n spans of a request under one lock (the array itself stays the
 * caller's). */
void vw_store_add_spans(vw_store_t *s, vw_span_t *spans, size_t n);
void vw_store_add_log(vw_store_t *s, vw_log_t *log);
/* Takes over the stream's history: m->point is appended to the ring of the
 * stream's earlier points (kept from the stored copy; started again when
 * the bucket layout changed). */
void vw_store_put_metric(vw_store_t *s, vw_metric_t *m);

/* Counters kept next to the data, for /api/stats. */
typedef struct vw_stats {
  uint64_t requests, spans, logs, points, rejected, bad_requests;
  uint64_t evicted_traces, evicted_logs, evicted_metrics, dropped_spans;
} vw_stats_t;
void vw_store_count(vw_store_t *s, const vw_stats_t *delta);

/* Readers run under the store lock: the callback must not call the store.
 * Traces/logs are visited oldest first. */
typedef void (*vw_trace_cb)(const vw_trace_t *t, void *ud);
typedef void (*vw_log_cb)(const vw_log_t *l, void *ud);
typedef void (*vw_metric_cb)(const vw_metric_t *m, void *ud);
void vw_store_each_trace(vw_store_t *s, vw_trace_cb cb, void *ud);
void vw_store_each_log(vw_store_t *s, vw_log_cb cb, void *ud);
void vw_store_each_metric(vw_store_t *s, vw_metric_cb cb, void *ud);
vw_stats_t vw_store_stats(vw_store_t *s);
/* The change counter (grows on every stored item) and, when stats is not
 * NULL, the counters. */
uint64_t vw_store_seq(vw_store_t *s, vw_stats_t *stats);

/* For the pages: the same, as one array (valid during the callback only).
 * read_traces: every trace, oldest first. read_trace: the trace with that
 * id (NULL when unknown) and its log records, oldest first. read_logs:
 * every log record, oldest first. */
typedef void (*vw_traces_cb)(const vw_trace_t *const *v, size_t n, void *ud);
typedef void (*vw_trace_logs_cb)(const vw_trace_t *t, const vw_log_t *const *logs, size_t n,
                                 void *ud);
typedef void (*vw_logs_cb)(const vw_log_t *const *v, size_t n, void *ud);
void vw_store_read_traces(vw_store_t *s, vw_traces_cb cb, void *ud);
void vw_store_read_trace(vw_store_t *s, const uint8_t id[16], vw_trace_logs_cb cb, void *ud);
void vw_store_read_logs(vw_store_t *s, vw_logs_cb cb, void *ud);
/* Every metric stream, in slot order. */
typedef void (*vw_metrics_cb)(const vw_metric_t *const *v, size_t n, void *ud);
void vw_store_read_metrics(vw_store_t *s, vw_metrics_cb cb, void *ud);
/* Every metric stream and every log record (oldest first), under one lock. */
typedef void (*vw_metrics_logs_cb)(const vw_metric_t *const *m, size_t n,
                                   const vw_log_t *const *logs, size_t n_logs, void *ud);
void vw_store_read_metrics_logs(vw_store_t *s, vw_metrics_logs_cb cb, void *ud);

/* Live view support: calls cb for each trace that is ready to be shown
 * (root span arrived, or no new span for quiet_ns) and has spans the view
 * has not printed yet, then marks them printed. Also calls log_cb for logs
 * with seq > *log_seq and metrics_changed once, with every stream, when
 * any metric changed since *metric_seq (metrics_changed may be NULL: then
 * the metric cursor is left alone); updates both cursors. */
void vw_store_poll_new(vw_store_t *s, uint64_t now_ns, uint64_t quiet_ns,
                       vw_trace_cb cb, uint64_t *log_seq, vw_log_cb log_cb,
                       uint64_t *metric_seq,
                       void (*metrics_changed)(const vw_metric_t *const *m,
                                               size_t n, void *ud),
                       void *ud);

/* Whether a trace is ready for display: root seen, or quiet for quiet_ns. */
bool vw_trace_ready(const vw_trace_t *t, uint64_t now_ns, uint64_t quiet_ns);

/* ---- otlp_json.c: protobuf-c message -> OTLP JSON ------------------------ */

/* Encodes any message of the OTLP protos in the OTLP/JSON encoding:
 * lowerCamelCase keys, traceId/spanId/parentSpanId as lowercase hex, other
 * bytes as base64, enums as integers, 64-bit integers as strings, fields at
 * their default value left out (proto2 optional fields: when present).
 * Returns a new cJSON object (caller frees with cJSON_Delete), NULL on OOM. */
cJSON *vw_pb_to_json(const ProtobufCMessage *msg);

/* Packs msg into a new buffer (the caller frees .data). */
vw_packed_t vw_pack(const ProtobufCMessage *msg);
/* The OTLP JSON of a packed message of type desc plus "service": a new
 * cJSON object (caller frees), NULL when it cannot be unpacked or on OOM. */
cJSON *vw_packed_json(const vw_packed_t *p, const ProtobufCMessageDescriptor *desc,
                      const char *service);

/* OTLP JSON of a Resource message (NULL: none), with an "attributes" key
 * even when empty. A new object (caller frees), NULL on OOM. */
cJSON *vw_resource_json(const ProtobufCMessage *resource);
/* Adds "resource" ({"attributes":[...]}, OTLP JSON) and "scope" (the
 * InstrumentationScope's OTLP JSON) of o to obj. False on OOM or bytes
 * that do not unpack (then nothing was added). */
bool vw_add_origin_json(cJSON *obj, const vw_origin_t *o);

/* ---- pb_decode.c: OTLP/protobuf -> protobuf-c structs, in one pass ------ */

typedef enum vw_pb_status {
  VW_PB_OK = 0,
  VW_PB_MALFORMED, /* not the protobuf encoding of the message (framing, wire types) */
  VW_PB_TOO_DEEP,  /* messages nested deeper than max_depth */
  VW_PB_TOO_LARGE, /* decoding would take more than max_bytes */
  VW_PB_BAD_UTF8,  /* a string field is not UTF-8 (only when all else was good) */
  VW_PB_BUSY,      /* take refused more of the pool */
  VW_PB_NO_MEMORY  /* malloc failed */
} vw_pb_status_t;

typedef struct vw_pb_limits {
  int max_depth;    /* the request is depth 1 */
  size_t max_bytes; /* of arena (structs, arrays, strings, bytes; 8-byte rounded) */
  /* called to draw n more bytes from the caller's pool before the arena
   * hands them out (NULL: no pool); false refuses (VW_PB_BUSY) */
  bool (*take)(void *ctx, size_t n);
  void *ctx;
} vw_pb_limits_t;

typedef struct vw_pb_result {
  ProtobufCMessage *msg; /* VW_PB_OK: the request, in this thread's arena */
  int depth;             /* deepest message seen (the request is 1) */
  size_t used;           /* arena bytes the request took (up to the failure) */
  size_t reserved;       /* bytes drawn through take, whatever the status: the
                            caller gives them back */
  const char *bad_message, *bad_field; /* VW_PB_BAD_UTF8: where (short names) */
} vw_pb_result_t;

/* Decodes data as a message of type desc into protobuf-c's structs within
 * lim (see pb_decode.c for what is accepted). On VW_PB_OK out->msg stays
 * valid until vw_pb_arena_reset() on the same thread (never
 * free_unpacked() it); on any other status nothing is kept. */
vw_pb_status_t vw_pb_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                            size_t len, const vw_pb_limits_t *lim, vw_pb_result_t *out);
/* Frees what this thread's decoded request took (keeps one block). */
void vw_pb_arena_reset(void);

/* ---- request limits (pb_decode.c, otlp_json_decode.c, request_decode.c) -- */

/* The deepest nesting of messages a request may have, the request itself
 * counting as 1: an attribute of a span is at depth 6 (request,
 * ResourceSpans, ScopeSpans, Span, KeyValue, AnyValue) and each AnyValue
 * array or kvlist inside it adds 2, so span attributes may hold arrays
 * nested 13 deep, log bodies 13, exemplar attributes 11. Not 64: protobuf-c
 * takes about 1 KiB of stack per level, and a civetweb worker thread on
 * Debian has 100 KiB of which 23 KiB are in use when the handler starts
 * (bench/bench_viewer_decode.c measures both); the stored records are
 * unpacked again on those threads when a page shows them. JSON bodies get
 * the same limit (and their text at most 2 x VW_MAX_NESTING brackets). */
#define VW_MAX_NESTING 32

/* Once decoded, a request may take at most VW_DECODED_PER_BODY_BYTE bytes
 * (in protobuf-c's structs, or cJSON's tree and the message) per byte of
 * its body, counting small bodies as 64 KiB, and never more than
 * VW_DECODED_PER_MAX_BODY x --max-body (128 MiB for the default 16 MiB).
 * Measured by bench/bench_viewer_decode.c: the app's own exports take
 * about 5 bytes per byte, the densest real OTLP (a span of one-letter
 * boolean attributes) 19; 8 MiB of empty spans would take 140 per byte,
 * 1.1 GB. len is the body's length (after gunzip). */
#define VW_DECODED_PER_BODY_BYTE 32
#define VW_DECODED_PER_MAX_BODY 8
size_t vw_decode_budget(size_t len, size_t max_body);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void vw_hex(const uint8_t *b, size_t n, char *out);

/* ---- otlp_json_decode.c: OTLP JSON -> protobuf-c message ----------------- */

/* Parses json (len bytes, not NUL-terminated) as a message of type desc,
 * accepting lowerCamelCase and snake_case keys, integers as numbers or
 * strings, enums as numbers or names, ids as hex. Unknown keys are ignored
 * (as the OTLP spec asks). Limits: messages nested at most VW_MAX_NESTING
 * deep, brackets 2 x VW_MAX_NESTING, and at most max_bytes for cJSON's
 * tree (estimated from the text before parsing) and the message together.
 * Returns a message to free with protobuf_c_message_free_unpacked(msg,
 * NULL), or NULL with a short reason in err (static string) when the input
 * is not valid; *too_large (may be NULL) is set when the reason is
 * max_bytes. */
ProtobufCMessage *vw_json_to_pb(const ProtobufCMessageDescriptor *desc,
                                const char *json, size_t len, size_t max_bytes,
                                const char **err, bool *too_large);

/* ---- utf8_check.c: strings a Collector would refuse ---------------------- */

/* True when some string field anywhere in m is not valid UTF-8; the error
 * message, naming the field ("... (KeyValue.key)"), goes into msg (size
 * bytes). The transports then refuse the request whole, as the Collector
 * does. */
/* Whether s[0..len) is UTF-8 by RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF (what protobuf-go accepts). */
bool vw_utf8_valid(const uint8_t *s, size_t len);
bool vw_find_invalid_utf8(const ProtobufCMessage *m, char *msg, size_t size);

/* ---- request_decode.c: a request body -> message, within the limits ---- */

/* The three signals, for the transports. */
typedef enum vw_signal { VW_TRACES = 0, VW_METRICS, VW_LOGS } vw_signal_t;
const ProtobufCMessageDescriptor *vw_request_descriptor(vw_signal_t sig);

typedef enum vw_decode_status {
  VW_DECODE_OK = 0,
  VW_DECODE_INVALID,   /* 400 / INVALID_ARGUMENT: not a request, nested too deeply, not UTF-8 */
  VW_DECODE_TOO_LARGE, /* 413 / RESOURCE_EXHAUSTED: over vw_decode_budget() */
  VW_DECODE_BUSY       /* 503 / UNAVAILABLE: the decode pool is full; retry */
} vw_decode_status_t;

/* All requests being decoded at once share VW_DECODE_POOL_PER_MAX_BODY x
 * --max-body (512 MiB by default): each holds what it may take until it is
 * released (request_decode.c). */
#define VW_DECODE_POOL_PER_MAX_BODY 32
/* Bytes of the pool held now (for the tests). */
size_t vw_decode_pool_used(void);

typedef struct vw_request {
  ProtobufCMessage *msg;
  bool json;           /* msg was malloc'd (JSON); else it is in this thread's unpack arena */
  size_t reserved;     /* bytes of the decode pool it holds */
} vw_request_t;

/* Decodes body (OTLP protobuf, or OTLP JSON when json) as a request of
 * signal sig within VW_MAX_NESTING and vw_decode_budget(len, max_body), and
 * refuses it whole when a string in it is not UTF-8. On VW_DECODE_OK
 * req->msg is the request: release it with vw_request_release on the same
 * thread. Otherwise why (why_size bytes) says what was wrong, naming the
 * limit that was crossed. */
vw_decode_status_t vw_decode_request(vw_signal_t sig, const uint8_t *body, size_t len, bool json,
                                     size_t max_body, vw_request_t *req, char *why,
                                     size_t why_size);
void vw_request_release(vw_request_t *req);

/* ---- gunzip.c ------------------------------------------------------------ */
/* Inflates gzip data into a new buffer (*out, the caller frees) of at most
 * max bytes. Returns 0, 413 (larger once inflated) or 400 (not gzip, or
 * truncated). */
int vw_gunzip(const uint8_t *in, size_t in_len, size_t max, uint8_t **out, size_t *out_len);

/* ---- ingest.c: requests -> store, JSON lines ---------------------------- */

typedef struct vw_ingest vw_ingest_t;
/* jsonl may be NULL (no file). Borrows store; the file is owned. */
vw_ingest_t *vw_ingest_create(vw_store_t *store, FILE *jsonl);
void vw_ingest_destroy(vw_ingest_t *in); /* flushes and closes the file */
void vw_ingest_flush(vw_ingest_t *in);

/* A byte range of a request as it arrived. */
typedef struct vw_slice {
  const uint8_t *data;
  size_t len;
} vw_slice_t;

/* wire_slices.c: the byte range of every Span of a packed
 * ExportTraceServiceRequest (or LogRecord of an ExportLogsServiceRequest),
 * in the order protobuf-c decodes them. Returns how many, with the ranges
 * in *out (malloc'd, the caller frees); 0 and NULL when the bytes cannot
 * be walked or memory ran out. */
size_t vw_wire_slices(const uint8_t *data, size_t len, vw_slice_t **out);

/* Each stores what is valid and returns how many items were rejected,
 * with the reason in msg (msg_size bytes, "" when none). Thread-safe.
 * raw, when not NULL, is the packed request that req was decoded from:
 * its records are then stored as they arrived rather than packed again. */
int64_t vw_ingest_traces(vw_ingest_t *in,
    const Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *req,
    const vw_slice_t *raw, char *msg, size_t msg_size);
int64_t vw_ingest_metrics(vw_ingest_t *in,
    const Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest *req,
    char *msg, size_t msg_size);
int64_t vw_ingest_logs(vw_ingest_t *in,
    const Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest *req,
    const vw_slice_t *raw, char *msg, size_t msg_size);

/* Ingests a decoded request of that signal and builds the matching
 * Export*ServiceResponse (partial_success set when something was rejected).
 * Returns the response; free with protobuf_c_message_free_unpacked(r, NULL). */
ProtobufCMessage *vw_ingest_request(vw_ingest_t *in, vw_signal_t sig,
                                    const ProtobufCMessage *req, const vw_slice_t *raw);

/* replay_jsonl.c: ingests every line of f (OTLP/JSON requests, one per
 * line, as --jsonl writes them) into store; counts the lines ingested and
 * those skipped (not a request). False when out of memory. */
bool vw_replay_jsonl(vw_store_t *store, FILE *f, size_t *replayed, size_t *skipped);

/* ---- text_buf.c: growable text for the renderers ----------------------- */
typedef struct vw_buf {
  char *data;   /* NUL-terminated; NULL until the first append */
  size_t len, cap;
  bool oom;     /* an append failed: the text is incomplete */
} vw_buf_t;
void vw_buf_printf(vw_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vw_buf_put(vw_buf_t *b, const char *s);
void vw_buf_repeat(vw_buf_t *b, const char *s, int times);
/* Returns the text (caller frees; "" when empty), NULL after an OOM. */
char *vw_buf_take(vw_buf_t *b);

/* ---- html_escape.c: every telemetry string on a page goes through these */
/* Element (and SVG <text>) content: & < > " ' as references, control
 * characters as visible control pictures. */
void vw_html_text(vw_buf_t *b, const char *s);
/* A double-quoted attribute value (same escaping). */
void vw_html_attr(vw_buf_t *b, const char *s);
/* A URL path segment or query value: all but unreserved bytes %-encoded. */
void vw_url_part(vw_buf_t *b, const char *s);

/* ---- term_escape.c: every telemetry string in the live view goes through these */
/* Appends s (NULL: nothing) with its control characters shown as text: C0
 * and DEL as \t \n \r or \xNN, C1 (U+0080-U+009F) as \uNNNN, bytes that
 * are not UTF-8 as \xNN; all else unchanged. */
void vw_term_text(vw_buf_t *b, const char *s);
/* The same, with newlines and CRs as spaces (a log body on one line). */
void vw_term_line(vw_buf_t *b, const char *s);
/* vw_term_text into a new string (caller frees), NULL on OOM. */
char *vw_term_escape(const char *s);

/* ---- render_*.c: pure text rendering ------------------------------------ */

typedef struct vw_render_opts {
  bool color;        /* ANSI colours and Unicode glyphs; else plain ASCII */
  int bar_width;     /* width of the waterfall bar in columns (>= 10) */
} vw_render_opts_t;

/* Renders one trace as a waterfall tree. Returns malloc'd text (caller
 * frees), NULL on OOM. Pure: same input, same output. */
char *vw_render_waterfall(const vw_trace_t *t, const vw_render_opts_t *o);
/* One log record as one line (with '\n'). Caller frees. */
char *vw_render_log(const vw_log_t *l, const vw_render_opts_t *o);
/* Metrics table of n streams. Caller frees. */
char *vw_render_metrics(const vw_metric_t *const *m, size_t n,
                        const vw_render_opts_t *o);

/* Duration as text ("1.234 ms", "12.3 s"), into out. */
void vw_format_duration(uint64_t ns, char *out, size_t size);
/* UTC time "15:04:05.000" of ns since epoch, into out (>= 13 bytes). */
void vw_format_clock(uint64_t ns, char *out, size_t size);
/* "SERVER", "CLIENT", ... for a SpanKind number. */
const char *vw_kind_name(int kind);
/* Histogram quantile q (0..1) estimated from explicit buckets by linear
 * interpolation inside the bucket; NAN when count is 0. */
double vw_histogram_quantile(const uint64_t *counts, size_t n_counts,
                             const double *bounds, size_t n_bounds, double q);

/* ---- trace_layout.c: the shape of a trace for the trace page ----------- */
typedef struct vw_trace_layout {
  size_t *seq;            /* draw order: span indexes, depth first */
  size_t n_seq;
  int *depth;             /* per span index */
  long *parent;           /* per span index: parent's index, -1 if absent */
  bool *critical;         /* per span index: on the critical path */
  int *service;           /* per span index: index into services (colour) */
  const char **services;  /* distinct services in draw order (borrowed) */
  size_t n_services;
  uint64_t t0, t1;        /* earliest start, latest end */
} vw_trace_layout_t;
/* Fills l for t (which must outlive l). False on OOM. Free with
 * vw_trace_layout_free. Pure. */
bool vw_trace_layout(const vw_trace_t *t, vw_trace_layout_t *l);
void vw_trace_layout_free(vw_trace_layout_t *l);
/* "#rrggbb" of service colour index i: the terminal view's palette. */
const char *vw_service_colour(int index);

/* ---- metric_series.c: what a chart draws from a stream's history ------- */
typedef enum vw_series_kind {
  VW_SERIES_VALUE = 0,    /* gauges, up-down counters: the values */
  VW_SERIES_RATE,         /* counters: per second */
  VW_SERIES_QUANTILES     /* histograms: p50/p95/p99 per interval */
} vw_series_kind_t;
typedef struct vw_series_point {
  uint64_t time_ns;
  double v;               /* VALUE, RATE */
  double p50, p95, p99;   /* QUANTILES */
  const vw_point_t *point;/* the ring point (for its exemplars) */
} vw_series_point_t;
vw_series_kind_t vw_series_kind(const vw_metric_t *m);
/* The chart points of m's ring into out (VW_RING entries); returns how
 * many. Pure. */
size_t vw_metric_series(const vw_metric_t *m, vw_series_point_t *out);
/* {service, name, unit, attributes, kind, points:[{timeUnixMs, value | p50,
 * p95, p99}], exemplars:[{timeUnixMs, value, traceId, spanId}]}. */
cJSON *vw_metric_series_json(const vw_metric_t *m);

/* ---- prom_text.c: GET /metrics ------------------------------------------- */
/* The n streams as the Prometheus text exposition (OpenTelemetry ->
 * Prometheus names, service_name/job/instance labels), or OpenMetrics with
 * exemplars. Returns malloc'd text, NULL on OOM. Pure. */
char *vw_prometheus_text(const vw_metric_t *const *metrics, size_t n, bool openmetrics);

/* ---- service_map.c: who calls whom, from CLIENT -> SERVER pairs ---------- */
typedef struct vw_map_node {
  const char *name;       /* borrowed from the traces */
  uint64_t spans, requests, errors; /* requests: SERVER/CONSUMER spans */
  double rate_per_s;      /* requests over the time their starts cover (>= 1 s) */
  double p50_ms, p99_ms;  /* of the requests' durations */
  uint64_t first_ns, last_ns;
} vw_map_node_t;
typedef struct vw_map_edge {
  const char *from, *to;  /* borrowed */
  uint64_t requests, errors;
  double p50_ms, p99_ms;  /* of the caller's CLIENT span durations */
} vw_map_edge_t;
typedef struct vw_service_map {
  vw_map_node_t *nodes;   /* services in order of first appearance */
  size_t n_nodes;
  vw_map_edge_t *edges;
  size_t n_edges;
} vw_service_map_t;
/* Builds the map of the n traces (which must outlive m). False on OOM.
 * Free with vw_service_map_free. Pure. */
bool vw_service_map(const vw_trace_t *const *traces, size_t n, vw_service_map_t *m);
void vw_service_map_free(vw_service_map_t *m);
/* The map as JSON: {"services":[{name, spans, requests, errors, ratePerSecond,
 * p50Ms, p99Ms}], "edges":[{from, to, requests, errors, p50Ms, p99Ms}]}. */
cJSON *vw_service_map_json(const vw_service_map_t *m);

/* ---- page_*.c: the HTML pages, pure renderers ---------------------------- */
/* page_assets.c: the stylesheet and script at path (/static/...), NULL if
 * none; the page head (title escaped; active is the nav path) and foot. */
const char *vw_asset(const char *path, const char **content_type);
void vw_page_head(vw_buf_t *b, const char *title, const char *active);
void vw_page_foot(vw_buf_t *b);

/* The trace list's filters, from the query string of "/". */
typedef struct vw_trace_filter {
  char service[256], name[256], attr[256]; /* attr: "key=value" */
  char and_service[256];  /* a second service the trace must also have */
  double min_ms;          /* minimum duration; 0: any */
  bool errors;            /* only traces with an ERROR span */
  int last_min;           /* only traces started in the last N minutes; 0: any */
  bool sort_duration;     /* longest first; else newest first */
  bool fragment;          /* the rows only (live refresh) */
  uint64_t now_unix_ns;   /* "now" for last_min */
} vw_trace_filter_t;
/* page_traces.c: "/" for the n traces. Returns malloc'd HTML, NULL on OOM. */
char *vw_page_traces(const vw_trace_t *const *traces, size_t n, const vw_trace_filter_t *f);

/* page_trace.c: "/trace/<id>": t's waterfall, legend, search, and a detail
 * panel per span (selected: its hex id, or NULL for the root), with the
 * trace's n_logs log records marked on their spans. Caller frees. */
char *vw_page_trace(const vw_trace_t *t, const vw_log_t *const *logs, size_t n_logs,
                    const char *selected);

/* The log page's filters. */
typedef struct vw_log_filter {
  char service[256], text[256], trace_id[64], span_id[32];
  int min_severity;       /* 0: any */
  bool fragment;          /* the rows only (live tail) */
  size_t limit;           /* newest records shown, at most */
} vw_log_filter_t;
/* page_charts.c: "/charts" for the n streams, those of service and name
 * only when not NULL or "". Caller frees. */
char *vw_page_charts(const vw_metric_t *const *metrics, size_t n, const char *service,
                     const char *name);

/* chart_svg.c: one line of a chart: n points (t[i] ns, v[i]; NAN: none). */
typedef struct vw_chart_line {
  const char *name;       /* legend text (escaped when drawn) */
  const uint64_t *t;
  const double *v;
  size_t n;
} vw_chart_line_t;
/* Appends an SVG chart of the lines (id: the svg element's id, ours). */
void vw_svg_chart(vw_buf_t *b, const char *id, const vw_chart_line_t *lines, size_t n_lines,
                  bool from_zero);

/* page_workshop.c: "/charts?view=workshop": the panels of the workshop's
 * Grafana dashboard (requests per second by service, p99 server latency by
 * service, ISS position requests by response status, the
 * iss-distance-service's logs), computed from the streams' histories as
 * the dashboard's PromQL computes them. Caller frees. */
char *vw_page_workshop(const vw_metric_t *const *metrics, size_t n, const vw_log_t *const *logs,
                       size_t n_logs);

/* page_map.c: "/map" for the service map m. Caller frees. */
char *vw_page_map(const vw_service_map_t *m);

/* page_logs.c: "/logs" for the n records (oldest first). Caller frees. */
char *vw_page_logs(const vw_log_t *const *logs, size_t n, const vw_log_filter_t *f);

/* ---- query_api.c -------------------------------------------------------- */

/* Answers GET /api/... for path and query string (may be NULL). Sets
 * *status and *content_type (static); returns the malloc'd body.
 * /api/traces/<id>/otlp is the trace as an ExportTraceServiceRequest in
 * OTLP/JSON (spans grouped by resource and scope). */
char *vw_query(vw_store_t *s, const char *path, const char *query,
               int *status, const char **content_type);
/* Value of parameter name in query (URL-decoded) into out (size bytes, cut
 * to fit); false if absent. */
bool vw_query_param(const char *query, const char *name, char *out, size_t size);
/* 32 (or 16) hex digits into 16 (or 8) bytes; false if not hex of that length. */
bool vw_parse_hex(const char *hex, uint8_t *out, size_t n);

/* ---- pages.c: the HTML pages on the HTTP port ---------------------------- */
/* Answers GET of a page (/, /trace/<id>, /logs, /static/...): sets *status
 * and *content_type, returns the malloc'd body (*len bytes); NULL when path
 * is not a page. now_unix_ns is the wall clock, for "last N minutes". */
char *vw_pages(vw_store_t *s, const char *path, const char *query, uint64_t now_unix_ns,
               int *status, const char **content_type);

/* ---- servers ------------------------------------------------------------ */

typedef struct vw_http vw_http_t;
/* Starts civetweb on bind:port (0 picks one). Returns NULL with a message
 * on stderr when it cannot listen. *bound_port is the real port. */
vw_http_t *vw_http_start(const char *bind, int port, vw_ingest_t *in,
                         vw_store_t *store, size_t max_body, int *bound_port);
void vw_http_stop(vw_http_t *h);

/* --tls-cert, --tls-key (PEM files) and, for mutual TLS, --tls-client-ca:
 * the viewer's TLS settings, for both ports. */
typedef struct vw_tls_files {
  const char *cert_file, *key_file;
  const char *client_ca_file; /* NULL: no client certificate asked for */
} vw_tls_files_t;

typedef struct vw_grpc vw_grpc_t;
/* Starts the gRPC server (calls grpc_init) with a completion-queue thread,
 * with TLS when tls is not NULL. Returns NULL (message on stderr) when it
 * cannot listen or cannot read the TLS files. */
vw_grpc_t *vw_grpc_start(const char *bind, int port, vw_ingest_t *in,
                         size_t max_body, const vw_tls_files_t *tls, int *bound_port);
void vw_grpc_stop(vw_grpc_t *g); /* also grpc_shutdown, waits for it */

/* tls_front.c: TLS in front of the HTTP port (civetweb's own TLS does not
 * work with OpenSSL 3). Listens on bind:port (0 picks one, *bound_port is
 * the real one) and relays each TLS connection, decrypted, to
 * 127.0.0.1:backend_port. NULL with a message on stderr when the files
 * cannot be used or it cannot listen. */
typedef struct vw_tls_front vw_tls_front_t;
vw_tls_front_t *vw_tls_front_start(const char *bind, int port, const vw_tls_files_t *tls,
                                   int backend_port, int *bound_port);
void vw_tls_front_stop(vw_tls_front_t *f); /* NULL: no-op */
/* The whole file (at most max bytes), malloc'd and NUL-terminated; NULL
 * when it cannot be read or is longer. */
char *vw_read_file(const char *path, size_t max);

/* ---- misc helpers (ingest.c) -------------------------------------------- */
uint64_t vw_monotonic_ns(void);
/* AnyValue as text: strings as is, others in JSON; caller frees. */
char *vw_anyvalue_text(const Opentelemetry__Proto__Common__V1__AnyValue *v);

#endif /* OTEL_VIEWER_H */
