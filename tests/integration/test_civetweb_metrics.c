/* test_civetweb_metrics.c: the HTTP server metrics of instrument_civetweb.c
 * against a real civetweb server with one worker thread (so every request
 * reuses the series that thread kept, metrics_internal.h): each request is
 * counted once under its own method, route and status as they change from
 * request to request on the thread; a 5xx gets error.type; the active
 * requests counter goes back to zero for each set; and after
 * otel_civetweb_instrument is called again with another meter, the kept
 * series of the first one are not used (its counts stay as they were). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "otel/instrument_civetweb.h"
#include "otel/metrics.h"
#include "otel/trace.h"

static const char *const routes[] = {"/a", "/b", "/c", NULL};

/* /b answers 404, /c 503, anything else 200 */
static int handler(struct mg_connection *conn, void *unused) {
  (void)unused;
  const char *uri = mg_get_request_info(conn)->local_uri;
  int status = !strcmp(uri, "/b") ? 404 : !strcmp(uri, "/c") ? 503 : 200;
  mg_printf(conn, "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
  return status;
}

static void request(int port, const char *method, const char *path) {
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
  CURL *e = curl_easy_init();
  assert_non_null(e);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(e, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fwrite);
  FILE *devnull = fopen("/dev/null", "w");
  curl_easy_setopt(e, CURLOPT_WRITEDATA, devnull);
  assert_int_equal(curl_easy_perform(e), CURLE_OK);
  fclose(devnull);
  curl_easy_cleanup(e);
}

/* What one collection saw: duration counts per "method status route
 * [error.type]" and the active requests sum per "method scheme". */
#define MAX_SETS 16
struct seen {
  char key[MAX_SETS][96];
  uint64_t count[MAX_SETS];
  size_t n;
  int64_t active_total;
  size_t active_points;
  uint64_t total;
};

static const otel_attr_t *find(const otel_metric_point_t *p, const char *key) {
  for (size_t i = 0; i < p->attr_count; i++)
    if (!strcmp(p->attrs[i].key, key)) return &p->attrs[i];
  return NULL;
}

static otel_err_t look(void *ctx, const otel_metric_batch_t *b) {
  struct seen *s = ctx;
  memset(s, 0, sizeof *s);
  for (size_t i = 0; i < b->stream_count; i++) {
    const otel_metric_stream_t *st = &b->streams[i];
    for (size_t k = 0; k < st->point_count; k++) {
      const otel_metric_point_t *p = &st->points[k];
      if (!strcmp(st->name, "http.server.active_requests")) {
        s->active_total += p->as_int;
        s->active_points++;
        continue;
      }
      if (strcmp(st->name, "http.server.request.duration") || s->n == MAX_SETS) continue;
      const otel_attr_t *m = find(p, "http.request.method"), *c = find(p, "http.response.status_code"),
                        *r = find(p, "http.route"), *e = find(p, "error.type"), *sc = find(p, "url.scheme");
      snprintf(s->key[s->n], sizeof s->key[0], "%s %lld %s%s%s%s", m ? m->value.s : "?",
               c ? (long long)c->value.i : -1LL, r ? r->value.s : "-", e ? " " : "", e ? e->value.s : "",
               sc && !strcmp(sc->value.s, "http") ? "" : " (scheme?)");
      s->count[s->n++] = p->count;
      s->total += p->count;
    }
  }
  return OTEL_OK;
}

static const struct otel_metric_exporter_type look_type = {.name = "look", .export_metrics = look};

/* Collects mp until it has counted `total` requests (end_request runs
 * after the client has its answer), within 10 s. */
static void collect_until(otel_meter_provider_t *mp, struct seen *s, uint64_t total) {
  otel_metric_exporter_t *e = otel_metric_exporter_create(&look_type, s);
  for (int i = 0; i < 2000; i++) {
    assert_int_equal(otel_meter_provider_collect(mp, e), OTEL_OK);
    if (s->total >= total) break;
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
  }
  otel_metric_exporter_destroy(e);
}

static uint64_t count_of(const struct seen *s, const char *key) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->key[i], key)) return s->count[i];
  return 0;
}

static otel_meter_provider_t *meter_provider(void) {
  otel_meter_provider_options_t o;
  otel_meter_provider_options_init(&o);
  otel_meter_provider_t *mp;
  assert_int_equal(otel_meter_provider_create(&o, &mp), OTEL_OK);
  return mp;
}

static void test_each_request_counted_under_its_own_set(void **state) {
  (void)state;
  otel_tracer_provider_options_t to;
  otel_tracer_provider_options_init(&to);
  otel_tracer_provider_t *tp;
  assert_int_equal(otel_tracer_provider_create(&to, &tp), OTEL_OK);
  otel_meter_provider_t *first = meter_provider(), *second = meter_provider();
  struct mg_callbacks cb;
  memset(&cb, 0, sizeof cb);
  otel_civetweb_options_t opts = {.tracer = otel_tracer_provider_get_tracer(tp, "test", NULL),
                                  .routes = routes,
                                  .meter = otel_meter_provider_get_meter(first, "test", NULL)};
  assert_int_equal(otel_civetweb_instrument(&cb, &opts), OTEL_OK);
  const char *mg_opts[] = {"listening_ports", "127.0.0.1:0", "num_threads", "1", NULL};
  struct mg_context *server = mg_start(&cb, NULL, mg_opts);
  assert_non_null(server);
  mg_set_request_handler(server, "/", handler, NULL);
  struct mg_server_port port;
  assert_int_equal(mg_get_server_ports(server, 1, &port), 1);

  /* one worker: each change of method, route or status on the same thread */
  request(port.port, "GET", "/a");
  request(port.port, "GET", "/a");
  request(port.port, "GET", "/b");
  request(port.port, "POST", "/a");
  request(port.port, "GET", "/a");
  request(port.port, "GET", "/c");
  request(port.port, "GET", "/b");
  request(port.port, "GET", "/nowhere");
  request(port.port, "GET", "/a"); /* the set kept when the meter changes */
  struct seen s;
  collect_until(first, &s, 9);
  assert_int_equal(s.total, 9);
  assert_int_equal(count_of(&s, "GET 200 /a"), 4);
  assert_int_equal(count_of(&s, "POST 200 /a"), 1);
  assert_int_equal(count_of(&s, "GET 404 /b"), 2);
  assert_int_equal(count_of(&s, "GET 503 /c 503"), 1);
  assert_int_equal(count_of(&s, "GET 200 -"), 1);
  assert_int_equal(s.n, 5);
  assert_int_equal(s.active_points, 2); /* GET and POST, each back at 0 */
  assert_int_equal(s.active_total, 0);

  /* instrumented again with another meter: the series kept for the
   * first one are not used any more */
  opts.meter = otel_meter_provider_get_meter(second, "test", NULL);
  assert_int_equal(otel_civetweb_instrument(&cb, &opts), OTEL_OK);
  request(port.port, "GET", "/a");
  request(port.port, "GET", "/a");
  collect_until(second, &s, 2);
  assert_int_equal(s.total, 2);
  assert_int_equal(count_of(&s, "GET 200 /a"), 2);
  assert_int_equal(s.active_points, 1);
  collect_until(first, &s, 9);
  assert_int_equal(s.total, 9);
  assert_int_equal(count_of(&s, "GET 200 /a"), 4);

  mg_stop(server);
  otel_meter_provider_destroy(first);
  otel_meter_provider_destroy(second);
  otel_tracer_provider_destroy(tp);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_each_request_counted_under_its_own_set),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
