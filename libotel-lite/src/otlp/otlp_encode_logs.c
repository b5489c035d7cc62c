/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_logs.c: log records -> one OTLP ExportLogsServiceRequest in
 * protobuf bytes, grouped by resource, then by instrumentation scope (the
 * logger), as the OTLP data model nests them, in order of first use. The
 * records are written in the wire format directly (otlp_wire.h,
 * otlp_wire_request.c: a sizing pass, then one write). Not for: sending
 * (otlp_client.h).
 * Like every string the encoders write, bodies, severity texts, event
 * names and attributes that are not valid UTF-8 get U+FFFD in place of
 * the bad bytes (utf8.h); a record whose text is all ASCII (measured when
 * it was copied, log_record.c) is written without that check.
 */
#include <string.h>

#include "logs_internal.h"
#include "otlp_wire.h"

/* A string field of s[0..len): written as it is when the record's text is
 * known ASCII (otel__log_record_text_is_ascii), else cleaned. */
static size_t text_size(unsigned field, const char *s, size_t len, bool ascii) {
  return wire_len_field(field, ascii ? len : otel__utf8_clean_len(s, len));
}

static uint8_t *put_text(uint8_t *p, unsigned field, const char *s, size_t len, bool ascii) {
  return ascii ? wire_put_bytes(p, field, s, len) : wire_put_string(p, field, s, len);
}

/* The same, left out when empty (proto3). */
static size_t opt_text_size(unsigned field, const char *s, size_t len, bool ascii) {
  return s && len ? text_size(field, s, len, ascii) : 0;
}

static uint8_t *put_opt_text(uint8_t *p, unsigned field, const char *s, size_t len, bool ascii) {
  return s && len ? put_text(p, field, s, len, ascii) : p;
}

static bool nonzero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return true;
  return false;
}

static bool has_ids(const otel_log_record_t *r) {
  return nonzero(r->trace_id, 16) && nonzero(r->span_id, 8);
}

/* LogRecord content, fields in number order: time 1, severity_number 2,
 * severity_text 3, body 5 (an AnyValue whose string_value 1 is written
 * even when empty: a oneof member), attributes 6, dropped 7, flags 8,
 * trace_id 9, span_id 10, observed_time 11, event_name 12. */
static size_t record_size(const otel_log_record_t *r) {
  bool ids = has_ids(r), ascii = otel__log_record_text_is_ascii(r);
  return wire_opt_fixed64_size(1, r->timestamp_ns) + wire_opt_varint_size(2, (uint64_t)r->severity) +
         opt_text_size(3, r->severity_text, strlen(r->severity_text), ascii) +
         (r->body ? wire_len_field(5, text_size(1, r->body, r->body_len, ascii)) : 0) +
         otel__wire_attrs_size(6, r->attrs, r->attr_count, ascii) +
         wire_opt_varint_size(7, r->dropped_attributes_count) +
         (ids ? wire_opt_fixed32_size(8, r->trace_flags) + wire_len_field(9, 16) + wire_len_field(10, 8) : 0) +
         wire_opt_fixed64_size(11, r->observed_timestamp_ns) +
         (r->event_name ? opt_text_size(12, r->event_name, strlen(r->event_name), ascii) : 0);
}

static uint8_t *put_record(uint8_t *p, const otel_log_record_t *r) {
  bool ids = has_ids(r), ascii = otel__log_record_text_is_ascii(r);
  p = wire_put_opt_fixed64(p, 1, r->timestamp_ns);
  p = wire_put_opt_varint(p, 2, (uint64_t)r->severity);
  p = put_opt_text(p, 3, r->severity_text, strlen(r->severity_text), ascii);
  if (r->body) {
    p = wire_put_tag(p, 5, WIRE_LEN);
    p = wire_put_varint(p, text_size(1, r->body, r->body_len, ascii));
    p = put_text(p, 1, r->body, r->body_len, ascii);
  }
  p = otel__wire_put_attrs(p, 6, r->attrs, r->attr_count, ascii);
  p = wire_put_opt_varint(p, 7, r->dropped_attributes_count);
  if (ids) {
    p = wire_put_opt_fixed32(p, 8, r->trace_flags);
    p = wire_put_bytes(p, 9, r->trace_id, 16);
    p = wire_put_bytes(p, 10, r->span_id, 8);
  }
  p = wire_put_opt_fixed64(p, 11, r->observed_timestamp_ns);
  if (r->event_name) p = put_opt_text(p, 12, r->event_name, strlen(r->event_name), ascii);
  return p;
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

static size_t record_item_size(const void *item) { return record_size(item); }
static uint8_t *record_put_item(uint8_t *p, const void *item) { return put_record(p, item); }

otel_err_t otel__otlp_encode_logs(const otel_log_record_t *const *recs, size_t n,
                                  uint8_t **out_buf, size_t *out_len) {
  otel__wire_request_t r = {
      .items = (const void *const *)recs, .n = n, .resource_of = record_resource,
      .same_scope = same_logger, .scope_of = record_scope, .item_size = record_item_size,
      .put_item = record_put_item};
  return otel__wire_encode_request(&r, out_buf, out_len);
}
