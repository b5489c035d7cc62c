/* SPDX-License-Identifier: Apache-2.0
 *
 * otlp_json.c: any protobuf-c message of the OTLP protos -> OTLP/JSON, the
 * encoding of the OTLP/HTTP JSON spec and of the Collector's file exporter.
 * It walks the protobuf-c descriptors instead of knowing each message, so
 * every signal shares one encoder. The spec's rules: keys in lowerCamelCase,
 * trace and span ids as lowercase hex (other bytes base64), enums as
 * integers, 64-bit integers as decimal strings, fields at their default
 * value omitted (proto2 optional fields: written when present).
 */
#include "viewer.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER(type, msg, off) (*(type *)((char *)(msg) + (off)))

void vw_hex(const uint8_t *b, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
  out[2 * n] = '\0';
}

/* "parent_span_id" -> "parentSpanId" into out. */
static void camel(const char *name, char *out, size_t size) {
  size_t o = 0;
  bool up = false;
  for (const char *p = name; *p && o + 1 < size; p++) {
    if (*p == '_') { up = true; continue; }
    out[o++] = up ? (char)toupper((unsigned char)*p) : *p;
    up = false;
  }
  out[o] = '\0';
}

static bool is_id_field(const char *name) {
  return strcmp(name, "trace_id") == 0 || strcmp(name, "span_id") == 0 ||
         strcmp(name, "parent_span_id") == 0;
}

static char *base64(const uint8_t *b, size_t n) {
  static const char tbl[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc(4 * ((n + 2) / 3) + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)b[i] << 16;
    if (i + 1 < n) v |= (uint32_t)b[i + 1] << 8;
    if (i + 2 < n) v |= b[i + 2];
    out[o++] = tbl[(v >> 18) & 63];
    out[o++] = tbl[(v >> 12) & 63];
    out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? tbl[v & 63] : '=';
  }
  out[o] = '\0';
  return out;
}

static cJSON *double_json(double d) {
  if (isnan(d)) return cJSON_CreateString("NaN");
  if (isinf(d)) return cJSON_CreateString(d > 0 ? "Infinity" : "-Infinity");
  return cJSON_CreateNumber(d);
}

static cJSON *u64_json(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
  return cJSON_CreateString(buf);
}

static cJSON *i64_json(int64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  return cJSON_CreateString(buf);
}

/* One value of field f stored at p. */
static cJSON *value_json(const ProtobufCFieldDescriptor *f, const void *p) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
  case PROTOBUF_C_TYPE_ENUM:
    return cJSON_CreateNumber(*(const int32_t *)p);
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    return cJSON_CreateNumber(*(const uint32_t *)p);
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
    return i64_json(*(const int64_t *)p);
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    return u64_json(*(const uint64_t *)p);
  case PROTOBUF_C_TYPE_FLOAT:
    return double_json(*(const float *)p);
  case PROTOBUF_C_TYPE_DOUBLE:
    return double_json(*(const double *)p);
  case PROTOBUF_C_TYPE_BOOL:
    return cJSON_CreateBool(*(const protobuf_c_boolean *)p);
  case PROTOBUF_C_TYPE_STRING: {
    const char *s = *(char *const *)p;
    return cJSON_CreateString(s ? s : "");
  }
  case PROTOBUF_C_TYPE_BYTES: {
    const ProtobufCBinaryData *b = p;
    if (is_id_field(f->name)) {
      char *hex = malloc(2 * b->len + 1);
      if (!hex) return NULL;
      vw_hex(b->data, b->len, hex);
      cJSON *j = cJSON_CreateString(hex);
      free(hex);
      return j;
    }
    char *s = base64(b->data, b->len);
    if (!s) return NULL;
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
    return m ? vw_pb_to_json(m) : cJSON_CreateObject();
  }
  }
  return NULL;
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

/* Whether a proto3 singular field holds its default (zero) value. */
static bool is_default(const ProtobufCFieldDescriptor *f, const void *p) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    return *(const uint64_t *)p == 0;
  case PROTOBUF_C_TYPE_DOUBLE: return *(const double *)p == 0.0;
  case PROTOBUF_C_TYPE_FLOAT: return *(const float *)p == 0.0f;
  case PROTOBUF_C_TYPE_BOOL: return !*(const protobuf_c_boolean *)p;
  case PROTOBUF_C_TYPE_STRING: {
    const char *s = *(char *const *)p;
    return !s || !*s;
  }
  case PROTOBUF_C_TYPE_BYTES: return ((const ProtobufCBinaryData *)p)->len == 0;
  case PROTOBUF_C_TYPE_MESSAGE: return *(ProtobufCMessage *const *)p == NULL;
  default: return *(const uint32_t *)p == 0;
  }
}

/* Whether field f of msg is set (and should be written). */
static bool field_present(const ProtobufCMessage *msg,
                          const ProtobufCFieldDescriptor *f) {
  const void *p = (const char *)msg + f->offset;
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    return MEMBER(uint32_t, msg, f->quantifier_offset) == f->id;
  if (f->label == PROTOBUF_C_LABEL_OPTIONAL) {
    if (f->type == PROTOBUF_C_TYPE_MESSAGE)
      return *(ProtobufCMessage *const *)p != NULL;
    if (f->type == PROTOBUF_C_TYPE_STRING) {
      const char *s = *(char *const *)p;
      return s && s != (const char *)f->default_value && *s;
    }
    return MEMBER(protobuf_c_boolean, msg, f->quantifier_offset);
  }
  return !is_default(f, p);
}

cJSON *vw_pb_to_json(const ProtobufCMessage *msg) {
  const ProtobufCMessageDescriptor *d = msg->descriptor;
  cJSON *obj = cJSON_CreateObject();
  if (!obj) return NULL;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    char key[64];
    camel(f->name, key, sizeof key);
    cJSON *v = NULL;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = MEMBER(size_t, msg, f->quantifier_offset);
      if (n == 0) continue;
      const char *arr = MEMBER(const char *, msg, f->offset);
      v = cJSON_CreateArray();
      for (size_t k = 0; v && k < n; k++) {
        cJSON *e = value_json(f, arr + k * elem_size(f->type));
        if (!e) { cJSON_Delete(v); v = NULL; break; }
        cJSON_AddItemToArray(v, e);
      }
    } else {
      if (!field_present(msg, f)) continue;
      v = value_json(f, (const char *)msg + f->offset);
    }
    if (!v) { cJSON_Delete(obj); return NULL; }
    cJSON_AddItemToObject(obj, key, v);
  }
  return obj;
}

vw_packed_t vw_pack(const ProtobufCMessage *msg) {
  vw_packed_t p = {NULL, protobuf_c_message_get_packed_size(msg)};
  p.data = malloc(p.len ? p.len : 1);
  if (p.data) protobuf_c_message_pack(msg, p.data);
  else p.len = 0;
  return p;
}

cJSON *vw_packed_json(const vw_packed_t *p, const ProtobufCMessageDescriptor *desc,
                      const char *service) {
  if (!p->data) return NULL;
  ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, p->len, p->data);
  if (!m) return NULL;
  cJSON *j = vw_pb_to_json(m);
  protobuf_c_message_free_unpacked(m, NULL);
  if (j) cJSON_AddStringToObject(j, "service", service ? service : "");
  return j;
}

/* OTLP JSON of a Resource (or NULL: none) with "attributes" always there,
 * so that readers need not test for it. */
cJSON *vw_resource_json(const ProtobufCMessage *resource) {
  cJSON *j = resource ? vw_pb_to_json(resource) : cJSON_CreateObject();
  if (j && !cJSON_HasObjectItem(j, "attributes") && !cJSON_AddArrayToObject(j, "attributes")) {
    cJSON_Delete(j);
    return NULL;
  }
  return j;
}

bool vw_add_origin_json(cJSON *obj, const vw_origin_t *o) {
  ProtobufCMessage *res = o->resource.data
      ? protobuf_c_message_unpack(&opentelemetry__proto__resource__v1__resource__descriptor, NULL,
                                  o->resource.len, o->resource.data)
      : NULL;
  ProtobufCMessage *scope = o->scope.data
      ? protobuf_c_message_unpack(
            &opentelemetry__proto__common__v1__instrumentation_scope__descriptor, NULL,
            o->scope.len, o->scope.data)
      : NULL;
  cJSON *rj = vw_resource_json(res);
  cJSON *sj = scope ? vw_pb_to_json(scope) : cJSON_CreateObject();
  if (res) protobuf_c_message_free_unpacked(res, NULL);
  if (scope) protobuf_c_message_free_unpacked(scope, NULL);
  if (!rj || !sj) {
    cJSON_Delete(rj);
    cJSON_Delete(sj);
    return false;
  }
  cJSON_AddItemToObject(obj, "resource", rj);
  cJSON_AddItemToObject(obj, "scope", sj);
  return true;
}
