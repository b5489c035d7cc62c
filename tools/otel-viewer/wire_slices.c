/* SPDX-License-Identifier: Apache-2.0
 *
 * wire_slices.c: where each Span (or LogRecord) lies in the bytes of a
 * packed ExportTraceServiceRequest (or ExportLogsServiceRequest). The
 * viewer keeps every record packed; with these byte ranges it keeps the
 * bytes that arrived instead of packing the decoded record again (sizing
 * and packing were a tenth of its time under load). Both requests have the
 * same shape: field 1 (ResourceSpans / ResourceLogs), in it field 2
 * (ScopeSpans / ScopeLogs), in it field 2 (Span / LogRecord).
 *
 * The walk only reads framing (tags, varints, lengths); protobuf-c has
 * already validated the bytes. A count that disagrees with the decoded
 * request (or anything odd) makes the caller pack the records instead.
 */
#include "viewer.h"

#include <stdlib.h>

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

typedef struct walk {
  vw_slice_t *slices;
  size_t n, cap;
} walk_t;

static bool add_slice(walk_t *w, const uint8_t *data, size_t len) {
  if (w->n == w->cap) {
    size_t cap = w->cap ? 2 * w->cap : 256;
    vw_slice_t *s = realloc(w->slices, cap * sizeof *s);
    if (!s) return false;
    w->slices = s;
    w->cap = cap;
  }
  w->slices[w->n++] = (vw_slice_t){data, len};
  return true;
}

/* Walks the message in [p, end): the length-delimited fields numbered
 * path[0] are descended into with path + 1, or collected when depth is
 * the last; every other field is skipped. */
static bool walk(walk_t *w, const uint8_t *p, const uint8_t *end, const unsigned *path,
                 int depth) {
  while (p < end) {
    uint64_t tag, len;
    if (!read_varint(&p, end, &tag)) return false;
    switch (tag & 7) {
    case 0: /* varint */
      if (!read_varint(&p, end, &len)) return false;
      break;
    case 1: /* 64-bit */
      if (end - p < 8) return false;
      p += 8;
      break;
    case 5: /* 32-bit */
      if (end - p < 4) return false;
      p += 4;
      break;
    case 2: /* length-delimited */
      if (!read_varint(&p, end, &len) || len > (uint64_t)(end - p)) return false;
      if ((tag >> 3) == path[0]) {
        if (depth == 2 ? !add_slice(w, p, (size_t)len) : !walk(w, p, p + len, path + 1, depth + 1))
          return false;
      }
      p += len;
      break;
    default: /* groups: not in the OTLP protos */
      return false;
    }
  }
  return true;
}

size_t vw_wire_slices(const uint8_t *data, size_t len, vw_slice_t **out) {
  static const unsigned path[3] = {1, 2, 2};
  walk_t w = {0};
  *out = NULL;
  if (!walk(&w, data, data + len, path, 0)) {
    free(w.slices);
    return 0;
  }
  *out = w.slices;
  return w.n;
}
