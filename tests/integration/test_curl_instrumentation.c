/* test_curl_instrumentation.c: the libcurl helper (instrument_curl.c)
 * against a real civetweb server on 127.0.0.1: the CLIENT span's name and
 * attributes, credentials redacted from url.full, the propagation headers
 * the server receives (the caller's own traceparent replaced, its other
 * headers kept and its header list given back), ERROR status for a 404 and
 * for a refused connection, and the http.client.request.duration points;
 * and the same span from otel_curl_transfer_begin/end around a transfer
 * run by the multi interface. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "otel/instrument_curl.h"
#include "otel/metrics.h"
#include "otel/trace.h"

struct fixture {
  struct mg_context *server;
  int port;
  otel_tracer_provider_t *tp;
  otel_span_exporter_t *spans; /* borrowed from the processor */
  otel_meter_provider_t *mp;
};

/* Answers /echo with the propagation and X-Custom headers it received, one
 * per line ("traceparent=<v>", "x-custom=<v>", and "traceparents=<count>"),
 * and /missing with 404. */
static int echo_handler(struct mg_connection *conn, void *unused) {
  (void)unused;
  const struct mg_request_info *ri = mg_get_request_info(conn);
  if (strcmp(ri->local_uri, "/echo") != 0) {
    mg_send_http_error(conn, 404, "%s", "not here");
    return 404;
  }
  char body[1024];
  size_t len = 0;
  int traceparents = 0;
  for (int i = 0; i < ri->num_headers; i++) {
    const char *name = ri->http_headers[i].name;
    if (!strcasecmp(name, "traceparent")) traceparents++;
    if (!strcasecmp(name, "traceparent") || !strcasecmp(name, "x-custom"))
      len += (size_t)snprintf(body + len, sizeof body - len, "%s=%s\n", name,
                              ri->http_headers[i].value);
  }
  len += (size_t)snprintf(body + len, sizeof body - len, "traceparents=%d\n", traceparents);
  mg_send_http_ok(conn, "text/plain", (long long)len);
  mg_write(conn, body, len);
  return 200;
}

static int setup(void **state) {
  struct fixture *f = calloc(1, sizeof *f);
  const char *opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "2", NULL};
  f->server = mg_start(NULL, NULL, opts);
  if (!f->server) return -1;
  mg_set_request_handler(f->server, "/", echo_handler, NULL);
  struct mg_server_port ports[1];
  if (mg_get_server_ports(f->server, 1, ports) < 1) return -1;
  f->port = ports[0].port;

  otel_tracer_provider_options_t to;
  otel_tracer_provider_options_init(&to);
  to.sampler = otel_sampler_always_on();
  assert_int_equal(otel_tracer_provider_create(&to, &f->tp), OTEL_OK);
  f->spans = otel_memory_span_exporter_create();
  otel_span_processor_t *p;
  assert_int_equal(otel_simple_span_processor_create(f->spans, &p), OTEL_OK);
  assert_int_equal(otel_tracer_provider_add_processor(f->tp, p), OTEL_OK);

  otel_meter_provider_options_t mo;
  otel_meter_provider_options_init(&mo);
  assert_int_equal(otel_meter_provider_create(&mo, &f->mp), OTEL_OK);
  otel_curl_instrument(&(otel_curl_options_t){
      .tracer = otel_tracer_provider_get_tracer(f->tp, "test", "1.0"),
      .meter = otel_meter_provider_get_meter(f->mp, "test", "1.0")});
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;
  otel_curl_instrument(NULL);
  otel_context_reset_thread();
  otel_tracer_provider_destroy(f->tp);
  otel_meter_provider_destroy(f->mp);
  mg_stop(f->server);
  free(f);
  return 0;
}

static size_t collect_body(char *data, size_t size, size_t n, void *out) {
  char *buf = out;
  size_t have = strlen(buf), add = size * n;
  if (have + add >= 2048) add = 2047 - have;
  memcpy(buf + have, data, add);
  buf[have + add] = '\0';
  return size * n;
}

/* A handle for GET url whose response body lands in body (2048 bytes). */
static CURL *new_handle(const char *url, char *body) {
  CURL *easy = curl_easy_init();
  assert_non_null(easy);
  body[0] = '\0';
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  return easy;
}

/* One GET of url through the helper. Returns what otel_curl_perform
 * returned. */
static CURLcode get(const char *url, char *body) {
  CURL *easy = new_handle(url, body);
  CURLcode rc = otel_curl_perform(easy);
  curl_easy_cleanup(easy);
  return rc;
}

static const otel_attr_t *attr(const otel_attr_t *attrs, size_t n, const char *key) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(attrs[i].key, key)) return &attrs[i];
  return NULL;
}

static const char *str_attr(const otel_span_data_t *s, const char *key) {
  const otel_attr_t *a = attr(s->attrs, s->attr_count, key);
  if (!a) fail_msg("span %s has no %s", s->name, key);
  assert_int_equal(a->type, OTEL_ATTR_TYPE_STRING);
  return a->value.s;
}

static int64_t int_attr(const otel_span_data_t *s, const char *key) {
  const otel_attr_t *a = attr(s->attrs, s->attr_count, key);
  if (!a) fail_msg("span %s has no %s", s->name, key);
  assert_int_equal(a->type, OTEL_ATTR_TYPE_INT);
  return a->value.i;
}

static const otel_span_data_t *only_span(struct fixture *f) {
  assert_int_equal(otel_memory_span_exporter_count(f->spans), 1);
  return otel_memory_span_exporter_get(f->spans, 0);
}

static void test_span_has_http_client_attributes(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo?q=1", f->port);
  assert_int_equal(get(url, body), CURLE_OK);
  const otel_span_data_t *s = only_span(f);
  assert_string_equal(s->name, "GET");
  assert_int_equal(s->kind, OTEL_SPAN_KIND_CLIENT);
  assert_int_equal(s->status, OTEL_SPAN_STATUS_UNSET);
  assert_string_equal(str_attr(s, "http.request.method"), "GET");
  assert_string_equal(str_attr(s, "url.full"), url);
  assert_string_equal(str_attr(s, "server.address"), "127.0.0.1");
  assert_int_equal(int_attr(s, "server.port"), f->port);
  assert_int_equal(int_attr(s, "http.response.status_code"), 200);
  assert_null(attr(s->attrs, s->attr_count, "error.type"));
}

static void test_server_receives_this_spans_traceparent(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048], want[80], trace[33], span[17];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", f->port);
  assert_int_equal(get(url, body), CURLE_OK);
  const otel_span_data_t *s = only_span(f);
  otel_trace_id_to_hex(s->context.trace_id, trace);
  otel_span_id_to_hex(s->context.span_id, span);
  snprintf(want, sizeof want, "traceparent=00-%s-%s-%02x\n", trace, span, s->context.trace_flags);
  if (!strstr(body, want)) fail_msg("the server got:\n%swanted %s", body, want);
  assert_non_null(strstr(body, "traceparents=1\n"));
}

static void test_callers_traceparent_is_replaced_and_other_headers_kept(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048], span[17];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", f->port);
  const char *stale = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  char line[100];
  snprintf(line, sizeof line, "traceparent: %s", stale);
  struct curl_slist *headers = curl_slist_append(NULL, "X-Custom: kept");
  headers = curl_slist_append(headers, line);
  CURL *easy = new_handle(url, body);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  assert_int_equal(otel_curl_perform_with_headers(easy, headers), CURLE_OK);
  otel_span_id_to_hex(only_span(f)->context.span_id, span);
  assert_non_null(strstr(body, "X-Custom=kept\n"));
  assert_non_null(strstr(body, span));
  assert_null(strstr(body, stale));
  assert_non_null(strstr(body, "traceparents=1\n"));
  /* afterwards the handle sends the caller's own list again */
  body[0] = '\0';
  assert_int_equal(curl_easy_perform(easy), CURLE_OK);
  assert_non_null(strstr(body, stale));
  curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
}

static void test_credentials_are_redacted_from_url_full(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048], want[128];
  snprintf(url, sizeof url, "http://alice:s3cret@127.0.0.1:%d/echo", f->port);
  assert_int_equal(get(url, body), CURLE_OK);
  const otel_span_data_t *s = only_span(f);
  snprintf(want, sizeof want, "http://REDACTED:REDACTED@127.0.0.1:%d/echo", f->port);
  assert_string_equal(str_attr(s, "url.full"), want);
  for (size_t i = 0; i < s->attr_count; i++)
    if (s->attrs[i].type == OTEL_ATTR_TYPE_STRING) {
      assert_null(strstr(s->attrs[i].value.s, "s3cret"));
      assert_null(strstr(s->attrs[i].value.s, "alice"));
    }
}

static void test_404_is_an_error_with_its_status_as_type(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", f->port);
  assert_int_equal(get(url, body), CURLE_OK);
  const otel_span_data_t *s = only_span(f);
  assert_int_equal(s->status, OTEL_SPAN_STATUS_ERROR);
  assert_int_equal(int_attr(s, "http.response.status_code"), 404);
  assert_string_equal(str_attr(s, "error.type"), "404");
}

/* The multi interface: begin before curl_multi_add_handle, end at
 * CURLMSG_DONE; the server gets this span's traceparent and the caller's
 * own header, and the handle gets its own list back. */
static void test_multi_transfer_gets_the_same_span(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048], span[17];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo?m=1", f->port);
  struct curl_slist *headers = curl_slist_append(NULL, "X-Custom: multi");
  CURL *easy = new_handle(url, body);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  CURLM *multi = curl_multi_init();
  assert_non_null(multi);
  otel_curl_transfer_t *t = otel_curl_transfer_begin(easy, headers);
  assert_non_null(t);
  assert_int_equal(curl_multi_add_handle(multi, easy), CURLM_OK);
  int running = 1;
  CURLcode result = CURLE_FAILED_INIT;
  for (int rounds = 0; running && rounds < 5000; rounds++) {
    assert_int_equal(curl_multi_perform(multi, &running), CURLM_OK);
    if (running) curl_multi_poll(multi, NULL, 0, 100, NULL);
  }
  int left;
  for (CURLMsg *m; (m = curl_multi_info_read(multi, &left));)
    if (m->msg == CURLMSG_DONE && m->easy_handle == easy) result = m->data.result;
  assert_int_equal(result, CURLE_OK);
  assert_int_equal(otel_memory_span_exporter_count(f->spans), 0); /* not ended yet */
  otel_curl_transfer_end(t, result);
  curl_multi_remove_handle(multi, easy);
  const otel_span_data_t *s = only_span(f);
  assert_string_equal(s->name, "GET");
  assert_int_equal(s->kind, OTEL_SPAN_KIND_CLIENT);
  assert_string_equal(str_attr(s, "url.full"), url);
  assert_int_equal(int_attr(s, "http.response.status_code"), 200);
  otel_span_id_to_hex(s->context.span_id, span);
  assert_non_null(strstr(body, span));
  assert_non_null(strstr(body, "X-Custom=multi\n"));
  body[0] = '\0'; /* the handle sends the caller's list again */
  assert_int_equal(curl_easy_perform(easy), CURLE_OK);
  assert_non_null(strstr(body, "traceparents=0\n"));
  assert_non_null(strstr(body, "X-Custom=multi\n"));
  otel_curl_transfer_end(NULL, CURLE_OK); /* a no-op */
  assert_null(otel_curl_transfer_begin(NULL, NULL));
  curl_multi_cleanup(multi);
  curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
}

/* A port on 127.0.0.1 that nothing listens on: bound, never listened to. */
static int closed_port(int *fd) {
  *fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
  return ntohs(a.sin_port);
}

static void test_refused_connection_is_an_error(void **state) {
  struct fixture *f = *state;
  int fd;
  char url[128], body[2048];
  int port = closed_port(&fd);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", port);
  assert_int_equal(get(url, body), CURLE_COULDNT_CONNECT);
  close(fd);
  const otel_span_data_t *s = only_span(f);
  assert_int_equal(s->status, OTEL_SPAN_STATUS_ERROR);
  assert_non_null(s->status_description);
  assert_string_equal(str_attr(s, "error.type"), "connection_refused");
  assert_int_equal(int_attr(s, "server.port"), port);
  assert_null(attr(s->attrs, s->attr_count, "http.response.status_code"));
}

/* ---- http.client.request.duration ----------------------------------------*/
struct seen_points {
  size_t count;
  uint64_t total;          /* sum of the points' counts */
  int port_ok, status_200, status_404, refused;
};

static otel_err_t look_at_points(void *ctx, const otel_metric_batch_t *batch) {
  struct seen_points *seen = ctx;
  for (size_t i = 0; i < batch->stream_count; i++) {
    const otel_metric_stream_t *st = &batch->streams[i];
    if (strcmp(st->name, "http.client.request.duration") != 0) continue;
    assert_string_equal(st->unit, "s");
    for (size_t j = 0; j < st->point_count; j++) {
      const otel_metric_point_t *p = &st->points[j];
      seen->count++;
      seen->total += p->count;
      const otel_attr_t *method = attr(p->attrs, p->attr_count, "http.request.method");
      const otel_attr_t *host = attr(p->attrs, p->attr_count, "server.address");
      const otel_attr_t *status = attr(p->attrs, p->attr_count, "http.response.status_code");
      const otel_attr_t *error = attr(p->attrs, p->attr_count, "error.type");
      assert_non_null(method);
      assert_string_equal(method->value.s, "GET");
      assert_non_null(host);
      assert_string_equal(host->value.s, "127.0.0.1");
      if (attr(p->attrs, p->attr_count, "server.port")) seen->port_ok++;
      if (status && status->value.i == 200 && !error) seen->status_200++;
      if (status && status->value.i == 404 && error && !strcmp(error->value.s, "404")) seen->status_404++;
      if (!status && error && !strcmp(error->value.s, "connection_refused")) seen->refused++;
      assert_true(p->min >= 0 && p->max < 5.0);
    }
  }
  return OTEL_OK;
}

static void test_duration_histogram_points(void **state) {
  struct fixture *f = *state;
  char url[128], body[2048];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", f->port);
  assert_int_equal(get(url, body), CURLE_OK);
  assert_int_equal(get(url, body), CURLE_OK);
  snprintf(url, sizeof url, "http://127.0.0.1:%d/missing", f->port);
  assert_int_equal(get(url, body), CURLE_OK);
  int fd;
  snprintf(url, sizeof url, "http://127.0.0.1:%d/echo", closed_port(&fd));
  assert_int_equal(get(url, body), CURLE_COULDNT_CONNECT);
  close(fd);

  struct seen_points seen = {0};
  static const struct otel_metric_exporter_type look = {.name = "look", .export_metrics = look_at_points};
  otel_metric_exporter_t *e = otel_metric_exporter_create(&look, &seen);
  assert_int_equal(otel_meter_provider_collect(f->mp, e), OTEL_OK);
  otel_metric_exporter_destroy(e);
  assert_int_equal(seen.count, 3); /* 200, 404 and refused: three series */
  assert_int_equal(seen.total, 4);
  assert_int_equal(seen.port_ok, 3);
  assert_int_equal(seen.status_200, 1);
  assert_int_equal(seen.status_404, 1);
  assert_int_equal(seen.refused, 1);
}

/* A thread keeps the series of its last transfer (metrics_internal.h):
 * each transfer is still counted under its own method and status as they
 * change, and once otel_curl_instrument is given another meter, the
 * series kept for the first one are not used. */
struct tally {
  uint64_t get_200, post_200, get_404, total;
};

static otel_err_t tally_points(void *ctx, const otel_metric_batch_t *batch) {
  struct tally *t = ctx;
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < batch->stream_count; i++) {
    const otel_metric_stream_t *st = &batch->streams[i];
    if (strcmp(st->name, "http.client.request.duration") != 0) continue;
    for (size_t j = 0; j < st->point_count; j++) {
      const otel_metric_point_t *p = &st->points[j];
      const otel_attr_t *method = attr(p->attrs, p->attr_count, "http.request.method");
      const otel_attr_t *status = attr(p->attrs, p->attr_count, "http.response.status_code");
      bool get = method && !strcmp(method->value.s, "GET");
      if (get && status && status->value.i == 200) t->get_200 += p->count;
      if (!get && status && status->value.i == 200) t->post_200 += p->count;
      if (get && status && status->value.i == 404) t->get_404 += p->count;
      t->total += p->count;
    }
  }
  return OTEL_OK;
}

static struct tally collect_tally(otel_meter_provider_t *mp) {
  struct tally t;
  static const struct otel_metric_exporter_type type = {.name = "tally", .export_metrics = tally_points};
  otel_metric_exporter_t *e = otel_metric_exporter_create(&type, &t);
  assert_int_equal(otel_meter_provider_collect(mp, e), OTEL_OK);
  otel_metric_exporter_destroy(e);
  return t;
}

static void transfer(const char *method, const char *url, char *body) {
  CURL *easy = new_handle(url, body);
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
  assert_int_equal(otel_curl_perform(easy), CURLE_OK);
  curl_easy_cleanup(easy);
}

static void test_duration_kept_series_follow_the_transfer(void **state) {
  struct fixture *f = *state;
  char echo[128], missing[128], body[2048];
  snprintf(echo, sizeof echo, "http://127.0.0.1:%d/echo", f->port);
  snprintf(missing, sizeof missing, "http://127.0.0.1:%d/missing", f->port);
  transfer("GET", echo, body);
  transfer("GET", echo, body);
  transfer("POST", echo, body);
  transfer("GET", echo, body);
  transfer("GET", missing, body);
  transfer("GET", echo, body); /* the series kept when the meter changes */
  struct tally t = collect_tally(f->mp);
  assert_int_equal(t.get_200, 4);
  assert_int_equal(t.post_200, 1);
  assert_int_equal(t.get_404, 1);
  assert_int_equal(t.total, 6);

  otel_meter_provider_options_t mo;
  otel_meter_provider_options_init(&mo);
  otel_meter_provider_t *second;
  assert_int_equal(otel_meter_provider_create(&mo, &second), OTEL_OK);
  otel_curl_instrument(&(otel_curl_options_t){
      .tracer = otel_tracer_provider_get_tracer(f->tp, "test", "1.0"),
      .meter = otel_meter_provider_get_meter(second, "test", "1.0")});
  transfer("GET", echo, body);
  t = collect_tally(second);
  assert_int_equal(t.get_200, 1);
  assert_int_equal(t.total, 1);
  t = collect_tally(f->mp);
  assert_int_equal(t.get_200, 4);
  assert_int_equal(t.total, 6);
  otel_curl_instrument(NULL);
  otel_meter_provider_destroy(second);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_span_has_http_client_attributes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_server_receives_this_spans_traceparent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_callers_traceparent_is_replaced_and_other_headers_kept,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_credentials_are_redacted_from_url_full, setup, teardown),
      cmocka_unit_test_setup_teardown(test_404_is_an_error_with_its_status_as_type, setup, teardown),
      cmocka_unit_test_setup_teardown(test_multi_transfer_gets_the_same_span, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refused_connection_is_an_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_duration_histogram_points, setup, teardown),
      cmocka_unit_test_setup_teardown(test_duration_kept_series_follow_the_transfer, setup, teardown),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
