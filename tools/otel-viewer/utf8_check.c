/* SPDX-License-Identifier: Apache-2.0
 *
 * utf8_check.c: finds a string field that is not valid UTF-8 anywhere in a
 * decoded request. The OpenTelemetry Collector (protobuf-go) refuses such
 * a request whole, with "string field contains invalid UTF-8"; the viewer
 * does the same, so that an SDK sending one fails here as it would there
 * instead of only in the Docker setup. Walks any protobuf-c message
 * through its descriptor: singular, repeated and oneof string and message
 * fields. The validation is the viewer's own, not libotel-lite's utf8.c,
 * on purpose: the receiver is there to catch what the SDK gets wrong.
 */
#include "viewer.h"

#include <stdio.h>
#include <string.h>

/* RFC 3629 (viewer.h): no overlong forms, no surrogates, nothing above U+10FFFF.
 * ASCII, nearly all of telemetry, is passed over eight bytes at a time. */
bool vw_utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    for (; i + 8 <= len; i += 8) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
    }
    while (i < len && s[i] < 0x80) i++;
    if (i == len) break;
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
    else return false;
    if (len - i < n) return false;
    for (size_t k = 1; k < n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += n;
  }
  return true;
}

static bool utf8_valid(const char *text) {
  return vw_utf8_valid((const uint8_t *)text, strlen(text));
}

static const ProtobufCFieldDescriptor *find_bad(const ProtobufCMessage *m,
                                                const ProtobufCMessageDescriptor **owner) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    const char *at = (const char *)m + f->offset;
    size_t count = 1;
    const void *const *items = (const void *const *)at;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      count = *(const size_t *)((const char *)m + f->quantifier_offset);
      items = *(const void *const *const *)at;
    } else if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
               *(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id) {
      continue; /* another member of the oneof is set */
    }
    for (size_t k = 0; items && k < count; k++) {
      if (!items[k]) continue;
      if (f->type == PROTOBUF_C_TYPE_STRING) {
        if (!utf8_valid(items[k])) {
          *owner = d;
          return f;
        }
      } else {
        const ProtobufCFieldDescriptor *bad = find_bad(items[k], owner);
        if (bad) return bad;
      }
    }
  }
  return NULL;
}

bool vw_find_invalid_utf8(const ProtobufCMessage *m, char *msg, size_t size) {
  const ProtobufCMessageDescriptor *owner = NULL;
  const ProtobufCFieldDescriptor *f = find_bad(m, &owner);
  if (!f) return false;
  if (size) snprintf(msg, size, "string field contains invalid UTF-8 (%s.%s)", owner->short_name, f->name);
  return true;
}
