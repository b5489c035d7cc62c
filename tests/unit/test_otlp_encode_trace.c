/* test_otlp_encode_trace.c: otlp_encode_trace.c writes the wire format
 * itself, backwards in one pass (otlp_wire_back.c: attributes, the
 * request, the buffer growing from a first guess of its size), so its
 * bytes are checked two ways: decoded with protobuf-c (our
 * .proto files), every field equals the span it came from; and packed
 * again by protobuf-c, they are the same bytes (fields in number order,
 * defaults left out, lengths right). Spans from two resources and three
 * scopes, interleaved; every attribute type, arrays included; events,
 * links, statuses, dropped counts, a span without parent or name; text
 * that is not valid UTF-8 in values, keys, event names and statuses,
 * which must arrive with U+FFFD in place of each bad byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otlp_encode.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h"

typedef Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest req_t;
typedef Opentelemetry__Proto__Trace__V1__Span pb_span_t;
typedef Opentelemetry__Proto__Common__V1__KeyValue pb_kv_t;
typedef Opentelemetry__Proto__Common__V1__AnyValue pb_any_t;

#define MAX_SPANS 16

typedef struct fixture {
  otel_tracer_provider_t *tp[2];
  otel_span_exporter_t *mem[2]; /* owned by the providers */
  const otel_span_data_t *spans[MAX_SPANS];
  size_t n;
} fixture_t;

static otel_tracer_provider_t *provider(const char *service, otel_span_exporter_t **mem,
                                        uint32_t attr_limit) {
  otel_attr_t r[] = {OTEL_ATTR_STR("service.name", service)};
  otel_resource_t *res;
  assert_int_equal(otel_resource_create(r, 1, &res), OTEL_OK);
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.resource = res;
  o.sampler = otel_sampler_always_on();
  o.limits.attribute_count = attr_limit;
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&o, &tp), OTEL_OK);
  otel_resource_release(res); /* the provider holds its own reference */
  *mem = otel_memory_span_exporter_create();
  otel_span_processor_t *p;
  assert_int_equal(otel_simple_span_processor_create(*mem, &p), OTEL_OK);
  otel_tracer_provider_add_processor(tp, p);
  return tp;
}

/* Every kind of content, on spans ended in an order that interleaves the
 * two resources and three scopes. */
static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  f->tp[0] = provider("gateway", &f->mem[0], 13);
  f->tp[1] = provider("iss-distance-service", &f->mem[1], 128);
  otel_tracer_t *a = otel_tracer_provider_get_tracer(f->tp[0], "scope.a", "1.2.3");
  otel_tracer_t *b = otel_tracer_provider_get_tracer(f->tp[0], "scope.b", NULL);
  otel_tracer_t *c = otel_tracer_provider_get_tracer(f->tp[1], "scope.c", "0.1");

  otel_span_start_options_t server = {.kind = OTEL_SPAN_KIND_SERVER, .root = true};
  otel_span_t *root = otel_tracer_start_span(a, "GET /", &server);
  const char *strs[] = {"x", NULL, "", "\xff not utf-8"};
  bool bools[] = {true, false};
  int64_t ints[] = {0, -1, INT64_MAX, INT64_MIN};
  double dbls[] = {0.0, -0.5, 1e300};
  otel_attr_t attrs[] = {
      OTEL_ATTR_STR("http.request.method", "GET"),
      OTEL_ATTR_STR("empty", ""),
      OTEL_ATTR_STR("null", NULL),
      OTEL_ATTR_BOOL("false", false),
      OTEL_ATTR_BOOL("true", true),
      OTEL_ATTR_INT("zero", 0),
      OTEL_ATTR_INT("negative", -42),
      OTEL_ATTR_DOUBLE("double", 51.5072),
      OTEL_ATTR_ARRAY("strings", OTEL_ATTR_TYPE_STRING_ARRAY, strs, 4),
      OTEL_ATTR_ARRAY("bools", OTEL_ATTR_TYPE_BOOL_ARRAY, bools, 2),
      OTEL_ATTR_ARRAY("ints", OTEL_ATTR_TYPE_INT_ARRAY, ints, 4),
      OTEL_ATTR_ARRAY("doubles", OTEL_ATTR_TYPE_DOUBLE_ARRAY, dbls, 3),
      OTEL_ATTR_ARRAY("no items", OTEL_ATTR_TYPE_INT_ARRAY, NULL, 0),
      OTEL_ATTR_STR("key \xfe", "cut \xC3"),
      OTEL_ATTR_STR("over the limit", "dropped"),
  };
  otel_span_set_attributes(root, attrs, sizeof attrs / sizeof attrs[0]);
  otel_attr_t ev[] = {OTEL_ATTR_INT("n", 1)};
  otel_span_add_event_at(root, "cache \xED\xA0\x80 miss", 1700000000000000000ull, ev, 1);
  otel_span_add_event_at(root, NULL, 0, NULL, 0);
  otel_span_context_t linked = otel_span_get_context(root);
  linked.is_remote = true;
  otel_span_link_t link = {.context = linked, .trace_state = "k=v", .attrs = ev, .attr_count = 1};
  otel_span_start_options_t client = {.kind = OTEL_SPAN_KIND_CLIENT, .links = &link, .link_count = 1};
  otel_span_t *child = otel_tracer_start_span(b, "GET", &client);
  otel_span_set_status(child, OTEL_SPAN_STATUS_ERROR, "upstream answered 503 \xC0\xAF");
  otel_span_t *other = otel_tracer_start_span(c, "calculating-iss-distance",
                                              &(otel_span_start_options_t){.root = true});
  otel_span_set_attribute_str(other, "iss.position", "-6.3430,105.6684");
  otel_span_set_status(other, OTEL_SPAN_STATUS_OK, NULL);
  otel_span_t *unnamed = otel_tracer_start_span(a, "", &(otel_span_start_options_t){.parent = root});
  otel_span_end(child);
  otel_span_end(other);
  otel_span_end(unnamed);
  otel_span_end(root);
  otel_span_t *late = otel_tracer_start_span(c, "getting-iss-coordinates",
                                             &(otel_span_start_options_t){.root = true});
  otel_span_end(late);
  /* the memory exporters keep them: gateway's three, iss's first, gateway's root, iss's last */
  const otel_span_data_t *g[3], *i[2];
  for (size_t k = 0; k < 3; k++) g[k] = otel_memory_span_exporter_get(f->mem[0], k);
  for (size_t k = 0; k < 2; k++) i[k] = otel_memory_span_exporter_get(f->mem[1], k);
  const otel_span_data_t *order[] = {g[0], i[0], g[1], g[2], i[1]};
  for (size_t k = 0; k < 5; k++) f->spans[f->n++] = otel_span_data_retain(order[k]);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  for (size_t k = 0; k < f->n; k++) otel_span_data_release(f->spans[k]);
  otel_tracer_provider_destroy(f->tp[0]);
  otel_tracer_provider_destroy(f->tp[1]);
  free(f);
  return 0;
}

static const char *service_of(const Opentelemetry__Proto__Resource__V1__Resource *r) {
  for (size_t i = 0; r && i < r->n_attributes; i++)
    if (!strcmp(r->attributes[i]->key, "service.name")) return r->attributes[i]->value->string_value;
  return NULL;
}

/* The text a receiver gets for s: the strings setup made that are not
 * valid UTF-8 (a stray byte, a cut sequence, a surrogate, an overlong
 * form) with U+FFFD for each bad byte; any other string as it is. */
static const char *as_sent(const char *s) {
  static const char *const sent[][2] = {
      {"\xff not utf-8", "\xEF\xBF\xBD not utf-8"},
      {"key \xfe", "key \xEF\xBF\xBD"},
      {"cut \xC3", "cut \xEF\xBF\xBD"},
      {"cache \xED\xA0\x80 miss", "cache \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD miss"},
      {"upstream answered 503 \xC0\xAF", "upstream answered 503 \xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  if (!s) return "";
  for (size_t i = 0; i < sizeof sent / sizeof sent[0]; i++)
    if (!strcmp(s, sent[i][0])) return sent[i][1];
  return s;
}

static void assert_any(const pb_any_t *v, otel_attr_type_t type, const void *item) {
  switch (type) {
  case OTEL_ATTR_TYPE_STRING:
  case OTEL_ATTR_TYPE_STRING_ARRAY: {
    const char *s = *(const char *const *)item;
    assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE);
    assert_string_equal(v->string_value, as_sent(s));
    break;
  }
  case OTEL_ATTR_TYPE_BOOL:
  case OTEL_ATTR_TYPE_BOOL_ARRAY:
    assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE);
    assert_int_equal(v->bool_value, *(const bool *)item);
    break;
  case OTEL_ATTR_TYPE_INT:
  case OTEL_ATTR_TYPE_INT_ARRAY:
    assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE);
    assert_true(v->int_value == *(const int64_t *)item);
    break;
  default:
    assert_int_equal(v->value_case, OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE);
    assert_memory_equal(&v->double_value, item, sizeof(double));
  }
}

static void assert_attrs(pb_kv_t **kv, size_t n_kv, const otel_attr_t *attrs, size_t n) {
  assert_int_equal(n_kv, n);
  for (size_t i = 0; i < n; i++) {
    const otel_attr_t *a = &attrs[i];
    assert_string_equal(kv[i]->key, as_sent(a->key));
    assert_non_null(kv[i]->value);
    static const size_t isz[] = {0, 0, 0, 0, sizeof(char *), sizeof(bool), sizeof(int64_t),
                                 sizeof(double)};
    if (!isz[a->type]) {
      assert_any(kv[i]->value, a->type,
                 a->type == OTEL_ATTR_TYPE_STRING ? (const void *)&a->value.s : (const void *)&a->value);
      continue;
    }
    assert_int_equal(kv[i]->value->value_case,
                     OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE);
    size_t len = a->value.array.items ? a->value.array.len : 0;
    assert_int_equal(kv[i]->value->array_value->n_values, len);
    for (size_t k = 0; k < len; k++)
      assert_any(kv[i]->value->array_value->values[k], a->type,
                 (const unsigned char *)a->value.array.items + k * isz[a->type]);
  }
}

static void assert_span(const pb_span_t *p, const otel_span_data_t *s) {
  assert_memory_equal(p->trace_id.data, s->context.trace_id, 16);
  assert_memory_equal(p->span_id.data, s->context.span_id, 8);
  static const uint8_t zero[8];
  if (memcmp(s->parent_span_id, zero, 8)) {
    assert_int_equal(p->parent_span_id.len, 8);
    assert_memory_equal(p->parent_span_id.data, s->parent_span_id, 8);
  } else {
    assert_int_equal(p->parent_span_id.len, 0);
  }
  assert_string_equal(p->name, as_sent(s->name));
  assert_int_equal(p->kind, s->kind);
  assert_true(p->start_time_unix_nano == s->start_time_ns);
  assert_true(p->end_time_unix_nano == s->end_time_ns);
  assert_attrs(p->attributes, p->n_attributes, s->attrs, s->attr_count);
  assert_int_equal(p->dropped_attributes_count, s->dropped_attrs);
  assert_int_equal(p->n_events, s->event_count);
  for (size_t i = 0; i < s->event_count; i++) {
    assert_true(p->events[i]->time_unix_nano == s->events[i].time_ns);
    assert_string_equal(p->events[i]->name, as_sent(s->events[i].name));
    assert_attrs(p->events[i]->attributes, p->events[i]->n_attributes, s->events[i].attrs,
                 s->events[i].attr_count);
  }
  assert_int_equal(p->n_links, s->link_count);
  for (size_t i = 0; i < s->link_count; i++) {
    assert_memory_equal(p->links[i]->trace_id.data, s->links[i].context.trace_id, 16);
    assert_memory_equal(p->links[i]->span_id.data, s->links[i].context.span_id, 8);
    assert_string_equal(p->links[i]->trace_state, s->links[i].trace_state ? s->links[i].trace_state : "");
    assert_int_equal(p->links[i]->flags & 0x300, s->links[i].context.is_remote ? 0x300 : 0x100);
    assert_attrs(p->links[i]->attributes, p->links[i]->n_attributes, s->links[i].attrs,
                 s->links[i].attr_count);
  }
  assert_non_null(p->status);
  assert_int_equal(p->status->code, s->status);
  assert_string_equal(p->status->message, as_sent(s->status_description));
  assert_int_equal(p->flags & 0xff, s->context.trace_flags);
  assert_true(p->flags & 0x100);
}

static void test_encode_spans_decode_to_the_spans_and_repack_identically(void **state) {
  fixture_t *f = *state;
  uint8_t *buf;
  size_t len;
  assert_int_equal(otel__otlp_encode_spans(f->spans, f->n, &buf, &len), OTEL_OK);
  req_t *req = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
      NULL, len, buf);
  assert_non_null(req);

  /* protobuf-c packs the decoded message into the very same bytes */
  size_t again_len = protobuf_c_message_get_packed_size(&req->base);
  assert_int_equal(again_len, len);
  uint8_t *again = malloc(again_len);
  protobuf_c_message_pack(&req->base, again);
  assert_memory_equal(again, buf, len);
  free(again);

  /* grouped by resource, then scope, in order of first appearance: the
   * batch is child (gateway, scope.b), other (iss, scope.c), unnamed and
   * root (gateway, scope.a), late (iss, scope.c) */
  assert_int_equal(req->n_resource_spans, 2);
  Opentelemetry__Proto__Trace__V1__ResourceSpans *gw = req->resource_spans[0];
  Opentelemetry__Proto__Trace__V1__ResourceSpans *iss = req->resource_spans[1];
  assert_string_equal(service_of(gw->resource), "gateway");
  assert_string_equal(service_of(iss->resource), "iss-distance-service");
  assert_int_equal(gw->n_scope_spans, 2);
  assert_int_equal(iss->n_scope_spans, 1);
  assert_string_equal(gw->scope_spans[0]->scope->name, "scope.b");
  assert_string_equal(gw->scope_spans[0]->scope->version, "");
  assert_string_equal(gw->scope_spans[1]->scope->name, "scope.a");
  assert_string_equal(gw->scope_spans[1]->scope->version, "1.2.3");
  assert_string_equal(iss->scope_spans[0]->scope->name, "scope.c");
  assert_int_equal(gw->scope_spans[0]->n_spans, 1);
  assert_int_equal(gw->scope_spans[1]->n_spans, 2);
  assert_int_equal(iss->scope_spans[0]->n_spans, 2);
  assert_span(gw->scope_spans[0]->spans[0], f->spans[0]);
  assert_span(gw->scope_spans[1]->spans[0], f->spans[2]);
  assert_span(gw->scope_spans[1]->spans[1], f->spans[3]);
  assert_span(iss->scope_spans[0]->spans[0], f->spans[1]);
  assert_span(iss->scope_spans[0]->spans[1], f->spans[4]);
  /* the content is what setup made */
  assert_string_equal(gw->scope_spans[1]->spans[1]->name, "GET /");
  assert_int_equal(gw->scope_spans[1]->spans[1]->n_attributes, 13);
  assert_int_equal(gw->scope_spans[1]->spans[1]->dropped_attributes_count, 2);
  assert_int_equal(gw->scope_spans[1]->spans[1]->n_events, 2);
  assert_int_equal(gw->scope_spans[0]->spans[0]->n_links, 1);
  assert_int_equal(gw->scope_spans[0]->spans[0]->status->code, OTEL_SPAN_STATUS_ERROR);
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req, NULL);
  free(buf);
}

static void test_encode_each_span_alone_and_none(void **state) {
  fixture_t *f = *state;
  for (size_t k = 0; k < f->n; k++) {
    uint8_t *buf;
    size_t len;
    assert_int_equal(otel__otlp_encode_spans(&f->spans[k], 1, &buf, &len), OTEL_OK);
    req_t *req = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
        NULL, len, buf);
    assert_non_null(req);
    assert_int_equal(protobuf_c_message_get_packed_size(&req->base), len);
    assert_span(req->resource_spans[0]->scope_spans[0]->spans[0], f->spans[k]);
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req, NULL);
    free(buf);
  }
  uint8_t *buf;
  size_t len;
  assert_int_equal(otel__otlp_encode_spans(NULL, 0, &buf, &len), OTEL_OK);
  assert_int_equal(len, 0); /* an empty request */
  free(buf);
}

/* A batch big enough for lengths of three varint bytes (ResourceSpans
 * over 16 KiB): 600 spans, the fixture's five over and over. */
static void test_encode_large_batch_repacks_identically(void **state) {
  fixture_t *f = *state;
  enum { N = 600 };
  const otel_span_data_t *many[N];
  for (size_t k = 0; k < N; k++) many[k] = f->spans[k % f->n];
  uint8_t *buf;
  size_t len;
  assert_int_equal(otel__otlp_encode_spans(many, N, &buf, &len), OTEL_OK);
  /* the first ResourceSpans: tag 0x0a, then a length of three varint bytes */
  assert_int_equal(buf[0], 0x0a);
  assert_true((buf[1] & 0x80) && (buf[2] & 0x80) && !(buf[3] & 0x80));
  req_t *req = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
      NULL, len, buf);
  assert_non_null(req);
  assert_int_equal(protobuf_c_message_get_packed_size(&req->base), len);
  uint8_t *again = malloc(len);
  protobuf_c_message_pack(&req->base, again);
  assert_memory_equal(again, buf, len);
  size_t spans = 0;
  for (size_t r = 0; r < req->n_resource_spans; r++)
    for (size_t g = 0; g < req->resource_spans[r]->n_scope_spans; g++)
      spans += req->resource_spans[r]->scope_spans[g]->n_spans;
  assert_int_equal(spans, N);
  free(again);
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req, NULL);
  free(buf);
}

/* A span far bigger than the writer's first buffer (a guess from the
 * spans before it): the buffer grows in the middle of the span, several
 * times, and the bytes are still the ones protobuf-c packs. */
static void test_encode_span_bigger_than_the_first_buffer(void **state) {
  fixture_t *f = *state;
  uint8_t *buf;
  size_t len;
  assert_int_equal(otel__otlp_encode_spans(f->spans, f->n, &buf, &len), OTEL_OK); /* a small guess */
  free(buf);
  enum { BIG = 100000 };
  char *big = malloc(BIG + 1);
  for (size_t k = 0; k < BIG; k++) big[k] = (char)('a' + k % 26);
  big[BIG] = '\0';
  otel_tracer_t *c = otel_tracer_provider_get_tracer(f->tp[1], "scope.c", "0.1");
  otel_span_t *span = otel_tracer_start_span(c, "big", &(otel_span_start_options_t){.root = true});
  otel_span_set_attribute_str(span, "before", "small");
  otel_span_set_attribute_str(span, "big", big);
  otel_span_add_event_at(span, big + BIG - 5000, 1, NULL, 0);
  otel_span_end(span);
  const otel_span_data_t *d = otel_memory_span_exporter_get(f->mem[1], 2);
  assert_non_null(d);
  const otel_span_data_t *batch[] = {f->spans[0], d, f->spans[1]};
  assert_int_equal(otel__otlp_encode_spans(batch, 3, &buf, &len), OTEL_OK);
  assert_true(len > BIG + 5000);
  req_t *req = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
      NULL, len, buf);
  assert_non_null(req);
  uint8_t *again = malloc(len);
  assert_int_equal(protobuf_c_message_get_packed_size(&req->base), len);
  protobuf_c_message_pack(&req->base, again);
  assert_memory_equal(again, buf, len);
  pb_span_t *got = req->resource_spans[1]->scope_spans[0]->spans[0];
  assert_string_equal(got->name, "big");
  assert_int_equal(got->n_attributes, 2);
  assert_string_equal(got->attributes[1]->value->string_value, big);
  assert_string_equal(got->events[0]->name, big + BIG - 5000);
  free(again);
  free(big);
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req, NULL);
  free(buf);
}

/* More resources and scopes than the grouping's first arrays hold (8):
 * nine resources of two scopes each, interleaved, keep their order. */
static void test_encode_many_resources_and_scopes(void **state) {
  (void)state;
  enum { R = 9 };
  otel_tracer_provider_t *tp[R];
  otel_span_exporter_t *mem[R];
  const otel_span_data_t *spans[2 * R];
  for (int k = 0; k < R; k++) {
    char service[32];
    snprintf(service, sizeof service, "service-%d", k);
    tp[k] = provider(service, &mem[k], 128);
  }
  for (int round = 0; round < 2; round++)
    for (int k = 0; k < R; k++) {
      otel_tracer_t *t = otel_tracer_provider_get_tracer(tp[k], round ? "scope.two" : "scope.one", NULL);
      otel_span_end(otel_tracer_start_span(t, round ? "second" : "first", NULL));
      spans[round * R + k] = otel_memory_span_exporter_get(mem[k], (size_t)round);
    }
  uint8_t *buf;
  size_t len;
  assert_int_equal(otel__otlp_encode_spans(spans, 2 * R, &buf, &len), OTEL_OK);
  req_t *req = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
      NULL, len, buf);
  assert_non_null(req);
  assert_int_equal(protobuf_c_message_get_packed_size(&req->base), len);
  assert_int_equal(req->n_resource_spans, R);
  for (int k = 0; k < R; k++) {
    char service[32];
    snprintf(service, sizeof service, "service-%d", k);
    Opentelemetry__Proto__Trace__V1__ResourceSpans *rs = req->resource_spans[k];
    assert_string_equal(service_of(rs->resource), service);
    assert_int_equal(rs->n_scope_spans, 2);
    assert_string_equal(rs->scope_spans[0]->scope->name, "scope.one");
    assert_string_equal(rs->scope_spans[1]->scope->name, "scope.two");
    assert_string_equal(rs->scope_spans[0]->spans[0]->name, "first");
    assert_string_equal(rs->scope_spans[1]->spans[0]->name, "second");
  }
  opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(req, NULL);
  free(buf);
  for (int k = 0; k < R; k++) otel_tracer_provider_destroy(tp[k]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encode_spans_decode_to_the_spans_and_repack_identically),
      cmocka_unit_test(test_encode_each_span_alone_and_none),
      cmocka_unit_test(test_encode_large_batch_repacks_identically),
      cmocka_unit_test(test_encode_span_bigger_than_the_first_buffer),
      cmocka_unit_test(test_encode_many_resources_and_scopes),
  };
  return cmocka_run_group_tests_name("otlp_encode_trace", tests, setup, teardown);
}
