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
 * Limits, so that no body can exhaust the stack of a civetweb worker or
 * the memory: before cJSON parses anything, one pass over the text counts
 * its bracket depth (at most 2 x VW_MAX_NESTING: cJSON recurses once per
 * bracket) and its values and strings, which bound the size of cJSON's
 * tree; then every allocation of the message is counted against what the
 * tree leaves of max_bytes, and messages nest at most VW_MAX_NESTING deep
 * (the request is 1), as pb_decode.c allows for protobuf.
 */
#include "viewer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BRACKETS (2 * VW_MAX_NESTING)
#define STR_(x) #x
#define STR(x) STR_(x)
/* what glibc's malloc takes per allocation beyond its size (about) */
#define MALLOC_OVERHEAD 16

typedef struct decode {
  size_t used, max;  /* bytes allocated for the message, and the most allowed */
  bool too_large;
  const char **err;
} decode_t;

/* Counts n bytes (one allocation) against the budget; false past it. */
static bool take(decode_t *d, size_t n) {
  size_t cost = n + MALLOC_OVERHEAD;
  if (cost < n || cost > d->max - d->used) {
    d->too_large = true;
    *d->err = "request too large once decoded (over the viewer's limit)";
    return false;
  }
  d->used += cost;
  return true;
}

/* What cJSON will build for the text, counted without parsing it. */
typedef struct json_shape {
  size_t values;       /* at most: 1 + commas + brackets */
  size_t strings;      /* quoted strings (keys and values) */
  size_t string_bytes;
} json_shape_t;

/* False when brackets nest deeper than max_brackets (outside strings). */
static bool json_prescan(const char *s, size_t len, int max_brackets, json_shape_t *out) {
  size_t commas = 0, brackets = 0;
  int depth = 0;
  bool in_string = false;
  *out = (json_shape_t){0};
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') i++, out->string_bytes++;
      else if (c == '"') in_string = false;
      out->string_bytes++;
      continue;
    }
    switch (c) {
    case '"': in_string = true; out->strings++; break;
    case ',': commas++; break;
    case '{': case '[':
      brackets++;
      if (++depth > max_brackets) return false;
      break;
    case '}': case ']':
      if (depth > 0) depth--;
      break;
    default: break;
    }
  }
  out->values = 1 + commas + brackets;
  return true;
}

/* Bytes of cJSON's tree for such a text: a cJSON node per value, a
 * malloc'd copy of every string (keys too). */
static size_t json_tree_bytes(const json_shape_t *j) {
  size_t node = sizeof(cJSON) + MALLOC_OVERHEAD, str = 1 + MALLOC_OVERHEAD;
  if (j->values > SIZE_MAX / 2 / node || j->strings > SIZE_MAX / 4 / str) return SIZE_MAX;
  return j->values * node + j->strings * str + j->string_bytes;
}

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

static bool decode_hex(decode_t *d, const char *s, ProtobufCBinaryData *out) {
  size_t n = strlen(s);
  if (n % 2) return false;
  out->len = n / 2;
  if (!take(d, out->len ? out->len : 1)) { out->len = 0; return false; }
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

static bool decode_base64(decode_t *d, const char *s, ProtobufCBinaryData *out) {
  size_t n = strlen(s);
  if (!take(d, n * 3 / 4 + 3)) { out->data = NULL; out->len = 0; return false; }
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

static ProtobufCMessage *decode_msg(decode_t *dc, const ProtobufCMessageDescriptor *d,
                                    const cJSON *j, int depth);

/* Decodes one value of field f from j into p (an element slot). */
static bool decode_value(decode_t *dc, const ProtobufCFieldDescriptor *f, const cJSON *j,
                         void *p, int depth) {
  const char **err = dc->err;
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
    if (!take(dc, strlen(j->valuestring) + 1)) return false;
    char *s = strdup(j->valuestring);
    if (!s) { *err = "out of memory"; return false; }
    *(char **)p = s;
    return true;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    if (!cJSON_IsString(j)) break;
    bool id = strcmp(f->name, "trace_id") == 0 || strcmp(f->name, "span_id") == 0 ||
              strcmp(f->name, "parent_span_id") == 0;
    bool ok = id ? decode_hex(dc, j->valuestring, p) : decode_base64(dc, j->valuestring, p);
    if (!ok && !dc->too_large) *err = id ? "invalid hex id" : "invalid base64";
    if (!ok) return false;
    return true;
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    if (!cJSON_IsObject(j)) break;
    ProtobufCMessage *m = decode_msg(dc, f->descriptor, j, depth + 1);
    if (!m) return false;
    *(ProtobufCMessage **)p = m;
    return true;
  }
  }
  *err = "wrong JSON type for a field";
  return false;
}

static ProtobufCMessage *decode_msg(decode_t *dc, const ProtobufCMessageDescriptor *d,
                                    const cJSON *j, int depth) {
  const char **err = dc->err;
  if (depth > VW_MAX_NESTING) {
    *err = "messages nested deeper than the viewer's limit of " STR(VW_MAX_NESTING) " levels";
    return NULL;
  }
  if (!take(dc, d->sizeof_message)) return NULL;
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
      if (count > SIZE_MAX / 16 || !take(dc, count * elem_size(f->type))) goto fail;
      *arr = calloc(count, elem_size(f->type));
      if (!*arr) { *err = "out of memory"; goto fail; }
      for (const cJSON *e = item->child; e; e = e->next) {
        if (!decode_value(dc, f, e, (char *)*arr + *n * elem_size(f->type), depth))
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
      if (!decode_value(dc, f, item, p, depth)) goto fail;
      *c = f->id;
      continue;
    }
    if ((f->type == PROTOBUF_C_TYPE_STRING &&
         *(char **)p != (const char *)f->default_value && *(char **)p) ||
        (f->type == PROTOBUF_C_TYPE_MESSAGE && *(void **)p) ||
        (f->type == PROTOBUF_C_TYPE_BYTES && ((ProtobufCBinaryData *)p)->data))
      continue; /* duplicate key: keep the first */
    if (!decode_value(dc, f, item, p, depth)) goto fail;
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
                                const char *json, size_t len, size_t max_bytes,
                                const char **err, bool *too_large) {
  *err = NULL;
  if (too_large) *too_large = false;
  json_shape_t shape;
  if (!json_prescan(json, len, MAX_BRACKETS, &shape)) {
    *err = "JSON nested deeper than the viewer's limit of 2 x " STR(VW_MAX_NESTING) " brackets";
    return NULL;
  }
  size_t tree = json_tree_bytes(&shape);
  if (tree > max_bytes) {
    *err = "request too large once decoded (over the viewer's limit)";
    if (too_large) *too_large = true;
    return NULL;
  }
  cJSON *root = cJSON_ParseWithLength(json, len);
  if (!root) { *err = "invalid JSON"; return NULL; }
  ProtobufCMessage *m = NULL;
  decode_t dc = {.max = max_bytes - tree, .err = err};
  if (!cJSON_IsObject(root)) *err = "expected a JSON object";
  else m = decode_msg(&dc, desc, root, 1);
  cJSON_Delete(root);
  if (too_large) *too_large = dc.too_large;
  return m;
}
