/* SPDX-License-Identifier: Apache-2.0
 *
 * hostile_bodies.h: the request bodies of issue 18 that broke the viewer,
 * built byte by byte (valid protobuf, accepted by the official protos), for
 * the unit tests, the integration test and the fuzz corpora. Header-only
 * (static functions) like viewer_process.h: each test is one program.
 *
 *   hostile_deep_anyvalue   a span whose attribute value is an AnyValue
 *                           array nested `depth` deep (5,000: 34 KB, it
 *                           crashed the viewer with SIGSEGV)
 *   hostile_empty_spans     one ScopeSpans of empty Span messages, 2 bytes
 *                           each (8 MiB: the viewer's RSS reached 1.1 GB)
 *   hostile_deep_log_body   a log record whose body is nested the same way
 *   hostile_*_json          the same as OTLP/JSON
 *   hostile_normal_span     a harmless span (trace id 16 x seed, name),
 *                           to show that the viewer still receives
 *
 * Every function returns a malloc'd buffer (the caller frees) and its
 * length in *len; NULL when out of memory.
 */
#ifndef HOSTILE_BODIES_H
#define HOSTILE_BODIES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* each program uses some of these */
#define HOSTILE_FN static __attribute__((unused))

HOSTILE_FN size_t hostile__varint(uint8_t *p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  return n;
}

/* Wraps inner (freed) as length-delimited field `field`. */
HOSTILE_FN uint8_t *hostile__wrap(uint8_t *inner, size_t len, unsigned field, size_t *out) {
  uint8_t *b = inner ? malloc(len + 16) : NULL;
  if (b) {
    size_t n = hostile__varint(b, (uint64_t)field << 3 | 2);
    n += hostile__varint(b + n, len);
    memcpy(b + n, inner, len);
    *out = n + len;
  }
  free(inner);
  return b;
}

/* Appends field `field` (length-delimited, bytes v of n) to buf at *at. */
HOSTILE_FN size_t hostile__field(uint8_t *buf, unsigned field, const void *v, size_t n) {
  size_t k = hostile__varint(buf, (uint64_t)field << 3 | 2);
  k += hostile__varint(buf + k, n);
  memcpy(buf + k, v, n);
  return k + n;
}

/* An AnyValue that is an array nested depth deep (depth 0: an empty
 * AnyValue). */
HOSTILE_FN uint8_t *hostile__nested_anyvalue(int depth, size_t *len) {
  uint8_t *b = malloc(1);
  *len = 0;
  for (int i = 0; i < depth && b; i++) {
    b = hostile__wrap(b, *len, 1, len); /* ArrayValue.values */
    if (b) b = hostile__wrap(b, *len, 5, len); /* AnyValue.array_value */
  }
  return b;
}

/* ExportTraceServiceRequest{resource_spans{scope_spans{spans{trace_id,
 * span_id, name "deep", attributes{key "k", value: nested depth}}}}}. */
HOSTILE_FN uint8_t *hostile_deep_anyvalue(int depth, size_t *len) {
  size_t n;
  uint8_t *value = hostile__nested_anyvalue(depth, &n);
  uint8_t *kv = value ? malloc(n + 32) : NULL;
  if (!kv) { free(value); return NULL; }
  size_t k = hostile__field(kv, 1, "k", 1);
  k += hostile__field(kv + k, 2, value, n);
  free(value);
  uint8_t *span = malloc(k + 64);
  if (!span) { free(kv); return NULL; }
  uint8_t ids[24];
  memset(ids, 0x5a, 16);
  memset(ids + 16, 0xa5, 8);
  size_t s = hostile__field(span, 1, ids, 16);
  s += hostile__field(span + s, 2, ids + 16, 8);
  s += hostile__field(span + s, 5, "deep", 4);
  s += hostile__field(span + s, 9, kv, k);
  free(kv);
  span = hostile__wrap(span, s, 2, &s); /* ScopeSpans.spans */
  span = span ? hostile__wrap(span, s, 2, &s) : NULL; /* ResourceSpans.scope_spans */
  span = span ? hostile__wrap(span, s, 1, &s) : NULL; /* request.resource_spans */
  *len = s;
  return span;
}

/* ExportTraceServiceRequest{resource_spans{resource{service.name =
 * service}, scope_spans{spans{trace id 16 x seed, span id 8 x seed, name}}}}. */
HOSTILE_FN uint8_t *hostile_normal_span(uint8_t seed, const char *service, const char *name,
                                    size_t *len) {
  size_t ns = strlen(name), nv = strlen(service);
  uint8_t *b = malloc(ns + 2 * nv + 128);
  if (!b) return NULL;
  uint8_t ids[24];
  memset(ids, seed, sizeof ids);
  uint8_t span[300], res[300], kv[280], v[260];
  if (ns > 200 || nv > 200) { free(b); return NULL; }
  size_t s = hostile__field(span, 1, ids, 16);
  s += hostile__field(span + s, 2, ids + 16, 8);
  s += hostile__field(span + s, 5, name, ns);
  size_t k = hostile__field(v, 1, service, nv);             /* AnyValue.string_value */
  size_t kl = hostile__field(kv, 1, "service.name", 12);     /* KeyValue.key */
  kl += hostile__field(kv + kl, 2, v, k);                    /* KeyValue.value */
  size_t r = hostile__field(res, 1, kv, kl);                 /* Resource.attributes */
  uint8_t ss[320];
  size_t sl = hostile__field(ss, 2, span, s);                /* ScopeSpans.spans */
  uint8_t rs[700];
  size_t rl = hostile__field(rs, 1, res, r);                 /* ResourceSpans.resource */
  rl += hostile__field(rs + rl, 2, ss, sl);                  /* ResourceSpans.scope_spans */
  *len = hostile__field(b, 1, rs, rl);
  return b;
}

/* ExportLogsServiceRequest{resource_logs{scope_logs{log_records{body:
 * nested depth}}}}. */
HOSTILE_FN uint8_t *hostile_deep_log_body(int depth, size_t *len) {
  size_t n;
  uint8_t *b = hostile__nested_anyvalue(depth, &n);
  b = b ? hostile__wrap(b, n, 5, &n) : NULL; /* LogRecord.body */
  b = b ? hostile__wrap(b, n, 2, &n) : NULL; /* ScopeLogs.log_records */
  b = b ? hostile__wrap(b, n, 2, &n) : NULL; /* ResourceLogs.scope_logs */
  b = b ? hostile__wrap(b, n, 1, &n) : NULL; /* request.resource_logs */
  *len = n;
  return b;
}

/* ExportTraceServiceRequest{resource_spans{scope_spans{spans: {} x n}}}:
 * about total bytes (each empty span is 0x12 0x00). */
HOSTILE_FN uint8_t *hostile_empty_spans(size_t total, size_t *len) {
  size_t spans = total > 16 ? (total - 16) / 2 : 1;
  uint8_t *b = malloc(spans * 2 + 32);
  if (!b) return NULL;
  uint8_t head[32];
  size_t inner = spans * 2;
  /* built from the outside in: request{1: rs{2: ss{2: {} 2: {} ...}}} */
  size_t h = 0, ss_len = inner;
  size_t rs_len = 1 + hostile__varint(head, ss_len) + ss_len;
  h = hostile__varint(head, 1 << 3 | 2);
  h += hostile__varint(head + h, rs_len);
  head[h++] = 2 << 3 | 2;
  h += hostile__varint(head + h, ss_len);
  memcpy(b, head, h);
  for (size_t i = 0; i < spans; i++) {
    b[h + 2 * i] = 2 << 3 | 2;
    b[h + 2 * i + 1] = 0;
  }
  *len = h + inner;
  return b;
}

/* The same as OTLP/JSON: a span attribute nested depth deep. */
HOSTILE_FN char *hostile_deep_anyvalue_json(int depth, size_t *len) {
  static const char head[] =
      "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
      "\"5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\",\"spanId\":\"a5a5a5a5a5a5a5a5\",\"name\":\"deep\","
      "\"attributes\":[{\"key\":\"k\",\"value\":";
  static const char open[] = "{\"arrayValue\":{\"values\":[";
  static const char close[] = "]}}";
  static const char tail[] = "}]}]}]}]}";
  size_t n = sizeof head - 1 + (size_t)depth * (sizeof open - 1 + sizeof close - 1) + 2 +
             sizeof tail - 1;
  char *s = malloc(n + 1), *p = s;
  if (!s) return NULL;
  p = memcpy(p, head, sizeof head - 1), p += sizeof head - 1;
  for (int i = 0; i < depth; i++) p = memcpy(p, open, sizeof open - 1), p += sizeof open - 1;
  *p++ = '{', *p++ = '}';
  for (int i = 0; i < depth; i++) p = memcpy(p, close, sizeof close - 1), p += sizeof close - 1;
  memcpy(p, tail, sizeof tail - 1), p += sizeof tail - 1;
  *p = '\0';
  *len = (size_t)(p - s);
  return s;
}

/* About total bytes of OTLP/JSON: one scopeSpans of empty spans "{}". */
HOSTILE_FN char *hostile_empty_spans_json(size_t total, size_t *len) {
  static const char head[] = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[";
  static const char tail[] = "]}]}]}";
  size_t spans = total > 64 ? (total - 64) / 3 : 1;
  char *s = malloc(sizeof head + sizeof tail + spans * 3), *p = s;
  if (!s) return NULL;
  p = memcpy(p, head, sizeof head - 1), p += sizeof head - 1;
  for (size_t i = 0; i < spans; i++) {
    if (i) *p++ = ',';
    *p++ = '{', *p++ = '}';
  }
  memcpy(p, tail, sizeof tail - 1), p += sizeof tail - 1;
  *p = '\0';
  *len = (size_t)(p - s);
  return s;
}

#endif /* HOSTILE_BODIES_H */
