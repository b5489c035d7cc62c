/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_response.c: the partial-success part of an OTLP export's answer,
 * read from the protobuf bytes both transports receive. The three
 * Export{Trace,Metrics,Logs}ServiceResponse messages are one message on
 * the wire:
 *
 *   partial_success = 1 { int64 rejected_<spans|data_points|log_records> = 1;
 *                         string error_message = 2; }
 *
 * so one reader serves every signal, and the client needs to know none.
 * Unknown fields are skipped; a malformed answer changes nothing.
 */
#include "otlp_transport.h"

#include <string.h>

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  *v = 0;
  for (unsigned shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

/* One field: its number and wire type, and its value (a varint) or its
 * extent (length-delimited); fixed-size fields are skipped. */
typedef struct field {
  uint64_t number;
  unsigned type;
  uint64_t varint;
  const uint8_t *data;
  size_t len;
} field_t;

static bool read_field(const uint8_t **p, const uint8_t *end, field_t *f) {
  uint64_t tag, v;
  if (!read_varint(p, end, &tag)) return false;
  f->number = tag >> 3;
  f->type = (unsigned)(tag & 7);
  switch (f->type) {
  case 0: return read_varint(p, end, &f->varint);
  case 1:
    if (end - *p < 8) return false;
    *p += 8;
    return true;
  case 5:
    if (end - *p < 4) return false;
    *p += 4;
    return true;
  case 2:
    if (!read_varint(p, end, &v) || v > (uint64_t)(end - *p)) return false;
    f->data = *p;
    f->len = (size_t)v;
    *p += v;
    return true;
  default: return false; /* groups (3, 4) are not in OTLP */
  }
}

void otel__otlp_read_response(const uint8_t *body, size_t len, otel__otlp_attempt_t *out) {
  const uint8_t *p = body, *end = body + len;
  int64_t rejected = 0;
  const uint8_t *msg = NULL;
  size_t msg_len = 0;
  while (p < end) {
    field_t f;
    if (!read_field(&p, end, &f)) return;
    if (f.number != 1 || f.type != 2) continue;
    /* ExportPartialSuccess (a repeated one is merged, as protobuf does) */
    const uint8_t *q = f.data, *qend = f.data + f.len;
    while (q < qend) {
      field_t g;
      if (!read_field(&q, qend, &g)) return;
      if (g.number == 1 && g.type == 0) rejected = (int64_t)g.varint;
      else if (g.number == 2 && g.type == 2) {
        msg = g.data;
        msg_len = g.len;
      }
    }
  }
  out->rejected = rejected;
  if (msg_len >= sizeof out->message) msg_len = sizeof out->message - 1;
  if (msg) memcpy(out->message, msg, msg_len);
  if (msg || rejected) out->message[msg_len] = '\0';
}
