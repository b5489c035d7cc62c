/* SPDX-License-Identifier: Apache-2.0
 *
 * log_record.c: the LogRecord in memory and the severity table. A record is
 * one malloc'd block (header, deep-copied attributes, strings) with an
 * atomic reference count, so the emit path allocates once and processors
 * share a record without copying it. Also: body truncation on a UTF-8
 * boundary and the attribute count limit (Logs Data Model, "Log and Event
 * Record Definition"; SDK "LogRecord Limits").
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "logs_internal.h"
#include "span_pool.h"
#include "utf8.h"

/* ---- Severity ------------------------------------------------------------ */
static const char *const severity_names[25] = {
    "UNSPECIFIED", "TRACE", "TRACE2", "TRACE3", "TRACE4", "DEBUG", "DEBUG2",
    "DEBUG3", "DEBUG4", "INFO", "INFO2", "INFO3", "INFO4", "WARN", "WARN2",
    "WARN3", "WARN4", "ERROR", "ERROR2", "ERROR3", "ERROR4", "FATAL",
    "FATAL2", "FATAL3", "FATAL4"};

const char *otel_severity_name(otel_severity_t sev) {
  if ((int)sev < 0 || (int)sev > 24) return "";
  return severity_names[sev];
}

otel_err_t otel_severity_parse(const char *text, otel_severity_t *out) {
  static const struct { const char *name; otel_severity_t sev; } aliases[] = {
      {"warning", OTEL_SEVERITY_WARN}, {"err", OTEL_SEVERITY_ERROR},
      {"critical", OTEL_SEVERITY_FATAL}, {"fatal", OTEL_SEVERITY_FATAL}};
  if (!text || !*text || !out) return OTEL_EPARSE;
  if (text[0] >= '0' && text[0] <= '9') {
    char *end;
    long v = strtol(text, &end, 10);
    if (*end || v < 1 || v > 24) return OTEL_EPARSE;
    *out = (otel_severity_t)v;
    return OTEL_OK;
  }
  for (int i = 1; i <= 24; i++) {
    if (strcasecmp(text, severity_names[i]) == 0) {
      *out = (otel_severity_t)i;
      return OTEL_OK;
    }
  }
  for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
    if (strcasecmp(text, aliases[i].name) == 0) {
      *out = aliases[i].sev;
      return OTEL_OK;
    }
  }
  return OTEL_EPARSE;
}

/* ---- UTF-8 safe truncation ------------------------------------------------ */
size_t otel__utf8_cut(const char *s, size_t len, size_t max) {
  if (len <= max) return len;
  size_t n = max;
  /* Step back over continuation bytes (10xxxxxx) to the lead byte, then
   * drop the lead byte too: its sequence does not fit. */
  while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  return n;
}

/* ---- Record allocation ------------------------------------------------------ */
typedef struct rec_impl {
  otel_log_record_t pub; /* first: a pub pointer is an impl pointer */
  atomic_int refs;
  bool ascii;  /* otel__log_record_text_is_ascii */
  bool pooled; /* a POOLED_BLOCK from the pool, not malloc'd */
} rec_impl_t;

/* Records are made on application threads and freed on the exporter's:
 * through malloc, each cost a cross-thread free and about 480 instructions
 * of malloc on the emitting thread (iss-distance-service, one log record
 * per request, bench_instructions.sh). Those that fit in POOLED_BLOCK bytes
 * (a line of text and a few attributes) come from the span pool's
 * magazines (span_pool.h) instead. */
#define POOLED_BLOCK 512
__attribute__((constructor)) static void pool_init(void) {
  otel__span_pool_set_size(OTEL__SPAN_POOL_LOG_RECORD, POOLED_BLOCK);
}

/* Bump cursor over the record's block; a NULL base only measures. */
typedef struct cursor {
  char *base;
  size_t off;
  bool ascii; /* every string copied so far is ASCII */
} cursor_t;

static void *take(cursor_t *c, size_t n, size_t align) {
  c->off = (c->off + align - 1) & ~(align - 1);
  void *p = c->base ? c->base + c->off : NULL;
  c->off += n;
  return p;
}

static const char *take_str(cursor_t *c, const char *s, size_t n) {
  char *p = take(c, n + 1, 1);
  if (p) {
    if (c->ascii && !otel__utf8_is_ascii(s, n)) c->ascii = false;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
  }
  return p;
}

/* Copies one attribute's value into the block (or measures it). */
static void copy_attr(cursor_t *c, otel_attr_t *dst, const otel_attr_t *a) {
  const char *key = take_str(c, a->key, strlen(a->key));
  if (dst) {
    dst->key = key;
    dst->type = a->type;
    dst->value = a->value;
  }
  size_t isz = otel__attr_item_size(a->type);
  if (a->type == OTEL_ATTR_TYPE_STRING) {
    const char *s = a->value.s ? a->value.s : "";
    const char *v = take_str(c, s, strlen(s));
    if (dst) dst->value.s = v;
    return;
  }
  if (isz == 0) return; /* bool, int, double: copied by value above */
  size_t n = a->value.array.items ? a->value.array.len : 0;
  void *items = take(c, n * isz, alignof(max_align_t));
  if (dst) {
    dst->value.array.items = items;
    dst->value.array.len = n;
  }
  if (a->type != OTEL_ATTR_TYPE_STRING_ARRAY) {
    if (items && n) memcpy(items, a->value.array.items, n * isz);
    return;
  }
  const char *const *src = a->value.array.items;
  const char **out = items;
  for (size_t i = 0; i < n; i++) {
    const char *s = src[i] ? src[i] : "";
    const char *v = take_str(c, s, strlen(s));
    if (out) out[i] = v;
  }
}

static bool attr_usable(const otel_attr_t *a) {
  return a->key && a->key[0] && (int)a->type >= OTEL_ATTR_TYPE_STRING &&
         a->type <= OTEL_ATTR_TYPE_DOUBLE_ARRAY;
}

/* One pass over the layout: measures when c->base is NULL, fills otherwise. */
static void layout(cursor_t *c, rec_impl_t *impl, const otel__log_record_src_t *src,
                   size_t body_len, size_t n_attrs) {
  otel_log_record_t *r = impl ? &impl->pub : NULL;
  (void)take(c, sizeof(rec_impl_t), alignof(max_align_t));
  otel_attr_t *attrs = take(c, n_attrs * sizeof(otel_attr_t), alignof(max_align_t));
  size_t kept = 0;
  for (size_t i = 0; i < src->attr_count && kept < n_attrs; i++) {
    if (!attr_usable(&src->attrs[i])) continue;
    copy_attr(c, attrs ? &attrs[kept] : NULL, &src->attrs[i]);
    kept++;
  }
  const char *st = src->severity_text ? src->severity_text : "";
  const char *sev_text = take_str(c, st, strlen(st));
  const char *body = src->body ? take_str(c, src->body, body_len) : NULL;
  const char *ev = src->event_name ? take_str(c, src->event_name, strlen(src->event_name)) : NULL;
  if (!r) return;
  r->attrs = n_attrs ? attrs : NULL;
  r->attr_count = kept;
  r->severity_text = sev_text;
  r->body = body;
  r->event_name = ev;
}

otel_log_record_t *otel__log_record_create(const otel__log_record_src_t *src,
                                           const otel_logger_t *logger,
                                           const otel_resource_t *resource,
                                           size_t max_body, size_t max_attrs) {
  size_t usable = 0;
  for (size_t i = 0; i < src->attr_count; i++) usable += attr_usable(&src->attrs[i]);
  size_t n_attrs = usable < max_attrs ? usable : max_attrs;
  size_t body_len = src->body ? otel__utf8_cut(src->body, src->body_len, max_body) : 0;

  cursor_t c = {NULL, 0, true};
  layout(&c, NULL, src, body_len, n_attrs);
  bool pooled = c.off <= POOLED_BLOCK;
  rec_impl_t *impl = pooled ? otel__span_pool_get(OTEL__SPAN_POOL_LOG_RECORD) : malloc(c.off);
  if (!impl) return NULL;
  impl->pooled = pooled;
  otel_log_record_t *r = &impl->pub;
  r->timestamp_ns = src->timestamp_ns;
  r->observed_timestamp_ns = src->observed_timestamp_ns;
  r->severity = src->severity;
  r->body_len = body_len;
  r->body_truncated = src->body && body_len < src->body_len;
  r->dropped_attributes_count = (uint32_t)(usable - n_attrs);
  if (src->sc) {
    memcpy(r->trace_id, src->sc->trace_id, 16);
    memcpy(r->span_id, src->sc->span_id, 8);
    r->trace_flags = src->sc->trace_flags;
  } else {
    memset(r->trace_id, 0, 16);
    memset(r->span_id, 0, 8);
    r->trace_flags = 0;
  }
  r->logger = logger;
  r->resource = resource;
  atomic_init(&impl->refs, 1);
  c = (cursor_t){(char *)impl, 0, true};
  layout(&c, impl, src, body_len, n_attrs);
  impl->ascii = c.ascii;
  return r;
}

bool otel__log_record_text_is_ascii(const otel_log_record_t *r) { return ((const rec_impl_t *)r)->ascii; }

const otel_log_record_t *otel_log_record_retain(const otel_log_record_t *rec) {
  if (rec) atomic_fetch_add_explicit(&((rec_impl_t *)rec)->refs, 1, memory_order_relaxed);
  return rec;
}

void otel_log_record_release(const otel_log_record_t *rec) {
  if (!rec) return;
  rec_impl_t *impl = (rec_impl_t *)rec;
  if (atomic_fetch_sub_explicit(&impl->refs, 1, memory_order_acq_rel) != 1) return;
  if (impl->pooled) otel__span_pool_put(OTEL__SPAN_POOL_LOG_RECORD, impl);
  else free(impl);
}
