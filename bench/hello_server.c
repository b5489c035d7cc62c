/* hello_server.c: a civetweb "hello" server for bench_http.sh, with or
 * without libotel-lite's server instrumentation (spans through the batch
 * processor to an exporter that discards them), so the two can be compared
 * under the same load; bench/civetweb_workers.sh also starts it with more
 * workers.  Usage: hello_server PORT instrumented|plain [WORKERS, default 4] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "otel/instrument_civetweb.h"
#include "otel/trace.h"

#include "svc_http.h"
#include "svc_server.h"

static int hello(struct mg_connection *conn, void *cbdata) {
  (void)cbdata;
  return svc_reply_text(conn, 200, "Hello, World!");
}

static otel_err_t discard(void *ctx, const otel_span_data_t *const *s, size_t n) {
  (void)ctx, (void)s, (void)n;
  return OTEL_OK;
}
static const struct otel_span_exporter_type discard_type = {.name = "discard", .export_spans = discard};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: hello_server PORT instrumented|plain [WORKERS]\n");
    return 2;
  }
  svc_block_stop_signals();
  bool instrumented = strcmp(argv[2], "instrumented") == 0;
  otel_tracer_provider_t *tp = NULL;
  struct mg_callbacks cb = {0};
  if (instrumented) {
    otel_tracer_provider_options_t o;
    otel_tracer_provider_options_init(&o);
    o.sampler = otel_sampler_always_on();
    otel_tracer_provider_create(&o, &tp);
    otel_span_processor_t *p;
    otel_batch_span_processor_create(otel_span_exporter_create(&discard_type, NULL), NULL, &p);
    otel_tracer_provider_add_processor(tp, p);
    static const char *const routes[] = {"/", NULL};
    otel_civetweb_instrument(&cb, &(otel_civetweb_options_t){
                                      .tracer = otel_tracer_provider_get_tracer(tp, "hello", NULL),
                                      .routes = routes});
  }
  mg_init_library(0);
  struct mg_context *ctx = svc_server_start(instrumented ? "hello-instrumented" : "hello-plain",
                                            atoi(argv[1]), argc > 3 ? atoi(argv[3]) : 4, &cb,
                                            NULL, hello, NULL);
  if (ctx) {
    svc_wait_for_stop();
    mg_stop(ctx);
  }
  mg_exit_library();
  if (tp) {
    otel_span_processor_stats_t st = {0};
    otel_tracer_provider_force_flush(tp, 5000);
    otel_tracer_provider_shutdown(tp, 5000);
    otel_tracer_provider_destroy(tp);
    (void)st;
  }
  return ctx ? 0 : 1;
}
