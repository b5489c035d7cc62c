/* SPDX-License-Identifier: Apache-2.0
 *
 * console_span_exporter.c: writes each span as one readable JSON block, in
 * the layout of the Python SDK's ConsoleSpanExporter (name, context, kind,
 * parent_id, start/end time, status, attributes, events, links, resource),
 * so the workshop's C output looks like the Python one.
 */
#include "trace_internal.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *kind_name(otel_span_kind_t k) {
  switch (k) {
  case OTEL_SPAN_KIND_SERVER: return "SpanKind.SERVER";
  case OTEL_SPAN_KIND_CLIENT: return "SpanKind.CLIENT";
  case OTEL_SPAN_KIND_PRODUCER: return "SpanKind.PRODUCER";
  case OTEL_SPAN_KIND_CONSUMER: return "SpanKind.CONSUMER";
  default: return "SpanKind.INTERNAL";
  }
}

static const char *status_name(otel_span_status_t s) {
  return s == OTEL_SPAN_STATUS_OK ? "OK" : s == OTEL_SPAN_STATUS_ERROR ? "ERROR" : "UNSET";
}

static void add_time(cJSON *obj, const char *key, uint64_t ns) {
  time_t secs = (time_t)(ns / 1000000000ull);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[48];
  size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof(buf) - n, ".%06uZ", (unsigned)((ns % 1000000000ull) / 1000));
  cJSON_AddStringToObject(obj, key, buf);
}

static void add_hex(cJSON *obj, const char *key, const uint8_t *id, size_t n) {
  char hex[35] = "0x";
  if (n == 16) otel_trace_id_to_hex(id, hex + 2);
  else otel_span_id_to_hex(id, hex + 2);
  cJSON_AddStringToObject(obj, key, hex);
}

static cJSON *attr_value(const otel_attr_t *a) {
  switch (a->type) {
  case OTEL_ATTR_TYPE_STRING: return cJSON_CreateString(a->value.s ? a->value.s : "");
  case OTEL_ATTR_TYPE_BOOL: return cJSON_CreateBool(a->value.b);
  case OTEL_ATTR_TYPE_INT: return cJSON_CreateNumber((double)a->value.i);
  case OTEL_ATTR_TYPE_DOUBLE: return cJSON_CreateNumber(a->value.d);
  default: break;
  }
  cJSON *arr = cJSON_CreateArray();
  for (size_t i = 0; i < a->value.array.len; i++) {
    otel_attr_t item = {.key = a->key};
    switch (a->type) {
    case OTEL_ATTR_TYPE_STRING_ARRAY:
      item = OTEL_ATTR_STR(a->key, ((const char *const *)a->value.array.items)[i]);
      break;
    case OTEL_ATTR_TYPE_BOOL_ARRAY:
      item = OTEL_ATTR_BOOL(a->key, ((const bool *)a->value.array.items)[i]);
      break;
    case OTEL_ATTR_TYPE_INT_ARRAY:
      item = OTEL_ATTR_INT(a->key, ((const int64_t *)a->value.array.items)[i]);
      break;
    default:
      item = OTEL_ATTR_DOUBLE(a->key, ((const double *)a->value.array.items)[i]);
      break;
    }
    cJSON_AddItemToArray(arr, attr_value(&item));
  }
  return arr;
}

static cJSON *attrs_object(const otel_attr_t *attrs, size_t n) {
  cJSON *obj = cJSON_CreateObject();
  for (size_t i = 0; i < n; i++) cJSON_AddItemToObject(obj, attrs[i].key, attr_value(&attrs[i]));
  return obj;
}

static char *span_json(const otel_span_data_t *s) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "name", s->name);
  cJSON *ctx = cJSON_AddObjectToObject(o, "context");
  add_hex(ctx, "trace_id", s->context.trace_id, 16);
  add_hex(ctx, "span_id", s->context.span_id, 8);
  cJSON_AddStringToObject(ctx, "trace_state", s->trace_state ? s->trace_state : "");
  cJSON_AddStringToObject(o, "kind", kind_name(s->kind));
  static const uint8_t zero[8];
  if (memcmp(s->parent_span_id, zero, 8)) add_hex(o, "parent_id", s->parent_span_id, 8);
  else cJSON_AddNullToObject(o, "parent_id");
  add_time(o, "start_time", s->start_time_ns);
  add_time(o, "end_time", s->end_time_ns);
  cJSON *st = cJSON_AddObjectToObject(o, "status");
  cJSON_AddStringToObject(st, "status_code", status_name(s->status));
  if (s->status_description) cJSON_AddStringToObject(st, "description", s->status_description);
  cJSON_AddItemToObject(o, "attributes", attrs_object(s->attrs, s->attr_count));
  cJSON *events = cJSON_AddArrayToObject(o, "events");
  for (size_t i = 0; i < s->event_count; i++) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", s->events[i].name);
    add_time(e, "timestamp", s->events[i].time_ns);
    cJSON_AddItemToObject(e, "attributes", attrs_object(s->events[i].attrs, s->events[i].attr_count));
    cJSON_AddItemToArray(events, e);
  }
  cJSON *links = cJSON_AddArrayToObject(o, "links");
  for (size_t i = 0; i < s->link_count; i++) {
    cJSON *l = cJSON_CreateObject();
    cJSON *lc = cJSON_AddObjectToObject(l, "context");
    add_hex(lc, "trace_id", s->links[i].context.trace_id, 16);
    add_hex(lc, "span_id", s->links[i].context.span_id, 8);
    cJSON_AddItemToObject(l, "attributes", attrs_object(s->links[i].attrs, s->links[i].attr_count));
    cJSON_AddItemToArray(links, l);
  }
  cJSON *res = cJSON_AddObjectToObject(o, "resource");
  cJSON *rattrs = cJSON_CreateObject();
  for (size_t i = 0; i < otel_resource_attr_count(s->resource); i++) {
    const otel_attr_t *a = otel_resource_attr_at(s->resource, i);
    cJSON_AddItemToObject(rattrs, a->key, attr_value(a));
  }
  cJSON_AddItemToObject(res, "attributes", rattrs);
  cJSON_AddStringToObject(res, "schema_url", "");
  char *text = cJSON_Print(o);
  cJSON_Delete(o);
  return text;
}

static otel_err_t console_export(void *ctx, const otel_span_data_t *const *spans, size_t n) {
  FILE *out = ctx;
  for (size_t i = 0; i < n; i++) {
    char *text = span_json(spans[i]);
    if (!text) return OTEL_ENOMEM;
    fprintf(out, "%s\n", text);
    cJSON_free(text);
  }
  fflush(out);
  return ferror(out) ? OTEL_EIO : OTEL_OK;
}

static const struct otel_span_exporter_type console_type = {.name = "console",
                                                            .export_spans = console_export};

otel_span_exporter_t *otel_console_span_exporter_create(FILE *out) {
  return otel_span_exporter_create(&console_type, out ? out : stdout);
}
