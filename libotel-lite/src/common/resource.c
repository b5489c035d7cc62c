/* SPDX-License-Identifier: Apache-2.0
 *
 * resource.c: the Resource (resource.h): SDK defaults, explicit attributes,
 * OTEL_RESOURCE_ATTRIBUTES (percent-decoded; one bad entry discards the
 * whole variable, as the specification says) and OTEL_SERVICE_NAME, merged
 * in that order. Resources are immutable and reference-counted.
 */
#include "otel/resource.h"

#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct otel_resource {
  atomic_int refs;
  size_t count;
  size_t cap;
  otel_attr_t *attrs; /* owned keys, values and arrays */
};

static void attr_free(otel_attr_t *a) {
  free((char *)a->key);
  switch (a->type) {
  case OTEL_ATTR_TYPE_STRING: free((char *)a->value.s); break;
  case OTEL_ATTR_TYPE_STRING_ARRAY: {
    const char *const *items = a->value.array.items;
    for (size_t i = 0; i < a->value.array.len; i++) free((char *)items[i]);
    free((void *)a->value.array.items);
    break;
  }
  case OTEL_ATTR_TYPE_BOOL_ARRAY:
  case OTEL_ATTR_TYPE_INT_ARRAY:
  case OTEL_ATTR_TYPE_DOUBLE_ARRAY: free((void *)a->value.array.items); break;
  default: break;
  }
}

/* Deep-copies src into dst; returns 0 on success, -1 on OOM. */
static int attr_copy(otel_attr_t *dst, const otel_attr_t *src) {
  memset(dst, 0, sizeof(*dst));
  dst->type = src->type;
  dst->key = strdup(src->key);
  if (!dst->key) return -1;
  size_t isz = 0;
  switch (src->type) {
  case OTEL_ATTR_TYPE_STRING:
    dst->value.s = strdup(src->value.s ? src->value.s : "");
    return dst->value.s ? 0 : -1;
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_DOUBLE: dst->value = src->value; return 0;
  case OTEL_ATTR_TYPE_STRING_ARRAY: isz = sizeof(char *); break;
  case OTEL_ATTR_TYPE_BOOL_ARRAY: isz = sizeof(bool); break;
  case OTEL_ATTR_TYPE_INT_ARRAY: isz = sizeof(int64_t); break;
  case OTEL_ATTR_TYPE_DOUBLE_ARRAY: isz = sizeof(double); break;
  }
  size_t n = src->value.array.items ? src->value.array.len : 0;
  void *items = calloc(n ? n : 1, isz);
  if (!items) return -1;
  dst->value.array.items = items;
  dst->value.array.len = n;
  if (src->type != OTEL_ATTR_TYPE_STRING_ARRAY) {
    if (n) memcpy(items, src->value.array.items, n * isz);
    return 0;
  }
  const char *const *in = src->value.array.items;
  char **out = items;
  for (size_t i = 0; i < n; i++) {
    out[i] = strdup(in[i] ? in[i] : "");
    if (!out[i]) return -1;
  }
  return 0;
}

static otel_resource_t *resource_new(void) {
  otel_resource_t *r = calloc(1, sizeof(*r));
  if (r) atomic_init(&r->refs, 1);
  return r;
}

/* Sets (adds or replaces) one attribute by deep copy. */
static otel_err_t resource_put(otel_resource_t *r, const otel_attr_t *attr) {
  if (!attr->key || !attr->key[0]) return OTEL_OK;
  otel_attr_t copy;
  if (attr_copy(&copy, attr) != 0) {
    attr_free(&copy);
    return OTEL_ENOMEM;
  }
  for (size_t i = 0; i < r->count; i++) {
    if (strcmp(r->attrs[i].key, attr->key) == 0) {
      attr_free(&r->attrs[i]);
      r->attrs[i] = copy;
      return OTEL_OK;
    }
  }
  if (r->count == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 8;
    otel_attr_t *grown = realloc(r->attrs, cap * sizeof(*grown));
    if (!grown) {
      attr_free(&copy);
      return OTEL_ENOMEM;
    }
    r->attrs = grown;
    r->cap = cap;
  }
  r->attrs[r->count++] = copy;
  return OTEL_OK;
}

/* Percent-decodes [b, e) into a new string; NULL on a bad escape or OOM. */
static char *percent_decode(const char *b, const char *e) {
  size_t cap = (size_t)(e - b) + 1;
  char *out = malloc(cap);
  if (out && otel__percent_decode(b, e, out, cap) < 0) {
    free(out);
    return NULL;
  }
  return out;
}

static void trim(const char **b, const char **e) {
  while (*b < *e && isspace((unsigned char)**b)) (*b)++;
  while (*e > *b && isspace((unsigned char)(*e)[-1])) (*e)--;
}

/* Parses OTEL_RESOURCE_ATTRIBUTES into r. All or nothing: on a bad entry,
 * nothing is applied and the variable is reported. */
static otel_err_t apply_env_attributes(otel_resource_t *r, const char *v) {
  otel_resource_t *parsed = resource_new();
  if (!parsed) return OTEL_ENOMEM;
  otel_err_t err = OTEL_OK;
  const char *p = v;
  while (*p && !err) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *kb = p, *ke = eq ? eq : end;
    trim(&kb, &ke);
    if (!eq || kb == ke) {
      if (!(kb == ke && !eq)) err = OTEL_EPARSE; /* empty entry (",,") is skipped */
    } else {
      const char *vb = eq + 1, *ve = end;
      trim(&vb, &ve);
      char *key = percent_decode(kb, ke);
      char *val = percent_decode(vb, ve);
      if (!key || !val) err = OTEL_EPARSE;
      else err = resource_put(parsed, &OTEL_ATTR_STR(key, val));
      free(key);
      free(val);
    }
    p = *end ? end + 1 : end;
  }
  if (err == OTEL_EPARSE)
    otel__diag(OTEL_DIAG_WARN, "resource_env",
               "OTEL_RESOURCE_ATTRIBUTES=\"%s\" is not a list of key=value "
               "pairs with percent-encoded values; ignoring it", v);
  for (size_t i = 0; !err && i < parsed->count; i++) err = resource_put(r, &parsed->attrs[i]);
  otel_resource_release(parsed);
  return err == OTEL_EPARSE ? OTEL_OK : err;
}

static const char *process_name(char buf[64]) {
  extern char *program_invocation_short_name;
  snprintf(buf, 64, "unknown_service:%s",
           program_invocation_short_name ? program_invocation_short_name : "c");
  return buf;
}

otel_err_t otel_resource_create(const otel_attr_t *attrs, size_t n, otel_resource_t **out) {
  *out = NULL;
  otel_resource_t *r = resource_new();
  if (!r) return OTEL_ENOMEM;
  char name[64];
  otel_err_t err = resource_put(r, &OTEL_ATTR_STR("service.name", process_name(name)));
  if (!err) err = resource_put(r, &OTEL_ATTR_STR("telemetry.sdk.name", OTEL_SDK_NAME));
  if (!err) err = resource_put(r, &OTEL_ATTR_STR("telemetry.sdk.language", "c"));
  if (!err) err = resource_put(r, &OTEL_ATTR_STR("telemetry.sdk.version", OTEL_SDK_VERSION));
  for (size_t i = 0; !err && attrs && i < n; i++) err = resource_put(r, &attrs[i]);
  const char *env = otel__env_str("OTEL_RESOURCE_ATTRIBUTES");
  if (!err && env) err = apply_env_attributes(r, env);
  const char *svc = otel__env_str("OTEL_SERVICE_NAME");
  if (!err && svc) err = resource_put(r, &OTEL_ATTR_STR("service.name", svc));
  if (err) {
    otel_resource_release(r);
    return err;
  }
  *out = r;
  return OTEL_OK;
}

otel_err_t otel_resource_create_empty(otel_resource_t **out) {
  *out = resource_new();
  return *out ? OTEL_OK : OTEL_ENOMEM;
}

otel_err_t otel_resource_merge(const otel_resource_t *a, const otel_resource_t *b,
                               otel_resource_t **out) {
  *out = NULL;
  otel_resource_t *r = resource_new();
  if (!r) return OTEL_ENOMEM;
  otel_err_t err = OTEL_OK;
  for (size_t i = 0; !err && a && i < a->count; i++) err = resource_put(r, &a->attrs[i]);
  for (size_t i = 0; !err && b && i < b->count; i++) err = resource_put(r, &b->attrs[i]);
  if (err) {
    otel_resource_release(r);
    return err;
  }
  *out = r;
  return OTEL_OK;
}

size_t otel_resource_attr_count(const otel_resource_t *r) { return r ? r->count : 0; }

const otel_attr_t *otel_resource_attr_at(const otel_resource_t *r, size_t i) {
  return r && i < r->count ? &r->attrs[i] : NULL;
}

const otel_attr_t *otel_resource_get(const otel_resource_t *r, const char *key) {
  for (size_t i = 0; r && key && i < r->count; i++)
    if (strcmp(r->attrs[i].key, key) == 0) return &r->attrs[i];
  return NULL;
}

otel_resource_t *otel_resource_retain(otel_resource_t *r) {
  if (r) atomic_fetch_add(&r->refs, 1);
  return r;
}

void otel_resource_release(otel_resource_t *r) {
  if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
  for (size_t i = 0; i < r->count; i++) attr_free(&r->attrs[i]);
  free(r->attrs);
  free(r);
}
