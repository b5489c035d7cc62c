/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_json_decode.c: OTLP/JSON body -> protobuf-c message, for the JSON
 * flavour of OTLP/HTTP. Like the encoder it walks the protobuf-c
 * descriptors, so it knows no message by name. It accepts what the OTLP
 * spec says receivers must: lowerCamelCase keys (and the original
 * snake_case ones), trace/span ids as hex, integers as numbers or strings,
 * enums as integers or names; unknown keys are ignored. Anything of the
 * wrong JSON type is an error: the caller answers 400.
 * Memory: every string, array and sub-message is malloc'd, so the result
 * is freed with protobuf_c_message_free_unpacked(msg, NULL).
 */
#include "viewer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

static bool key_matches(const char *field, const char *key) {
  if (strcmp(field, key) == 0) return true;
  /* compare key as lowerCamelCase of field */
  const char *f = field, *k = key;
  while (*f && *k) {
    if (*f == '_') {
      f++;
      if (!*f || toupper((unsigned char)*f) != *k) return false;
    } else if (*f != *k) {
      return false;
    }
    f++;
    k++;
  }
  return *f == '\0' && *k == '\0';
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool decode_hex(const char *s, ProtobufCBinaryData *out) {
  size_t n = strlen(s);
  if (n % 2) return false;
  out->len = n / 2;
  out->data = malloc(out->len ? out->len : 1);
  if (!out->data) return false;
  for (size_t i = 0; i < out->len; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0) { free(out->data); out->data = NULL; out->len = 0; return false; }
    out->data[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

static int b64val(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

static bool decode_base64(const char *s, ProtobufCBinaryData *out) {
  size_t n = strlen(s);
  out->data = malloc(n * 3 / 4 + 3);
  out->len = 0;
  if (!out->data) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (const char *p = s; *p && *p != '='; p++) {
    int v = b64val((unsigned char)*p);
    if (v < 0) { free(out->data); out->data = NULL; return false; }
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->data[out->len++] = (uint8_t)(acc >> bits);
    }
  }
  return true;
}

/* Integer from a number or a decimal string. */
static bool json_int(const cJSON *j, bool is_signed, int64_t *i, uint64_t *u) {
  if (cJSON_IsNumber(j)) {
    double d = j->valuedouble;
    if (d != floor(d)) return false;
    if (is_signed) { if (d < -9.3e18 || d > 9.3e18) return false; *i = (int64_t)d; }
    else { if (d < 0 || d > 1.85e19) return false; *u = (uint64_t)d; }
    return true;
  }
  if (!cJSON_IsString(j) || !j->valuestring[0]) return false;
  char *end;
  errno = 0;
  if (is_signed) *i = strtoll(j->valuestring, &end, 10);
  else {
    if (j->valuestring[0] == '-') return false;
    *u = strtoull(j->valuestring, &end, 10);
  }
  return errno == 0 && *end == '\0';
}

static bool json_double(const cJSON *j, double *d) {
  if (cJSON_IsNumber(j)) { *d = j->valuedouble; return true; }
  if (!cJSON_IsString(j)) return false;
  const char *s = j->valuestring;
  if (strcmp(s, "NaN") == 0) { *d = NAN; return true; }
  if (strcmp(s, "Infinity") == 0) { *d = INFINITY; return true; }
  if (strcmp(s, "-Infinity") == 0) { *d = -INFINITY; return true; }
  char *end;
  *d = strtod(s, &end);
  return *s && *end == '\0';
}

static size_t elem_size(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_DOUBLE:
    return 8;
  case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
  case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
  case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
  default: return 4;
  }
}

static ProtobufCMessage *decode_msg(const ProtobufCMessageDescriptor *d,
                                    const cJSON *j, int depth,
                                    const char **err);

/* Decodes one value of field f from j into p (an element slot). */
static bool decode_value(const ProtobufCFieldDescriptor *f, const cJSON *j,
                         void *p, int depth, const char **err) {
  int64_t i = 0;
  uint64_t u = 0;
  double d;
  switch (f->type) {
  case PROTOBUF_C_TYPE_ENUM:
    if (cJSON_IsString(j)) {
      const ProtobufCEnumValue *ev =
          protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, j->valuestring);
      if (ev) { *(int32_t *)p = ev->value; return true; }
    }
    __attribute__((fallthrough)); /* not a known name: an integer */
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
    if (!json_int(j, true, &i, &u) || i < INT32_MIN || i > INT32_MAX) break;
    *(int32_t *)p = (int32_t)i;
    return true;
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    if (!json_int(j, false, &i, &u) || u > UINT32_MAX) break;
    *(uint32_t *)p = (uint32_t)u;
    return true;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
    if (!json_int(j, true, &i, &u)) break;
    *(int64_t *)p = i;
    return true;
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    if (!json_int(j, false, &i, &u)) break;
    *(uint64_t *)p = u;
    return true;
  case PROTOBUF_C_TYPE_FLOAT:
    if (!json_double(j, &d)) break;
    *(float *)p = (float)d;
    return true;
  case PROTOBUF_C_TYPE_DOUBLE:
    if (!json_double(j, &d)) break;
    *(double *)p = d;
    return true;
  case PROTOBUF_C_TYPE_BOOL:
    if (!cJSON_IsBool(j)) break;
    *(protobuf_c_boolean *)p = cJSON_IsTrue(j);
    return true;
  case PROTOBUF_C_TYPE_STRING: {
    if (!cJSON_IsString(j)) break;
    char *s = strdup(j->valuestring);
    if (!s) { *err = "out of memory"; return false; }
    *(char **)p = s;
    return true;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    if (!cJSON_IsString(j)) break;
    bool id = strcmp(f->name, "trace_id") == 0 || strcmp(f->name, "span_id") == 0 ||
              strcmp(f->name, "parent_span_id") == 0;
    bool ok = id ? decode_hex(j->valuestring, p) : decode_base64(j->valuestring, p);
    if (!ok) { *err = id ? "invalid hex id" : "invalid base64"; return false; }
    return true;
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    if (!cJSON_IsObject(j)) break;
    ProtobufCMessage *m = decode_msg(f->descriptor, j, depth + 1, err);
    if (!m) return false;
    *(ProtobufCMessage **)p = m;
    return true;
  }
  }
  *err = "wrong JSON type for a field";
  return false;
}

static ProtobufCMessage *decode_msg(const ProtobufCMessageDescriptor *d,
                                    const cJSON *j, int depth,
                                    const char **err) {
  if (depth > MAX_DEPTH) { *err = "JSON nested too deeply"; return NULL; }
  ProtobufCMessage *m = calloc(1, d->sizeof_message);
  if (!m) { *err = "out of memory"; return NULL; }
  protobuf_c_message_init(d, m);
  for (const cJSON *item = j->child; item; item = item->next) {
    const ProtobufCFieldDescriptor *f = NULL;
    for (unsigned k = 0; k < d->n_fields; k++)
      if (key_matches(d->fields[k].name, item->string)) { f = &d->fields[k]; break; }
    if (!f || cJSON_IsNull(item)) continue; /* unknown keys are ignored */
    char *base = (char *)m;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      if (!cJSON_IsArray(item)) { *err = "expected a JSON array"; goto fail; }
      size_t *n = (size_t *)(base + f->quantifier_offset);
      void **arr = (void **)(base + f->offset);
      if (*n) continue; /* duplicate key: keep the first */
      size_t count = (size_t)cJSON_GetArraySize(item);
      if (count == 0) continue;
      *arr = calloc(count, elem_size(f->type));
      if (!*arr) { *err = "out of memory"; goto fail; }
      for (const cJSON *e = item->child; e; e = e->next) {
        if (!decode_value(f, e, (char *)*arr + *n * elem_size(f->type), depth, err))
          goto fail;
        (*n)++;
      }
      continue;
    }
    void *p = base + f->offset;
    /* a repeated key or a second oneof member replaces the first: free it */
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      uint32_t *c = (uint32_t *)(base + f->quantifier_offset);
      if (*c != 0) { *err = "more than one member of a oneof"; goto fail; }
      if (!decode_value(f, item, p, depth, err)) goto fail;
      *c = f->id;
      continue;
    }
    if ((f->type == PROTOBUF_C_TYPE_STRING &&
         *(char **)p != (const char *)f->default_value && *(char **)p) ||
        (f->type == PROTOBUF_C_TYPE_MESSAGE && *(void **)p) ||
        (f->type == PROTOBUF_C_TYPE_BYTES && ((ProtobufCBinaryData *)p)->data))
      continue; /* duplicate key: keep the first */
    if (!decode_value(f, item, p, depth, err)) goto fail;
    if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->type != PROTOBUF_C_TYPE_STRING &&
        f->type != PROTOBUF_C_TYPE_MESSAGE)
      *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
  }
  return m;
fail:
  protobuf_c_message_free_unpacked(m, NULL);
  return NULL;
}

ProtobufCMessage *vw_json_to_pb(const ProtobufCMessageDescriptor *desc,
                                const char *json, size_t len,
                                const char **err) {
  *err = NULL;
  cJSON *root = cJSON_ParseWithLength(json, len);
  if (!root) { *err = "invalid JSON"; return NULL; }
  ProtobufCMessage *m = NULL;
  if (!cJSON_IsObject(root)) *err = "expected a JSON object";
  else m = decode_msg(desc, root, 0, err);
  cJSON_Delete(root);
  return m;
}
