/* test_span.c: spans (span.c, tracer_provider.c): parents and the current
 * span, scoped spans, limits, status rules, events, exceptions, links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "otel/propagation.h"
#include "otel/trace.h"
#include "trace_internal.h"

struct fixture {
  otel_tracer_provider_t *tp;
  otel_span_exporter_t *mem; /* borrowed from the processor */
  otel_tracer_t *tracer;
};

static int make_provider(void **state, const otel_span_limits_t *limits, otel_sampler_t *sampler) {
  struct fixture *f = calloc(1, sizeof(*f));
  otel_tracer_provider_options_t o;
  otel_tracer_provider_options_init(&o);
  o.sampler = sampler ? sampler : otel_sampler_always_on();
  if (limits) o.limits = *limits;
  assert_int_equal(otel_tracer_provider_create(&o, &f->tp), OTEL_OK);
  f->mem = otel_memory_span_exporter_create();
  otel_span_processor_t *p;
  assert_int_equal(otel_simple_span_processor_create(f->mem, &p), OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(f->tp, p), OTEL_OK);
  f->tracer = otel_tracer_provider_get_tracer(f->tp, "test", "1.0");
  *state = f;
  return 0;
}

static int setup(void **state) { return make_provider(state, NULL, NULL); }

static int teardown(void **state) {
  struct fixture *f = *state;
  otel_context_reset_thread();
  otel_tracer_provider_destroy(f->tp);
  free(f);
  return 0;
}

static const otel_span_data_t *find(struct fixture *f, const char *name) {
  const otel_span_data_t *s = otel_memory_span_exporter_find(f->mem, name);
  if (!s) fail_msg("span %s was not exported", name);
  return s;
}

static void test_span_child_of_current_has_parent_ids(void **state) {
  struct fixture *f = *state;
  otel_span_t *parent = otel_tracer_start_span(f->tracer, "parent", NULL);
  assert_ptr_equal(otel_span_current(), parent);
  otel_span_t *child = otel_tracer_start_span(f->tracer, "child", NULL);
  otel_span_context_t pc = otel_span_get_context(parent);
  otel_span_end(child);
  assert_ptr_equal(otel_span_current(), parent);
  otel_span_end(parent);
  assert_false(otel_span_is_recording(otel_span_current()));
  const otel_span_data_t *c = find(f, "child"), *p = find(f, "parent");
  assert_memory_equal(c->context.trace_id, p->context.trace_id, 16);
  assert_memory_equal(c->parent_span_id, pc.span_id, 8);
  static const uint8_t zero[8];
  assert_memory_equal(p->parent_span_id, zero, 8);
  assert_true(c->end_time_ns >= c->start_time_ns);
  assert_string_equal(c->scope_name, "test");
  assert_string_equal(c->scope_version, "1.0");
}

static int scoped_work(otel_tracer_t *tracer, int fail_early) {
  OTEL_SCOPED_SPAN(span, tracer, "scoped");
  otel_span_set_attribute_int(span, "early", fail_early);
  if (fail_early) return -1; /* the cleanup attribute ends the span here too */
  OTEL_SCOPED_SPAN(inner, tracer, "inner");
  otel_span_set_attribute_bool(inner, "ran", true);
  return 0;
}

static void test_span_scoped_ends_on_early_return(void **state) {
  struct fixture *f = *state;
  assert_int_equal(scoped_work(f->tracer, 1), -1);
  assert_int_equal(otel_memory_span_exporter_count(f->mem), 1);
  assert_non_null(find(f, "scoped"));
  assert_false(otel_span_is_recording(otel_span_current()));
  assert_int_equal(scoped_work(f->tracer, 0), 0);
  assert_int_equal(otel_memory_span_exporter_count(f->mem), 3);
  const otel_span_data_t *inner = otel_memory_span_exporter_get(f->mem, 1);
  const otel_span_data_t *outer = otel_memory_span_exporter_get(f->mem, 2);
  assert_string_equal(inner->name, "inner"); /* the inner one ends first */
  assert_memory_equal(inner->parent_span_id, outer->context.span_id, 8);
}

static void nested_level(otel_tracer_t *tracer, int depth) {
  if (depth == 0) return;
  OTEL_SCOPED_SPAN(span, tracer, "level");
  otel_span_set_attribute_int(span, "depth", depth);
  nested_level(tracer, depth - 1);
}

static void test_span_nesting_across_functions_links_parents(void **state) {
  struct fixture *f = *state;
  nested_level(f->tracer, 4);
  assert_int_equal(otel_memory_span_exporter_count(f->mem), 4);
  for (size_t i = 0; i + 1 < 4; i++) {
    const otel_span_data_t *child = otel_memory_span_exporter_get(f->mem, i);
    const otel_span_data_t *parent = otel_memory_span_exporter_get(f->mem, i + 1);
    assert_memory_equal(child->parent_span_id, parent->context.span_id, 8);
    assert_int_equal(child->attrs[0].value.i + 1, parent->attrs[0].value.i);
  }
}

static void test_span_out_of_order_end_restores_live_parent(void **state) {
  struct fixture *f = *state;
  otel_span_t *a = otel_tracer_start_span(f->tracer, "a", NULL);
  otel_span_t *b = otel_tracer_start_span(f->tracer, "b", NULL);
  otel_span_t *c = otel_tracer_start_span(f->tracer, "c", NULL);
  otel_span_end(b); /* not on top: stays until c ends */
  assert_ptr_equal(otel_span_current(), c);
  otel_span_end(c); /* pops c, then the ended b */
  assert_ptr_equal(otel_span_current(), a);
  otel_span_end(a);
  assert_int_equal(otel_memory_span_exporter_count(f->mem), 3);
}

static void test_span_explicit_remote_parent_and_root(void **state) {
  struct fixture *f = *state;
  otel_context_t remote = OTEL_CONTEXT_INIT;
  memset(remote.span_context.trace_id, 0xab, 16);
  memset(remote.span_context.span_id, 0xcd, 8);
  remote.span_context.trace_flags = OTEL_TRACE_FLAG_SAMPLED;
  remote.trace_state = "vendor=1";
  otel_span_start_options_t o = {.kind = OTEL_SPAN_KIND_SERVER, .remote_parent = &remote};
  otel_span_t *server = otel_tracer_start_span(f->tracer, "server", &o);
  otel_span_start_options_t r = {.root = true};
  otel_span_t *root = otel_tracer_start_span(f->tracer, "root", &r);
  otel_span_end(root);
  otel_span_end(server);
  const otel_span_data_t *s = find(f, "server");
  assert_int_equal(s->kind, OTEL_SPAN_KIND_SERVER);
  assert_memory_equal(s->context.trace_id, remote.span_context.trace_id, 16);
  assert_memory_equal(s->parent_span_id, remote.span_context.span_id, 8);
  assert_true(s->parent_is_remote);
  assert_string_equal(s->trace_state, "vendor=1");
  const otel_span_data_t *rt = find(f, "root");
  assert_memory_not_equal(rt->context.trace_id, remote.span_context.trace_id, 16);
}

static void test_span_attributes_replace_and_types(void **state) {
  struct fixture *f = *state;
  otel_span_t *s = otel_tracer_start_span(f->tracer, "attrs", NULL);
  char key[16] = "k";
  char value[16] = "v1";
  otel_span_set_attribute_str(s, key, value);
  strcpy(value, "XX"); /* copied, so this must not show */
  otel_span_set_attribute_str(s, "k", "v2");
  int64_t ints[] = {1, 2, 3};
  otel_span_set_attribute(s, &OTEL_ATTR_ARRAY("ints", OTEL_ATTR_TYPE_INT_ARRAY, ints, 3));
  otel_span_set_attribute_double(s, "d", 2.5);
  otel_span_set_attribute_str(s, NULL, "ignored");
  otel_span_set_attribute_str(s, "", "ignored");
  for (int i = 0; i < 20; i++) { /* beyond the inline room */
    char k[24];
    snprintf(k, sizeof(k), "extra.%d", i);
    otel_span_set_attribute_str(s, k, "a fairly long value to use up the inline string room");
  }
  otel_span_end(s);
  const otel_span_data_t *d = find(f, "attrs");
  assert_int_equal(d->attr_count, 23);
  assert_string_equal(d->attrs[0].key, "k");
  assert_string_equal(d->attrs[0].value.s, "v2");
  assert_int_equal(d->attrs[1].value.array.len, 3);
  assert_int_equal(((const int64_t *)d->attrs[1].value.array.items)[2], 3);
  assert_true(d->attrs[2].value.d == 2.5);
  assert_string_equal(d->attrs[22].key, "extra.19");
}

/* Spans get a small block or a big one by the number of attributes they
 * start with (span.c, SMALL_START_ATTRS); either way, attributes and text
 * beyond its inline room go to the arena and every one comes back intact
 * (under ASan an overrun of either block's room fails here too). */
static void test_span_block_sizes_keep_every_attribute(void **state) {
  struct fixture *f = *state;
  static const size_t start_counts[] = {0, 1, 6, 7, 12, 14, 15};
  char keys[40][16], values[40][80];
  for (int i = 0; i < 40; i++) {
    snprintf(keys[i], sizeof(keys[i]), "key.%d", i);
    /* 9 to 70 bytes: the string room fills at a different attribute each time */
    snprintf(values[i], sizeof(values[i]), "%0*d", 9 + (i * 13) % 62, i);
  }
  for (size_t c = 0; c < sizeof(start_counts) / sizeof(start_counts[0]); c++) {
    size_t n0 = start_counts[c];
    otel_attr_t start[15];
    for (size_t i = 0; i < n0; i++) start[i] = OTEL_ATTR_STR(keys[i], values[i]);
    char name[32];
    snprintf(name, sizeof(name), "blocks.%d", (int)n0);
    otel_span_start_options_t o = {.attrs = start, .attr_count = n0};
    otel_span_t *s = otel_tracer_start_span(f->tracer, name, &o);
    for (size_t i = n0; i < 40; i++) otel_span_set_attribute_str(s, keys[i], values[i]);
    otel_span_end(s);
    const otel_span_data_t *d = find(f, name);
    assert_string_equal(d->name, name);
    assert_int_equal(d->attr_count, 40);
    for (size_t i = 0; i < 40; i++) {
      assert_string_equal(d->attrs[i].key, keys[i]);
      assert_string_equal(d->attrs[i].value.s, values[i]);
    }
  }
}

/* otel__span_set_attribute_static_new (the civetweb server span's status
 * code) appends without comparing keys only while the span holds just its
 * start attributes; a key set meanwhile is replaced, never duplicated. */
static void test_span_static_new_attribute_replaces_a_key_set_meanwhile(void **state) {
  struct fixture *f = *state;
  otel_attr_t start[] = {OTEL_ATTR_STR("a", "1"), OTEL_ATTR_INT("b", 2)};
  otel_span_start_options_t so = {.attrs = start, .attr_count = 2};
  otel_span_t *s = otel__tracer_start_span_static(f->tracer, "static", &so);
  size_t known = otel__span_attr_count(s);
  assert_int_equal(known, 2);
  otel_span_set_attribute_int(s, "code", 1); /* a handler sets it first */
  otel__span_set_attribute_static_new(s, &OTEL_ATTR_INT("code", 200), known);
  otel__span_set_attribute_static_new(s, &OTEL_ATTR_STR("err", "x"), known + 1);
  otel_span_end(s);
  otel_span_t *t = otel__tracer_start_span_static(f->tracer, "static2", &so);
  otel__span_set_attribute_static_new(t, &OTEL_ATTR_INT("code", 500), otel__span_attr_count(t));
  otel_span_end(t);
  const otel_span_data_t *d = find(f, "static");
  assert_int_equal(d->attr_count, 4);
  assert_string_equal(d->attrs[2].key, "code");
  assert_int_equal(d->attrs[2].value.i, 200);
  assert_string_equal(d->attrs[3].key, "err");
  d = find(f, "static2");
  assert_int_equal(d->attr_count, 3);
  assert_int_equal(d->attrs[2].value.i, 500);
}

static void test_span_limits_drop_and_count(void **state) {
  otel_span_limits_t lim;
  otel_span_limits_init(&lim);
  lim.attribute_count = 2;
  lim.attribute_value_length = 4;
  lim.event_count = 1;
  lim.link_count = 1;
  lim.event_attribute_count = 1;
  struct fixture *f;
  make_provider((void **)&f, &lim, NULL);
  otel_span_t *s = otel_tracer_start_span(f->tracer, "limited", NULL);
  otel_span_set_attribute_str(s, "a", "abcdefgh");
  otel_span_set_attribute_str(s, "b", "abc\xc3\xbc"); /* byte 4 is inside the ü: cut before it */
  otel_span_set_attribute_str(s, "c", "dropped");
  otel_span_set_attribute_str(s, "a", "replaced"); /* existing key: still allowed */
  otel_attr_t ev_attrs[] = {OTEL_ATTR_INT("x", 1), OTEL_ATTR_INT("y", 2)};
  otel_span_add_event(s, "e1", ev_attrs, 2);
  otel_span_add_event(s, "e2", NULL, 0);
  otel_span_link_t link = {.context = otel_span_get_context(s)};
  otel_span_add_link(s, &link);
  otel_span_add_link(s, &link);
  otel_span_end(s);
  const otel_span_data_t *d = find(f, "limited");
  assert_int_equal(d->attr_count, 2);
  assert_int_equal(d->dropped_attrs, 1);
  assert_string_equal(d->attrs[0].value.s, "repl");
  assert_string_equal(d->attrs[1].value.s, "abc");
  assert_int_equal(d->event_count, 1);
  assert_int_equal(d->dropped_events, 1);
  assert_int_equal(d->events[0].attr_count, 1);
  assert_int_equal(d->events[0].dropped_attrs, 1);
  assert_int_equal(d->link_count, 1);
  assert_int_equal(d->dropped_links, 1);
  teardown((void **)&f);
  (void)state;
}

static void test_span_status_ok_is_final(void **state) {
  struct fixture *f = *state;
  otel_span_t *s = otel_tracer_start_span(f->tracer, "ok", NULL);
  otel_span_set_status(s, OTEL_SPAN_STATUS_OK, "ignored for OK");
  otel_span_set_status(s, OTEL_SPAN_STATUS_ERROR, "too late");
  otel_span_end(s);
  s = otel_tracer_start_span(f->tracer, "err", NULL);
  otel_span_set_status(s, OTEL_SPAN_STATUS_ERROR, "first");
  otel_span_set_status(s, OTEL_SPAN_STATUS_UNSET, NULL);
  otel_span_set_status(s, OTEL_SPAN_STATUS_ERROR, "second");
  otel_span_end(s);
  assert_int_equal(find(f, "ok")->status, OTEL_SPAN_STATUS_OK);
  assert_null(find(f, "ok")->status_description);
  assert_int_equal(find(f, "err")->status, OTEL_SPAN_STATUS_ERROR);
  assert_string_equal(find(f, "err")->status_description, "second");
}

static void test_span_record_exception_adds_event_and_error(void **state) {
  struct fixture *f = *state;
  otel_span_t *s = otel_tracer_start_span(f->tracer, "boom", NULL);
  otel_span_record_exception(s, "TimeoutError", "ISS API did not answer");
  otel_span_end(s);
  const otel_span_data_t *d = find(f, "boom");
  assert_int_equal(d->event_count, 1);
  assert_string_equal(d->events[0].name, "exception");
  assert_string_equal(d->events[0].attrs[0].key, "exception.type");
  assert_string_equal(d->events[0].attrs[0].value.s, "TimeoutError");
  assert_string_equal(d->events[0].attrs[1].value.s, "ISS API did not answer");
  assert_int_equal(d->status, OTEL_SPAN_STATUS_ERROR);
  assert_string_equal(d->status_description, "ISS API did not answer");
}

static void test_span_noop_calls_are_safe(void **state) {
  (void)state;
  otel_span_set_attribute_str(NULL, "k", "v");
  otel_span_add_event(NULL, "e", NULL, 0);
  otel_span_end(NULL);
  otel_span_t *cur = otel_span_current();
  otel_span_set_attribute_str(cur, "k", "v");
  otel_span_record_exception(cur, "t", "m");
  otel_span_end(cur); /* the static no-op span ignores end */
  otel_span_t *s = otel_tracer_start_span(NULL, "no tracer", NULL);
  assert_false(otel_span_is_recording(s));
  otel_span_context_t sc = otel_span_get_context(s);
  assert_true(otel_span_context_is_valid(&sc)); /* still propagates */
  otel_span_end(s);
}

static void test_span_unsampled_is_not_recording_but_propagates(void **state) {
  struct fixture *f;
  make_provider((void **)&f, NULL, otel_sampler_always_off());
  otel_span_t *s = otel_tracer_start_span(f->tracer, "dropped", NULL);
  assert_false(otel_span_is_recording(s));
  otel_span_context_t sc;
  assert_true(otel_current_span_context(&sc));
  assert_false(sc.trace_flags & OTEL_TRACE_FLAG_SAMPLED);
  otel_span_t *child = otel_tracer_start_span(f->tracer, "child", NULL);
  otel_span_context_t cc = otel_span_get_context(child);
  assert_memory_equal(cc.trace_id, sc.trace_id, 16);
  otel_span_end(child);
  otel_span_end(s);
  assert_int_equal(otel_memory_span_exporter_count(f->mem), 0);
  teardown((void **)&f);
  (void)state;
}

static void test_span_ids_unique_and_nonzero(void **state) {
  (void)state;
  enum { N = 20000 };
  uint64_t *ids = malloc(N * sizeof(*ids));
  for (int i = 0; i < N; i++) {
    uint8_t id[8];
    otel_generate_span_id(id);
    memcpy(&ids[i], id, 8);
    assert_true(ids[i] != 0);
  }
  for (int i = 0; i < N; i++) /* sorted-free check: compare with a hash set */
    for (int j = i + 1; j < i + 64 && j < N; j++) assert_true(ids[i] != ids[j]);
  uint8_t t1[16], t2[16];
  otel_generate_trace_id(t1);
  otel_generate_trace_id(t2);
  assert_memory_not_equal(t1, t2, 16);
  free(ids);
}

static void test_span_shutdown_provider_drops_later_spans(void **state) {
  struct fixture *f = *state;
  otel_span_exporter_t *mem = f->mem;
  otel_span_t *s = otel_tracer_start_span(f->tracer, "before", NULL);
  otel_span_end(s);
  assert_int_equal(otel_memory_span_exporter_count(mem), 1);
  assert_int_equal(otel_tracer_provider_shutdown(f->tp, 1000), OTEL_OK);
  assert_int_equal(otel_tracer_provider_shutdown(f->tp, 1000), OTEL_ESHUTDOWN);
  s = otel_tracer_start_span(f->tracer, "after", NULL);
  assert_false(otel_span_is_recording(s));
  otel_span_end(s);
}

/* Span text is stored as valid UTF-8 (the OTLP encoder writes it without
 * a check): each invalid byte of a name, key, value, event name or status
 * becomes U+FFFD when the span copies it; a key set twice with the same
 * invalid bytes is one attribute. */
static void test_span_text_stored_as_valid_utf8(void **state) {
  struct fixture *f = *state;
  otel_span_t *s = otel_tracer_start_span(f->tracer, "name \xff", NULL);
  otel_span_set_attribute_str(s, "key \xfe", "first");
  otel_span_set_attribute_str(s, "key \xfe", "cut \xC3");
  otel_span_set_attribute_str(s, "ok", "caf\xC3\xA9");
  otel_span_add_event(s, "ev \xED\xA0\x80", NULL, 0);
  otel_span_set_status(s, OTEL_SPAN_STATUS_ERROR, "503 \xC0\xAF");
  otel_span_end(s);
  const otel_span_data_t *d = find(f, "name \xEF\xBF\xBD");
  assert_int_equal(d->attr_count, 2);
  assert_string_equal(d->attrs[0].key, "key \xEF\xBF\xBD");
  assert_string_equal(d->attrs[0].value.s, "cut \xEF\xBF\xBD");
  assert_string_equal(d->attrs[1].value.s, "caf\xC3\xA9");
  assert_string_equal(d->events[0].name, "ev \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  assert_string_equal(d->status_description, "503 \xEF\xBF\xBD\xEF\xBF\xBD");
}

/* An attribute set again replaces the first (ASCII or not, whatever its
 * type); keys and values are the span's copies, not the caller's buffers;
 * text of every length (0 to 20 bytes: the copy works in words and
 * pieces of words) is kept byte for byte. */
static void test_span_attribute_set_again_replaced_and_copied(void **state) {
  struct fixture *f = *state;
  otel_span_t *s = otel_tracer_start_span(f->tracer, "attrs", NULL);
  char key[32], value[32];
  strcpy(key, "http.route");
  strcpy(value, "/a");
  otel_span_set_attribute_str(s, key, value);
  otel_span_set_attribute_int(s, "cl\xC3\xA9", 1);
  otel_span_set_attribute_int(s, "cl\xC3\xA9", 2);
  otel_span_set_attribute_str(s, "http.route", "/b");
  memset(key, 'x', sizeof(key) - 1); /* the caller's buffers change */
  memset(value, 'y', sizeof(value) - 1);
  const char *texts[] = {"", "a", "ab", "abc", "abcd", "abcde", "abcdefg", "abcdefgh",
                         "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopqrst"};
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    snprintf(key, sizeof(key), "k%zu", i);
    otel_span_set_attribute_str(s, key, texts[i]);
  }
  otel_span_end(s);
  const otel_span_data_t *d = find(f, "attrs");
  assert_int_equal(d->attr_count, 2 + sizeof(texts) / sizeof(texts[0]));
  assert_string_equal(d->attrs[0].key, "http.route");
  assert_string_equal(d->attrs[0].value.s, "/b");
  assert_string_equal(d->attrs[1].key, "cl\xC3\xA9");
  assert_int_equal(d->attrs[1].value.i, 2);
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    snprintf(key, sizeof(key), "k%zu", i);
    assert_string_equal(d->attrs[2 + i].key, key);
    assert_string_equal(d->attrs[2 + i].value.s, texts[i]);
  }
}

/* Span start decides as each sampler would (it answers the built-in ones
 * itself): parent-based follows a sampled or unsampled parent, remote or
 * local, and samples a root; always_on and always_off ignore the parent;
 * a ratio of 0 samples nothing. Each case also against the sampler's own
 * answer. */
static void test_span_start_decides_as_the_sampler(void **state) {
  (void)state;
  struct {
    otel_sampler_t *(*make)(void);
    bool root, sampled_parent, unsampled_parent;
  } cases[] = {{NULL, true, true, false}, /* parentbased_always_on, below */
               {otel_sampler_always_on, true, true, true},
               {otel_sampler_always_off, false, false, false}};
  for (size_t c = 0; c < 4; c++) {
    otel_sampler_t *smp = c == 0   ? otel_sampler_parentbased(otel_sampler_always_on())
                          : c == 3 ? otel_sampler_traceidratio(0.0)
                                   : cases[c].make();
    bool want_root = c < 3 ? cases[c].root : false, want_sampled = c < 3 ? cases[c].sampled_parent : false,
         want_unsampled = c < 3 ? cases[c].unsampled_parent : false;
    void *st;
    make_provider(&st, NULL, smp);
    struct fixture *f = st;
    otel_span_t *root = otel_tracer_start_span(f->tracer, "root", NULL);
    assert_int_equal(otel_span_is_recording(root), want_root);
    otel_span_end(root);
    for (int sampled = 0; sampled < 2; sampled++) {
      otel_context_t remote = OTEL_CONTEXT_INIT;
      assert_true(otel_traceparent_parse(sampled ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                                                 : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
                                         &remote.span_context));
      otel_span_start_options_t o = {.remote_parent = &remote};
      otel_span_t *child = otel_tracer_start_span(f->tracer, "child", &o);
      assert_int_equal(otel_span_is_recording(child), sampled ? want_sampled : want_unsampled);
      otel_span_context_t cc = otel_span_get_context(child);
      assert_int_equal((cc.trace_flags & OTEL_TRACE_FLAG_SAMPLED) != 0, sampled ? want_sampled : want_unsampled);
      /* a local child of it follows it the same way under parent-based */
      otel_span_t *grandchild = otel_tracer_start_span(f->tracer, "grandchild", NULL);
      if (c == 0) assert_int_equal(otel_span_is_recording(grandchild), sampled ? want_sampled : want_unsampled);
      otel_span_end(grandchild);
      otel_span_end(child);
    }
    teardown(&st);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_span_start_decides_as_the_sampler),
      cmocka_unit_test_setup_teardown(test_span_attribute_set_again_replaced_and_copied, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_span_child_of_current_has_parent_ids, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_text_stored_as_valid_utf8, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_scoped_ends_on_early_return, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_nesting_across_functions_links_parents, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_out_of_order_end_restores_live_parent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_explicit_remote_parent_and_root, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_attributes_replace_and_types, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_block_sizes_keep_every_attribute, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_static_new_attribute_replaces_a_key_set_meanwhile, setup, teardown),
      cmocka_unit_test(test_span_limits_drop_and_count),
      cmocka_unit_test_setup_teardown(test_span_status_ok_is_final, setup, teardown),
      cmocka_unit_test_setup_teardown(test_span_record_exception_adds_event_and_error, setup, teardown),
      cmocka_unit_test(test_span_noop_calls_are_safe),
      cmocka_unit_test(test_span_unsampled_is_not_recording_but_propagates),
      cmocka_unit_test(test_span_ids_unique_and_nonzero),
      cmocka_unit_test_setup_teardown(test_span_shutdown_provider_drops_later_spans, setup, teardown),
  };
  return cmocka_run_group_tests_name("span", tests, NULL, NULL);
}
