/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_logs.c: log records -> one OTLP ExportLogsServiceRequest in
 * protobuf bytes, grouped by resource, then by instrumentation scope (the
 * logger), as the OTLP data model nests them, in order of first use. The
 * records are written in the wire format directly, in one backward pass
 * (otlp_wire_back.h, otlp_wire_back.c). Not for: sending
 * (otlp_client.h).
 * Like every string the encoders write, bodies, severity texts, event
 * names and attributes that are not valid UTF-8 get U+FFFD in place of
 * the bad bytes (utf8.h); a record whose text is all ASCII (measured when
 * it was copied, log_record.c) is written without that check.
 */
#include <string.h>

#include "logs_internal.h"
#include "otlp_wire_back.h"

static bool nonzero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return true;
  return false;
}

static bool has_ids(const otel_log_record_t *r) {
  return nonzero(r->trace_id, 16) && nonzero(r->span_id, 8);
}

/* A string field of s[0..len), asking for its own room: written as it is
 * when the record's text is known ASCII (otel__log_record_text_is_ascii),
 * else cleaned; left out when empty if opt (proto3). Returns the clean
 * length. */
static size_t text_back(otel__wback_t *w, unsigned field, const char *s, size_t len, bool ascii, bool opt) {
  if (opt && !len) return 0;
  size_t n = ascii ? len : otel__utf8_clean_len(s, len);
  if (!otel__wback_room(w, n + 12)) return n;
  w->p = bk_header(bk_text(w->p, s, len, n), field, n);
  return n;
}

/* LogRecord content, written backwards (otlp_wire_back.h): fields in
 * number order are time 1, severity_number 2, severity_text 3, body 5
 * (an AnyValue whose string_value 1 is written even when empty: a oneof
 * member), attributes 6, dropped 7, flags 8, trace_id 9, span_id 10,
 * observed_time 11, event_name 12. */
static void record_back(otel__wback_t *w, const otel_log_record_t *r) {
  bool ids = has_ids(r), ascii = otel__log_record_text_is_ascii(r);
  if (r->event_name) text_back(w, 12, r->event_name, strlen(r->event_name), ascii, true);
  if (!otel__wback_room(w, 12 + 3 * 12 + 16 + 8 + 12)) return;
  uint8_t *p = bk_opt_fixed64(w->p, 11, r->observed_timestamp_ns);
  if (ids) {
    p = bk_bytes(p, 10, r->span_id, 8);
    p = bk_bytes(p, 9, r->trace_id, 16);
    p = bk_opt_fixed32(p, 8, r->trace_flags);
  }
  w->p = bk_opt_varint(p, 7, r->dropped_attributes_count);
  otel__wback_attrs(w, 6, r->attrs, r->attr_count, ascii);
  if (r->body) {
    size_t n = text_back(w, 1, r->body, r->body_len, ascii, false);
    if (!otel__wback_room(w, 12)) return;
    wb_header(w, 5, wire_len_field(1, n));
  }
  text_back(w, 3, r->severity_text, strlen(r->severity_text), ascii, true);
  if (!otel__wback_room(w, 2 * 12)) return;
  w->p = bk_opt_fixed64(bk_opt_varint(w->p, 2, (uint64_t)r->severity), 1, r->timestamp_ns);
}

/* ---- the request -------------------------------------------------------------------- */

static const otel_resource_t *record_resource(const void *item) {
  return ((const otel_log_record_t *)item)->resource;
}

/* one ScopeLogs per logger */
static bool same_logger(const void *a, const void *b) {
  return ((const otel_log_record_t *)a)->logger == ((const otel_log_record_t *)b)->logger;
}

static void record_scope(const void *item, const char **name, const char **version) {
  const otel_logger_t *logger = ((const otel_log_record_t *)item)->logger;
  *name = otel_logger_scope_name(logger);
  *version = otel_logger_scope_version(logger);
}

static void record_put_back(otel__wback_t *w, const void *item) { record_back(w, item); }

/* bytes per record of the last request, for the next one's first buffer */
static _Atomic size_t bytes_per_record;

otel_err_t otel__otlp_encode_logs_at(const otel_log_record_t *const *recs, size_t n, uint8_t **base,
                                     uint8_t **data, size_t *len) {
  otel__wback_request_t r = {
      .req = {.items = (const void *const *)recs, .n = n, .resource_of = record_resource,
              .same_scope = same_logger, .scope_of = record_scope},
      .put_item_back = record_put_back, .size_hint = &bytes_per_record};
  return otel__wback_encode_request(&r, base, data, len);
}

otel_err_t otel__otlp_encode_logs(const otel_log_record_t *const *recs, size_t n,
                                  uint8_t **out_buf, size_t *out_len) {
  uint8_t *base, *data;
  otel_err_t err = otel__otlp_encode_logs_at(recs, n, &base, &data, out_len);
  if (err) {
    *out_buf = NULL;
    *out_len = 0;
    return err;
  }
  memmove(base, data, *out_len);
  *out_buf = base;
  return OTEL_OK;
}
