/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_encode_logs.c: log records -> one OTLP ExportLogsServiceRequest in
 * protobuf bytes, grouped by resource, then by instrumentation scope (the
 * logger), as the OTLP data model nests them. Messages are built in an
 * arena and packed once. Not for: sending (otlp_client.h). Bodies that are
 * not valid UTF-8 get U+FFFD in place of the bad bytes, since receivers
 * reject the whole request for one invalid proto3 string.
 */
#include <stdlib.h>
#include <string.h>

#include "logs_internal.h"
#include "proto_attr.h"
#include "proto_resource.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h"

typedef Opentelemetry__Proto__Logs__V1__ResourceLogs pb_rlogs_t;
typedef Opentelemetry__Proto__Logs__V1__ScopeLogs pb_slogs_t;
typedef Opentelemetry__Proto__Logs__V1__LogRecord pb_rec_t;
typedef Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest pb_req_t;

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left) {
  unsigned char c = s[0];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (left < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

/* Arena copy of s[0..len) with invalid UTF-8 bytes replaced by U+FFFD. */
static char *utf8_clean_dup(otel__arena_t *a, const char *s, size_t len) {
  char *out = otel__arena_alloc(a, len * 3 + 1);
  if (!out) return NULL;
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_seq(p + i, len - i);
    if (n) {
      memcpy(out + o, p + i, n);
      o += n;
      i += n;
    } else {
      memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
      i++;
    }
  }
  out[o] = '\0';
  return out;
}

static bool nonzero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return true;
  return false;
}

static pb_rec_t *encode_record(otel__arena_t *a, const otel_log_record_t *r) {
  pb_rec_t *m = otel__arena_alloc(a, sizeof(*m));
  if (!m) return NULL;
  opentelemetry__proto__logs__v1__log_record__init(m);
  m->time_unix_nano = r->timestamp_ns;
  m->observed_time_unix_nano = r->observed_timestamp_ns;
  m->severity_number = (Opentelemetry__Proto__Logs__V1__SeverityNumber)r->severity;
  m->severity_text = utf8_clean_dup(a, r->severity_text, strlen(r->severity_text));
  if (!m->severity_text) return NULL;
  if (r->body) {
    otel_attr_t body = OTEL_ATTR_STR("", "");
    body.value.s = utf8_clean_dup(a, r->body, r->body_len);
    if (!body.value.s || !(m->body = otel__proto_any(a, &body))) return NULL;
  }
  if (r->attr_count) {
    m->attributes = otel__proto_kvs(a, r->attrs, r->attr_count, &m->n_attributes);
    if (!m->attributes) return NULL;
  }
  m->dropped_attributes_count = r->dropped_attributes_count;
  if (r->event_name) {
    m->event_name = utf8_clean_dup(a, r->event_name, strlen(r->event_name));
    if (!m->event_name) return NULL;
  }
  if (nonzero(r->trace_id, 16) && nonzero(r->span_id, 8)) {
    m->flags = r->trace_flags;
    m->trace_id.len = 16;
    m->trace_id.data = otel__arena_alloc(a, 16);
    m->span_id.len = 8;
    m->span_id.data = otel__arena_alloc(a, 8);
    if (!m->trace_id.data || !m->span_id.data) return NULL;
    memcpy(m->trace_id.data, r->trace_id, 16);
    memcpy(m->span_id.data, r->span_id, 8);
  }
  return m;
}

/* Index of key in keys[0..*n), appended when absent. */
static size_t index_of(const void **keys, size_t *n, const void *key) {
  for (size_t i = 0; i < *n; i++)
    if (keys[i] == key) return i;
  keys[*n] = key;
  return (*n)++;
}

static otel_err_t build(otel__arena_t *a, const otel_log_record_t *const *recs, size_t n,
                        pb_req_t *req) {
  /* Distinct resources and (resource, logger) scopes, in order of first use. */
  const void **res_keys = otel__arena_alloc(a, n * sizeof(void *));
  const void **scope_keys = otel__arena_alloc(a, n * sizeof(void *));
  size_t *scope_res = otel__arena_alloc(a, n * sizeof(size_t));
  size_t *rec_scope = otel__arena_alloc(a, n * sizeof(size_t));
  size_t *scope_count = otel__arena_alloc(a, n * sizeof(size_t));
  if (!res_keys || !scope_keys || !scope_res || !rec_scope || !scope_count) return OTEL_ENOMEM;
  size_t n_res = 0, n_scopes = 0;
  for (size_t i = 0; i < n; i++) {
    size_t ri = index_of(res_keys, &n_res, recs[i]->resource);
    size_t si;
    for (si = 0; si < n_scopes; si++)
      if (scope_keys[si] == recs[i]->logger && scope_res[si] == ri) break;
    if (si == n_scopes) {
      scope_keys[n_scopes] = recs[i]->logger;
      scope_res[n_scopes++] = ri;
    }
    rec_scope[i] = si;
    scope_count[si]++;
  }
  pb_rlogs_t **rl = otel__arena_alloc(a, n_res * sizeof(*rl));
  pb_slogs_t **sl = otel__arena_alloc(a, n_scopes * sizeof(*sl));
  if (!rl || !sl) return OTEL_ENOMEM;
  for (size_t ri = 0; ri < n_res; ri++) {
    rl[ri] = otel__arena_alloc(a, sizeof(pb_rlogs_t));
    if (!rl[ri]) return OTEL_ENOMEM;
    opentelemetry__proto__logs__v1__resource_logs__init(rl[ri]);
    rl[ri]->resource = otel__proto_resource(a, res_keys[ri]);
    size_t k = 0;
    for (size_t si = 0; si < n_scopes; si++) k += scope_res[si] == ri;
    rl[ri]->scope_logs = otel__arena_alloc(a, k * sizeof(pb_slogs_t *));
    if (!rl[ri]->resource || !rl[ri]->scope_logs) return OTEL_ENOMEM;
  }
  for (size_t si = 0; si < n_scopes; si++) {
    const otel_logger_t *lg = scope_keys[si];
    sl[si] = otel__arena_alloc(a, sizeof(pb_slogs_t));
    if (!sl[si]) return OTEL_ENOMEM;
    opentelemetry__proto__logs__v1__scope_logs__init(sl[si]);
    sl[si]->scope = otel__proto_scope(a, otel_logger_scope_name(lg), otel_logger_scope_version(lg));
    sl[si]->log_records = otel__arena_alloc(a, scope_count[si] * sizeof(pb_rec_t *));
    if (!sl[si]->scope || !sl[si]->log_records) return OTEL_ENOMEM;
    pb_rlogs_t *parent = rl[scope_res[si]];
    parent->scope_logs[parent->n_scope_logs++] = sl[si];
  }
  for (size_t i = 0; i < n; i++) {
    pb_rec_t *m = encode_record(a, recs[i]);
    if (!m) return OTEL_ENOMEM;
    pb_slogs_t *s = sl[rec_scope[i]];
    s->log_records[s->n_log_records++] = m;
  }
  req->resource_logs = rl;
  req->n_resource_logs = n_res;
  return OTEL_OK;
}

otel_err_t otel__otlp_encode_logs(const otel_log_record_t *const *recs, size_t n,
                                  uint8_t **out_buf, size_t *out_len) {
  *out_buf = NULL;
  *out_len = 0;
  otel__arena_t arena;
  otel__arena_init(&arena, 0);
  pb_req_t req = OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_REQUEST__INIT;
  otel_err_t err = n ? build(&arena, recs, n, &req) : OTEL_OK;
  if (err) goto out;
  size_t len = opentelemetry__proto__collector__logs__v1__export_logs_service_request__get_packed_size(&req);
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) {
    err = OTEL_ENOMEM;
    goto out;
  }
  opentelemetry__proto__collector__logs__v1__export_logs_service_request__pack(&req, buf);
  *out_buf = buf;
  *out_len = len;
out:
  otel__arena_cleanup(&arena);
  return err;
}
