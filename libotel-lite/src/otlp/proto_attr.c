/* SPDX-License-Identifier: Apache-2.0
 *
 * proto_attr.c: otel_attr_t -> OTLP KeyValue/AnyValue (see proto_attr.h).
 * Arrays become ArrayValue of homogeneous AnyValues, as the OTLP data model
 * defines for attribute arrays.
 */
#include "proto_attr.h"

#include "internal.h"
#include "utf8.h"

char *otel__proto_text(otel__arena_t *arena, const char *s) {
  if (!s) s = "";
  size_t len = strlen(s), n = otel__utf8_clean_len(s, len);
  char *p = otel__arena_alloc(arena, n + 1);
  if (!p) return NULL;
  *otel__utf8_put((uint8_t *)p, s, len, n) = '\0';
  return p;
}

static void any_scalar(otel__arena_t *arena, otel__pb_any_t *av,
                       otel_attr_type_t type, const void *item) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY:
    av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE;
    av->string_value = otel__proto_text(arena, *(const char *const *)item);
    break;
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_BOOL_ARRAY:
    av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE;
    av->bool_value = *(const bool *)item;
    break;
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_INT_ARRAY:
    av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE;
    av->int_value = *(const int64_t *)item;
    break;
  case OTEL_ATTR_TYPE_DOUBLE:
  case OTEL_ATTR_TYPE_DOUBLE_ARRAY:
    av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE;
    av->double_value = *(const double *)item;
    break;
  }
}

otel__pb_any_t *otel__proto_any(otel__arena_t *arena, const otel_attr_t *attr) {
  otel__pb_any_t *av = otel__arena_alloc(arena, sizeof(*av));
  if (!av) return NULL;
  opentelemetry__proto__common__v1__any_value__init(av);
  size_t isz = otel__attr_item_size(attr->type);
  if (isz == 0) { /* scalar */
    const void *item = attr->type == OTEL_ATTR_TYPE_STRING ? (const void *)&attr->value.s
                                                           : (const void *)&attr->value;
    any_scalar(arena, av, attr->type, item);
    return av->value_case == OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE &&
                   !av->string_value ? NULL : av;
  }
  Opentelemetry__Proto__Common__V1__ArrayValue *arr = otel__arena_alloc(arena, sizeof(*arr));
  size_t n = attr->value.array.items ? attr->value.array.len : 0;
  otel__pb_any_t **values = otel__arena_alloc(arena, n * sizeof(*values));
  otel__pb_any_t *items = otel__arena_alloc(arena, n * sizeof(*items));
  if (!arr || !values || !items) return NULL;
  opentelemetry__proto__common__v1__array_value__init(arr);
  const unsigned char *src = attr->value.array.items;
  for (size_t i = 0; i < n; i++) {
    opentelemetry__proto__common__v1__any_value__init(&items[i]);
    any_scalar(arena, &items[i], attr->type, src + i * isz);
    values[i] = &items[i];
  }
  arr->n_values = n;
  arr->values = values;
  av->value_case = OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE;
  av->array_value = arr;
  return av;
}

otel__pb_kv_t *otel__proto_kv(otel__arena_t *arena, const otel_attr_t *attr) {
  otel__pb_kv_t *kv = otel__arena_alloc(arena, sizeof(*kv));
  if (!kv) return NULL;
  opentelemetry__proto__common__v1__key_value__init(kv);
  kv->key = otel__proto_text(arena, attr->key);
  kv->value = otel__proto_any(arena, attr);
  return kv->key && kv->value ? kv : NULL;
}

otel__pb_kv_t **otel__proto_kvs(otel__arena_t *arena, const otel_attr_t *attrs,
                                size_t n, size_t *out_n) {
  *out_n = 0;
  if (n == 0) return NULL;
  otel__pb_kv_t **kvs = otel__arena_alloc(arena, n * sizeof(*kvs));
  if (!kvs) return NULL;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (!attrs[i].key || !attrs[i].key[0]) continue;
    otel__pb_kv_t *kv = otel__proto_kv(arena, &attrs[i]);
    if (!kv) return NULL;
    kvs[m++] = kv;
  }
  *out_n = m;
  return kvs;
}
